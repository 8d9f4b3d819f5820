/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libscap event codes and flag encodings used by the probe. The numbers are the wire values of
 * falcosecurity/libs (ppm_events_public.h); a `.scap` reader and this probe must agree on them,
 * so they are facts, not choices. The conversion helpers map Linux values to those encodings.
 */
#ifndef HARRIER_SCAP_CODES_H
#define HARRIER_SCAP_CODES_H

enum scap_event_code {
	SCAP_GENERIC_X = 1,
	SCAP_OPEN_X = 3,
	SCAP_CLOSE_X = 5,
	SCAP_READ_X = 7,
	SCAP_WRITE_X = 9,
	SCAP_SOCKET_X = 19,
	SCAP_BIND_X = 21,
	SCAP_CONNECT_X = 23,
	SCAP_LISTEN_X = 25,
	SCAP_SENDTO_X = 31,
	SCAP_RECVFROM_X = 35,
	SCAP_SENDMSG_X = 49,
	SCAP_SENDMMSG_X = 51,
	SCAP_RECVMSG_X = 53,
	SCAP_RECVMMSG_X = 55,
	SCAP_CREAT_X = 59,
	SCAP_CHDIR_X = 95,
	SCAP_FCHDIR_X = 97,
	SCAP_PREAD_X = 113,
	SCAP_PWRITE_X = 115,
	SCAP_READV_X = 117,
	SCAP_WRITEV_X = 119,
	SCAP_PREADV_X = 121,
	SCAP_PWRITEV_X = 123,
	SCAP_KILL_X = 129,
	SCAP_TKILL_X = 131,
	SCAP_TGKILL_X = 133,
	SCAP_PTRACE_X = 169,
	SCAP_RENAME_X = 175,
	SCAP_RENAMEAT_X = 177,
	SCAP_SYMLINK_X = 179,
	SCAP_SYMLINKAT_X = 181,
	SCAP_PROCEXIT_1_E = 186,
	SCAP_SETRESUID_X = 193,
	SCAP_SETRESGID_X = 195,
	SCAP_SETUID_X = 199,
	SCAP_SETGID_X = 201,
	SCAP_CLONE_20_X = 223,
	SCAP_FORK_20_X = 225,
	SCAP_VFORK_20_X = 227,
	SCAP_SETNS_X = 241,
	SCAP_ACCEPT_5_X = 247,
	SCAP_MOUNT_X = 257,
	SCAP_MKDIR_2_X = 277,
	SCAP_RMDIR_2_X = 279,
	SCAP_UNSHARE_X = 285,
	SCAP_EXECVE_19_X = 293,
	SCAP_UNLINK_2_X = 301,
	SCAP_UNLINKAT_2_X = 303,
	SCAP_MKDIRAT_X = 305,
	SCAP_OPENAT_2_X = 307,
	SCAP_LINK_2_X = 309,
	SCAP_LINKAT_2_X = 311,
	SCAP_FCHMODAT_X = 313,
	SCAP_CHMOD_X = 315,
	SCAP_FCHMOD_X = 317,
	SCAP_RENAMEAT2_X = 319,
	SCAP_USERFAULTFD_X = 321,
	SCAP_OPENAT2_X = 327,
	SCAP_EXECVEAT_X = 331,
	SCAP_CLONE3_X = 335,
	SCAP_DUP2_X = 363,
	SCAP_DUP3_X = 365,
	SCAP_DUP_1_X = 367,
	SCAP_BPF_2_X = 369,
	SCAP_CHOWN_X = 379,
	SCAP_LCHOWN_X = 381,
	SCAP_FCHOWN_X = 383,
	SCAP_FCHOWNAT_X = 385,
	SCAP_ACCEPT4_6_X = 389,
	SCAP_UMOUNT2_X = 391,
	SCAP_PRCTL_X = 401,
	SCAP_MEMFD_CREATE_X = 405,
	SCAP_INIT_MODULE_X = 411,
	SCAP_FINIT_MODULE_X = 413,
	SCAP_SETREUID_X = 427,
	SCAP_SETREGID_X = 429,
};

/* Linux open(2) flag bits on x86_64 (octal, as in the uapi headers). */
#define LX_O_ACCMODE 03
#define LX_O_WRONLY 01
#define LX_O_RDWR 02
#define LX_O_CREAT 0100
#define LX_O_EXCL 0200
#define LX_O_TRUNC 01000
#define LX_O_APPEND 02000
#define LX_O_NONBLOCK 04000
#define LX_O_DSYNC 010000
#define LX_O_DIRECT 040000
#define LX_O_LARGEFILE 0100000
#define LX_O_DIRECTORY 0200000
#define LX_O_CLOEXEC 02000000
#define LX_O_SYNC 04010000
#define LX_O_TMPFILE 020200000
#define LX_FMODE_CREATED 0x100000

