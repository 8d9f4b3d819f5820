/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File events: the open family, close, dup family, directory and link changes, permission and
 * owner changes, chdir, mount, module loading, memfd_create, and reads and writes (read, write,
 * pread64, pwrite64, readv, writev, preadv, pwritev). Parameter order follows libscap's event
 * table for each exit event.
 */
#ifndef HARRIER_FILE_EVENTS_H
#define HARRIER_FILE_EVENTS_H

/* A dirfd parameter: AT_FDCWD and scap's PPM_AT_FDCWD are both -100. */
static __always_inline __s64 dirfd_arg(struct pt_regs *regs, int index) {
	return (__s64)(__s32)syscall_arg(regs, index);
}

static __always_inline __s64 fd_arg(struct pt_regs *regs, int index) {
	return (__s64)(__s32)syscall_arg(regs, index);
}

/*
 * Flags with FMODE_CREATED folded in when the call created `file`: only a call asking to create
 * can have, so the file's mode is read only then.
 */
static __always_inline __u32 opened_flags(struct file *file, __u32 flags) {
	__u32 out = scap_open_flags(flags);

	if (file && (flags & (LX_O_CREAT | LX_O_TMPFILE)) &&
	    (BPF_CORE_READ(file, f_mode) & LX_FMODE_CREATED))
		out |= SCAP_O_F_CREATED;
	return out;
}

static __always_inline void ev_dev_ino(struct event_buffer *b, struct file *file) {
	__u32 dev = 0;
	__u64 ino = 0;

	if (file)
		file_dev_ino(file, &dev, &ino);
	ev_u32(b, dev);
	ev_u64(b, ino);
}