/* Linux clone(2) flag bits. */
#define LX_CLONE_VM 0x100
#define LX_CLONE_FS 0x200
#define LX_CLONE_FILES 0x400
#define LX_CLONE_SIGHAND 0x800
#define LX_CLONE_PTRACE 0x2000
#define LX_CLONE_VFORK 0x4000
#define LX_CLONE_PARENT 0x8000
#define LX_CLONE_THREAD 0x10000
#define LX_CLONE_NEWNS 0x20000
#define LX_CLONE_SYSVSEM 0x40000
#define LX_CLONE_SETTLS 0x80000
#define LX_CLONE_PARENT_SETTID 0x100000
#define LX_CLONE_CHILD_CLEARTID 0x200000
#define LX_CLONE_UNTRACED 0x800000
#define LX_CLONE_CHILD_SETTID 0x1000000
#define LX_CLONE_NEWCGROUP 0x2000000
#define LX_CLONE_NEWUTS 0x4000000
#define LX_CLONE_NEWIPC 0x8000000
#define LX_CLONE_NEWUSER 0x10000000
#define LX_CLONE_NEWPID 0x20000000
#define LX_CLONE_NEWNET 0x40000000
#define LX_CLONE_IO 0x80000000UL

#define LX_AF_UNIX 1
#define LX_AF_INET 2
#define LX_AF_INET6 10
#define LX_SOCK_NONBLOCK 04000
#define LX_SOCK_CLOEXEC 02000000

#define LX_AT_FDCWD -100
#define LX_MS_MGC_MSK 0xffff0000UL
#define LX_MS_MGC_VAL 0xC0ED0000UL
#define LX_PF_KTHREAD 0x00200000

/* File types in an inode's i_mode. */
#define LX_S_IFMT 0170000
#define LX_S_IFSOCK 0140000
#define LX_S_IFLNK 0120000
#define LX_S_IFREG 0100000
#define LX_S_IFDIR 0040000

/* scap encodings that differ from Linux. */
#define SCAP_O_RDONLY (1 << 0)
#define SCAP_O_WRONLY (1 << 1)
#define SCAP_O_RDWR (SCAP_O_RDONLY | SCAP_O_WRONLY)
#define SCAP_O_CREAT (1 << 2)
#define SCAP_O_APPEND (1 << 3)
#define SCAP_O_DSYNC (1 << 4)
#define SCAP_O_EXCL (1 << 5)
#define SCAP_O_NONBLOCK (1 << 6)
#define SCAP_O_SYNC (1 << 7)
#define SCAP_O_TRUNC (1 << 8)
#define SCAP_O_DIRECT (1 << 9)
#define SCAP_O_DIRECTORY (1 << 10)
#define SCAP_O_LARGEFILE (1 << 11)
#define SCAP_O_CLOEXEC (1 << 12)
#define SCAP_O_TMPFILE (1 << 13)
#define SCAP_O_F_CREATED (1 << 14)

#define SCAP_EXE_WRITABLE (1 << 0)
#define SCAP_EXE_UPPER_LAYER (1 << 1)
#define SCAP_EXE_FROM_MEMFD (1 << 2)
#define SCAP_EXE_LOWER_LAYER (1 << 3)
#define SCAP_CL_CHILD_IN_PIDNS (1 << 29)

/* Translates one flag bit: `from` set in `value` gives `to` in the result. */
#define MAP_BIT(value, from, to) (((value) & (from)) ? (to) : 0)

static __always_inline __u32 scap_open_flags(__u32 flags) {
	__u32 mode = flags & LX_O_ACCMODE;
	__u32 out = mode == LX_O_WRONLY ? SCAP_O_WRONLY
	            : mode == LX_O_RDWR ? SCAP_O_RDWR
	                                : SCAP_O_RDONLY;

	out |= MAP_BIT(flags, LX_O_CREAT, SCAP_O_CREAT);
	out |= (flags & LX_O_TMPFILE) == LX_O_TMPFILE ? SCAP_O_TMPFILE : 0;
	out |= MAP_BIT(flags, LX_O_APPEND, SCAP_O_APPEND);
	out |= MAP_BIT(flags, LX_O_DSYNC, SCAP_O_DSYNC);
	out |= MAP_BIT(flags, LX_O_EXCL, SCAP_O_EXCL);
	out |= MAP_BIT(flags, LX_O_NONBLOCK, SCAP_O_NONBLOCK);
	out |= (flags & LX_O_SYNC) == LX_O_SYNC ? SCAP_O_SYNC : 0;
	out |= MAP_BIT(flags, LX_O_TRUNC, SCAP_O_TRUNC);
	out |= MAP_BIT(flags, LX_O_DIRECT, SCAP_O_DIRECT);
	out |= MAP_BIT(flags, LX_O_DIRECTORY, SCAP_O_DIRECTORY);
	out |= MAP_BIT(flags, LX_O_LARGEFILE, SCAP_O_LARGEFILE);
	out |= MAP_BIT(flags, LX_O_CLOEXEC, SCAP_O_CLOEXEC);
	return out;
}

/*
 * The mode of open/openat/creat only counts when a file can be created. The scap permission
 * bits (PPM_S_*) sit at the same positions as Linux's, so the low 12 bits pass through.
 */
static __always_inline __u32 scap_open_mode(__u32 flags, __u32 mode) {
	if (!(flags & (LX_O_CREAT | LX_O_TMPFILE)))
		return 0;
	return mode & 07777;
}

static __always_inline __u32 scap_clone_flags(__u64 flags) {
	__u32 out = 0;

	out |= MAP_BIT(flags, LX_CLONE_FILES, 1 << 0);
	out |= MAP_BIT(flags, LX_CLONE_FS, 1 << 1);
	out |= MAP_BIT(flags, LX_CLONE_IO, 1 << 2);
	out |= MAP_BIT(flags, LX_CLONE_NEWIPC, 1 << 3);
	out |= MAP_BIT(flags, LX_CLONE_NEWNET, 1 << 4);
	out |= MAP_BIT(flags, LX_CLONE_NEWNS, 1 << 5);
	out |= MAP_BIT(flags, LX_CLONE_NEWPID, 1 << 6);
	out |= MAP_BIT(flags, LX_CLONE_NEWUTS, 1 << 7);
	out |= MAP_BIT(flags, LX_CLONE_PARENT, 1 << 8);
	out |= MAP_BIT(flags, LX_CLONE_PARENT_SETTID, 1 << 9);
	out |= MAP_BIT(flags, LX_CLONE_PTRACE, 1 << 10);
	out |= MAP_BIT(flags, LX_CLONE_SIGHAND, 1 << 11);
	out |= MAP_BIT(flags, LX_CLONE_SYSVSEM, 1 << 12);
	out |= MAP_BIT(flags, LX_CLONE_THREAD, 1 << 13);
	out |= MAP_BIT(flags, LX_CLONE_UNTRACED, 1 << 14);
	out |= MAP_BIT(flags, LX_CLONE_VM, 1 << 15);
	out |= MAP_BIT(flags, LX_CLONE_NEWUSER, 1 << 20);
	out |= MAP_BIT(flags, LX_CLONE_CHILD_CLEARTID, 1 << 23);
	out |= MAP_BIT(flags, LX_CLONE_CHILD_SETTID, 1 << 24);
	out |= MAP_BIT(flags, LX_CLONE_SETTLS, 1 << 25);
	out |= MAP_BIT(flags, LX_CLONE_VFORK, 1 << 27);
	out |= MAP_BIT(flags, LX_CLONE_NEWCGROUP, 1 << 28);
	return out;
}

/* scap's socket families equal Linux's for every family the kernel defines up to AF_NFC. */
static __always_inline __u8 scap_socket_family(__u16 family) {
	return family <= 39 ? (__u8)family : 0;
}

/* SOCK_NONBLOCK and SOCK_CLOEXEC share O_NONBLOCK's and O_CLOEXEC's bits. */
static __always_inline __u32 scap_socket_flags(__u32 flags) {
	return MAP_BIT(flags, LX_SOCK_NONBLOCK, SCAP_O_NONBLOCK) |
	       MAP_BIT(flags, LX_SOCK_CLOEXEC, SCAP_O_CLOEXEC);
}

/* memfd_create flags: MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB keep their positions. */
static __always_inline __u32 scap_memfd_flags(__u32 flags) {
	return flags & 0x7;
}

/* linkat and fchownat: AT_SYMLINK_FOLLOW 0x400 and AT_EMPTY_PATH 0x1000 keep their values. */
static __always_inline __u32 scap_at_follow_flags(__u32 flags) {
	return flags & (0x400 | 0x1000);
}