EXIT_HANDLER(exit_open) {
	struct event_buffer *b = ev_begin(SCAP_OPEN_X, 6, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	__u32 flags = syscall_arg(regs, 1);
	struct file *file = fd_file(ret);

	ev_s64(b, ret);                                                /* fd */
	ev_str(b, (void *)syscall_arg(regs, 0), 1);                    /* name */
	ev_u32(b, opened_flags(file, flags));                          /* flags */
	ev_u32(b, scap_open_mode(flags, syscall_arg(regs, 2)));        /* mode */
	ev_dev_ino(b, file);                                           /* dev, ino */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_openat) {
	struct event_buffer *b = ev_begin(SCAP_OPENAT_2_X, 7, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	__u32 flags = syscall_arg(regs, 2);
	struct file *file = fd_file(ret);

	ev_s64(b, ret);                                                /* fd */
	ev_s64(b, dirfd_arg(regs, 0));                                 /* dirfd */
	ev_str(b, (void *)syscall_arg(regs, 1), 1);                    /* name */
	ev_u32(b, opened_flags(file, flags));                          /* flags */
	ev_u32(b, scap_open_mode(flags, syscall_arg(regs, 3)));        /* mode */
	ev_dev_ino(b, file);                                           /* dev, ino */
	ev_submit(b);
	return 0;
}

/* struct open_how: u64 flags, u64 mode, u64 resolve. */
struct open_how_user {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

EXIT_HANDLER(exit_openat2) {
	struct event_buffer *b = ev_begin(SCAP_OPENAT2_X, 8, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	struct open_how_user how = {};
	struct file *file = fd_file(ret);

	bpf_probe_read_user(&how, sizeof(how), (void *)syscall_arg(regs, 2));
	ev_s64(b, ret);                                                /* fd */
	ev_s64(b, dirfd_arg(regs, 0));                                 /* dirfd */
	ev_str(b, (void *)syscall_arg(regs, 1), 1);                    /* name */
	ev_u32(b, opened_flags(file, how.flags));                      /* flags */
	ev_u32(b, scap_open_mode(how.flags, how.mode));                /* mode */
	ev_u32(b, scap_resolve_flags(how.resolve));                    /* resolve */
	ev_dev_ino(b, file);                                           /* dev, ino */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_creat) {
	struct event_buffer *b = ev_begin(SCAP_CREAT_X, 6, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	struct file *file = fd_file(ret);

	ev_s64(b, ret);                                                /* fd */
	ev_str(b, (void *)syscall_arg(regs, 0), 1);                    /* name */
	ev_u32(b, scap_open_mode(LX_O_CREAT, syscall_arg(regs, 1)));   /* mode */
	ev_dev_ino(b, file);                                           /* dev, ino */
	ev_u16(b, file && (BPF_CORE_READ(file, f_mode) & LX_FMODE_CREATED) ? 1 : 0); /* creat_flags */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_close) {
	struct event_buffer *b = ev_begin(SCAP_CLOSE_X, 2, HC_DROP_FULL_CLOSE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_dup) {
	struct event_buffer *b = ev_begin(SCAP_DUP_1_X, 2, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_dup2) {
	struct event_buffer *b = ev_begin(SCAP_DUP2_X, 3, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_s64(b, fd_arg(regs, 1));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_dup3) {
	struct event_buffer *b = ev_begin(SCAP_DUP3_X, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_s64(b, fd_arg(regs, 1));
	ev_u32(b, syscall_arg(regs, 2) & LX_O_CLOEXEC ? SCAP_O_CLOEXEC : 0);
	ev_submit(b);
	return 0;
}

/* res + one user path: unlink, rmdir, chdir. */
static __always_inline int path_exit(struct pt_regs *regs, long ret, __u16 type) {
	struct event_buffer *b = ev_begin(type, 2, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_unlink) { return path_exit(regs, ret, SCAP_UNLINK_2_X); }
EXIT_HANDLER(exit_rmdir) { return path_exit(regs, ret, SCAP_RMDIR_2_X); }
EXIT_HANDLER(exit_chdir) { return path_exit(regs, ret, SCAP_CHDIR_X); }

/* res + two user paths: rename, link, symlink (target, linkpath). */
static __always_inline int two_path_exit(struct pt_regs *regs, long ret, __u16 type) {
	struct event_buffer *b = ev_begin(type, 3, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_rename) { return two_path_exit(regs, ret, SCAP_RENAME_X); }
EXIT_HANDLER(exit_link) { return two_path_exit(regs, ret, SCAP_LINK_2_X); }
EXIT_HANDLER(exit_symlink) { return two_path_exit(regs, ret, SCAP_SYMLINK_X); }

EXIT_HANDLER(exit_unlinkat) {
	struct event_buffer *b = ev_begin(SCAP_UNLINKAT_2_X, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, dirfd_arg(regs, 0));
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_u32(b, scap_unlinkat_flags(syscall_arg(regs, 2)));
	ev_submit(b);
	return 0;
}

/* renameat, renameat2 (with flags) and linkat (with flags): dirfd/path pairs. */
static __always_inline int two_dirfd_exit(struct pt_regs *regs, long ret, __u16 type,
					  int with_flags, __u32 flags) {
	struct event_buffer *b = ev_begin(type, with_flags ? 6 : 5, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, dirfd_arg(regs, 0));
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_s64(b, dirfd_arg(regs, 2));
	ev_str(b, (void *)syscall_arg(regs, 3), 1);
	if (with_flags)
		ev_u32(b, flags);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_renameat) { return two_dirfd_exit(regs, ret, SCAP_RENAMEAT_X, 0, 0); }
EXIT_HANDLER(exit_renameat2) {
	/* RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT keep their positions. */
	return two_dirfd_exit(regs, ret, SCAP_RENAMEAT2_X, 1, syscall_arg(regs, 4) & 0x7);
}
EXIT_HANDLER(exit_linkat) {
	return two_dirfd_exit(regs, ret, SCAP_LINKAT_2_X, 1,
			      scap_at_follow_flags(syscall_arg(regs, 4)));
}

EXIT_HANDLER(exit_symlinkat) {
	struct event_buffer *b = ev_begin(SCAP_SYMLINKAT_X, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);  /* target */
	ev_s64(b, dirfd_arg(regs, 1));               /* linkdirfd */
	ev_str(b, (void *)syscall_arg(regs, 2), 1);  /* linkpath */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_mkdir) {
	struct event_buffer *b = ev_begin(SCAP_MKDIR_2_X, 3, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_u32(b, syscall_arg(regs, 1));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_mkdirat) {
	struct event_buffer *b = ev_begin(SCAP_MKDIRAT_X, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, dirfd_arg(regs, 0));
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_u32(b, syscall_arg(regs, 2));
	ev_submit(b);
	return 0;
}

/* chmod modes: scap's PPM_S_* bits equal Linux's permission bits. */
EXIT_HANDLER(exit_chmod) {
	struct event_buffer *b = ev_begin(SCAP_CHMOD_X, 3, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_u32(b, syscall_arg(regs, 1) & 07777);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_fchmod) {
	struct event_buffer *b = ev_begin(SCAP_FCHMOD_X, 3, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_u32(b, syscall_arg(regs, 1) & 07777);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_fchmodat) {
	struct event_buffer *b = ev_begin(SCAP_FCHMODAT_X, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, dirfd_arg(regs, 0));
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_u32(b, syscall_arg(regs, 2) & 07777);
	ev_submit(b);
	return 0;
}

/* chown and lchown: res, path, uid, gid. */
static __always_inline int chown_exit(struct pt_regs *regs, long ret, __u16 type) {
	struct event_buffer *b = ev_begin(type, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_u32(b, syscall_arg(regs, 1));
	ev_u32(b, syscall_arg(regs, 2));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_chown) { return chown_exit(regs, ret, SCAP_CHOWN_X); }
EXIT_HANDLER(exit_lchown) { return chown_exit(regs, ret, SCAP_LCHOWN_X); }

EXIT_HANDLER(exit_fchown) {
	struct event_buffer *b = ev_begin(SCAP_FCHOWN_X, 4, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_u32(b, syscall_arg(regs, 1));
	ev_u32(b, syscall_arg(regs, 2));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_fchownat) {
	struct event_buffer *b = ev_begin(SCAP_FCHOWNAT_X, 6, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, dirfd_arg(regs, 0));
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_u32(b, syscall_arg(regs, 2));
	ev_u32(b, syscall_arg(regs, 3));
	ev_u32(b, scap_at_follow_flags(syscall_arg(regs, 4)));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_fchdir) {
	struct event_buffer *b = ev_begin(SCAP_FCHDIR_X, 2, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_mount) {
	struct event_buffer *b = ev_begin(SCAP_MOUNT_X, 5, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);   /* dev */
	ev_str(b, (void *)syscall_arg(regs, 1), 1);   /* dir */
	ev_str(b, (void *)syscall_arg(regs, 2), 1);   /* type */
	ev_u32(b, scap_mount_flags(syscall_arg(regs, 3)));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_umount2) {
	struct event_buffer *b = ev_begin(SCAP_UMOUNT2_X, 3, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_u32(b, scap_umount_flags(syscall_arg(regs, 1)));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_init_module) {
	struct event_buffer *b = ev_begin(SCAP_INIT_MODULE_X, 4, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	__u64 length = syscall_arg(regs, 1);

	ev_s64(b, ret);
	ev_bytes(b, (void *)syscall_arg(regs, 0), length < HARRIER_SNAPLEN ? length : HARRIER_SNAPLEN,
		 1);                                      /* img: the first bytes only */
	ev_u64(b, length);
	ev_str(b, (void *)syscall_arg(regs, 2), 1);   /* uargs */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_finit_module) {
	struct event_buffer *b = ev_begin(SCAP_FINIT_MODULE_X, 4, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_str(b, (void *)syscall_arg(regs, 1), 1);
	ev_u32(b, scap_finit_module_flags(syscall_arg(regs, 2)));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_memfd_create) {
	struct event_buffer *b = ev_begin(SCAP_MEMFD_CREATE_X, 3, HC_DROP_FULL_FILE);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_str(b, (void *)syscall_arg(regs, 0), 1);
	ev_u32(b, scap_memfd_flags(syscall_arg(regs, 1)));
	ev_submit(b);
	return 0;
}

/* Bytes of data a read-side call reports: what it read, up to the snap length. */
static __always_inline __u32 read_snaplen(long ret) {
	return ret <= 0 ? 0 : ret > HARRIER_SNAPLEN ? HARRIER_SNAPLEN : (__u32)ret;
}

/* A write-side call: what it wrote or, when it failed, what it was asked to write. */
static __always_inline __u32 write_snaplen(long ret, __u64 size) {
	__u64 n = ret > 0 ? (__u64)ret : size;

	return n > HARRIER_SNAPLEN ? HARRIER_SNAPLEN : (__u32)n;
}

/* read and write, pread64 and pwrite64 (`positioned`): res, data, fd, size[, pos]. */
static __always_inline int io_exit(struct pt_regs *regs, long ret, __u16 type, int writes,
				   int positioned) {
	struct event_buffer *b = ev_begin(type, positioned ? 5 : 4, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	__u64 size = syscall_arg(regs, 2);

	ev_s64(b, ret);
	ev_bytes(b, (void *)syscall_arg(regs, 1), writes ? write_snaplen(ret, size) : read_snaplen(ret),
		 1);
	ev_s64(b, fd_arg(regs, 0));
	ev_u32(b, (__u32)size);
	if (positioned)
		ev_u64(b, syscall_arg(regs, 3));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_read) { return io_exit(regs, ret, SCAP_READ_X, 0, 0); }
EXIT_HANDLER(exit_write) { return io_exit(regs, ret, SCAP_WRITE_X, 1, 0); }
EXIT_HANDLER(exit_pread64) { return io_exit(regs, ret, SCAP_PREAD_X, 0, 1); }
EXIT_HANDLER(exit_pwrite64) { return io_exit(regs, ret, SCAP_PWRITE_X, 1, 1); }

/* readv and preadv: res, size read, data, fd[, pos]; nothing read gives size 0, no data. */
static __always_inline int readv_exit(struct pt_regs *regs, long ret, __u16 type,
				      int positioned) {
	struct event_buffer *b = ev_begin(type, positioned ? 5 : 4, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;

	ev_s64(b, ret);
	ev_u32(b, ret > 0 ? (__u32)ret : 0);
	if (ret > 0)
		ev_iovec_data(b, (void *)syscall_arg(regs, 1), syscall_arg(regs, 2), read_snaplen(ret));
	else
		ev_empty(b);
	ev_s64(b, fd_arg(regs, 0));
	if (positioned)
		ev_u64(b, syscall_arg(regs, 3));
	ev_submit(b);
	return 0;
}

/* writev and pwritev: res, data, fd, size of all the buffers[, pos]. */
static __always_inline int writev_exit(struct pt_regs *regs, long ret, __u16 type,
				       int positioned) {
	struct event_buffer *b = ev_begin(type, positioned ? 5 : 4, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	void *iov = (void *)syscall_arg(regs, 1);
	__u64 count = syscall_arg(regs, 2);

	ev_s64(b, ret);
	ev_iovec_data(b, iov, count, write_snaplen(ret, HARRIER_SNAPLEN));
	ev_s64(b, fd_arg(regs, 0));
	ev_u32(b, iovec_size(iov, count));
	if (positioned)
		ev_u64(b, syscall_arg(regs, 3));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_readv) { return readv_exit(regs, ret, SCAP_READV_X, 0); }
EXIT_HANDLER(exit_preadv) { return readv_exit(regs, ret, SCAP_PREADV_X, 1); }
EXIT_HANDLER(exit_writev) { return writev_exit(regs, ret, SCAP_WRITEV_X, 0); }
EXIT_HANDLER(exit_pwritev) { return writev_exit(regs, ret, SCAP_PWRITEV_X, 1); }

#endif