/* unlinkat: AT_REMOVEDIR keeps its value. */
static __always_inline __u32 scap_unlinkat_flags(__u32 flags) {
	return flags & 0x200;
}

/* umount2: MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW keep their positions. */
static __always_inline __u32 scap_umount_flags(__u32 flags) {
	return flags & 0xf;
}

/* finit_module: the three MODULE_INIT_* bits keep their positions. */
static __always_inline __u32 scap_finit_module_flags(__u32 flags) {
	return flags & 0x7;
}

/* mount: drop the historical magic number in the high half, as libscap does. */
static __always_inline __u32 scap_mount_flags(__u64 flags) {
	if ((flags & LX_MS_MGC_MSK) == LX_MS_MGC_VAL)
		flags &= ~LX_MS_MGC_MSK;
	return (__u32)flags;
}

/* openat2 RESOLVE_* bits to scap's PPM_RESOLVE_* bits. */
static __always_inline __u32 scap_resolve_flags(__u64 resolve) {
	return MAP_BIT(resolve, 0x08, 1 << 0) |  /* BENEATH */
	       MAP_BIT(resolve, 0x10, 1 << 1) |  /* IN_ROOT */
	       MAP_BIT(resolve, 0x02, 1 << 2) |  /* NO_MAGICLINKS */
	       MAP_BIT(resolve, 0x04, 1 << 3) |  /* NO_SYMLINKS */
	       MAP_BIT(resolve, 0x01, 1 << 4) |  /* NO_XDEV */
	       MAP_BIT(resolve, 0x20, 1 << 5);   /* CACHED */
}

/*
 * libscap's PPM_SC_* code of the syscalls the probe reports as generic events (syscalls without
 * an event of their own in libscap's table); 0 (PPM_SC_UNKNOWN) for any other.
 */
static __always_inline __u16 scap_generic_syscall_code(__u32 id) {
	switch (id) {
	case 76: return 57;      /* truncate */
	case 77: return 58;      /* ftruncate */
	case 261: return 201;    /* futimesat */
	case 280: return 219;    /* utimensat */
	case 452: return 413;    /* fchmodat2 */
	default: return 0;
	}
}

/* ptrace requests: Linux request number to scap's PPM_PTRACE_* index. */
static __always_inline __u16 scap_ptrace_request(__u64 request) {
	switch (request) {
	case 0: return 1;        /* TRACEME */
	case 1: return 2;        /* PEEKTEXT */
	case 2: return 3;        /* PEEKDATA */
	case 3: return 4;        /* PEEKUSR */
	case 4: return 5;        /* POKETEXT */
	case 5: return 6;        /* POKEDATA */
	case 6: return 7;        /* POKEUSR */
	case 7: return 8;        /* CONT */
	case 8: return 9;        /* KILL */
	case 9: return 10;       /* SINGLESTEP */
	case 12: return 26;      /* GETREGS */
	case 13: return 27;      /* SETREGS */
	case 14: return 28;      /* GETFPREGS */
	case 15: return 29;      /* SETFPREGS */
	case 16: return 11;      /* ATTACH */
	case 17: return 12;      /* DETACH */
	case 18: return 30;      /* GETFPXREGS */
	case 19: return 31;      /* SETFPXREGS */
	case 21: return 32;      /* OLDSETOPTIONS */
	case 24: return 13;      /* SYSCALL */
	case 25: return 33;      /* GET_THREAD_AREA */
	case 26: return 34;      /* SET_THREAD_AREA */
	case 30: return 35;      /* ARCH_PRCTL */
	case 31: return 36;      /* SYSEMU */
	case 32: return 37;      /* SYSEMU_SINGLESTEP */
	case 33: return 38;      /* SINGLEBLOCK */
	case 0x4200: return 14;  /* SETOPTIONS */
	case 0x4201: return 15;  /* GETEVENTMSG */
	case 0x4202: return 16;  /* GETSIGINFO */
	case 0x4203: return 17;  /* SETSIGINFO */
	case 0x4204: return 18;  /* GETREGSET */
	case 0x4205: return 19;  /* SETREGSET */
	case 0x4206: return 20;  /* SEIZE */
	case 0x4207: return 21;  /* INTERRUPT */
	case 0x4208: return 22;  /* LISTEN */
	case 0x4209: return 23;  /* PEEKSIGINFO */
	case 0x420a: return 24;  /* GETSIGMASK */
	case 0x420b: return 25;  /* SETSIGMASK */
	default: return 0;
	}
}

#endif
