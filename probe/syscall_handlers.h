/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscalls the probe builds exit events for, one row each: the x86_64 syscall, its handler
 * program in probe.bpf.c, and the name of its `syscalls:sys_exit_*` tracepoint, which is the
 * name the kernel's SYSCALL_DEFINE gives it (umount2's is `umount`). The loader attaches each
 * handler to its tracepoint and fills the raw path's handler table from this one list.
 * Userspace's list of handled events is in src/sources/ebpf/syscall-selection.ts.
 */
#ifndef HARRIER_SYSCALL_HANDLERS_H
#define HARRIER_SYSCALL_HANDLERS_H

/* Linux 6.6's fchmodat2, newer than some build hosts' headers. */
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

#define HARRIER_EXIT_HANDLERS(X) \
	X(execve, exit_execve, execve) \
	X(execveat, exit_execveat, execveat) \
	X(clone, exit_clone, clone) \
	X(clone3, exit_clone3, clone3) \
	X(prctl, exit_prctl, prctl) \
	X(fork, exit_fork, fork) \
	X(vfork, exit_vfork, vfork) \
	X(open, exit_open, open) \
	X(openat, exit_openat, openat) \
	X(openat2, exit_openat2, openat2) \
	X(creat, exit_creat, creat) \
	X(close, exit_close, close) \
	X(dup, exit_dup, dup) \
	X(dup2, exit_dup2, dup2) \
	X(dup3, exit_dup3, dup3) \
	X(unlink, exit_unlink, unlink) \
	X(unlinkat, exit_unlinkat, unlinkat) \
	X(rename, exit_rename, rename) \
	X(renameat, exit_renameat, renameat) \
	X(renameat2, exit_renameat2, renameat2) \
	X(link, exit_link, link) \
	X(linkat, exit_linkat, linkat) \
	X(symlink, exit_symlink, symlink) \
	X(symlinkat, exit_symlinkat, symlinkat) \
	X(mkdir, exit_mkdir, mkdir) \
	X(mkdirat, exit_mkdirat, mkdirat) \
	X(rmdir, exit_rmdir, rmdir) \
	X(chmod, exit_chmod, chmod) \
	X(fchmod, exit_fchmod, fchmod) \
	X(fchmodat, exit_fchmodat, fchmodat) \
	X(chown, exit_chown, chown) \
	X(lchown, exit_lchown, lchown) \
	X(fchown, exit_fchown, fchown) \
	X(fchownat, exit_fchownat, fchownat) \
	X(chdir, exit_chdir, chdir) \
	X(fchdir, exit_fchdir, fchdir) \
	X(mount, exit_mount, mount) \
	X(umount2, exit_umount2, umount) \
	X(init_module, exit_init_module, init_module) \
	X(finit_module, exit_finit_module, finit_module) \
	X(memfd_create, exit_memfd_create, memfd_create) \
	X(read, exit_read, read) \
	X(write, exit_write, write) \
	X(pread64, exit_pread64, pread64) \
	X(pwrite64, exit_pwrite64, pwrite64) \
	X(readv, exit_readv, readv) \
	X(writev, exit_writev, writev) \
	X(preadv, exit_preadv, preadv) \
	X(pwritev, exit_pwritev, pwritev) \
	X(socket, exit_socket, socket) \
	X(bind, exit_bind, bind) \
	X(listen, exit_listen, listen) \
	X(connect, exit_connect, connect) \
	X(accept, exit_accept, accept) \
	X(accept4, exit_accept4, accept4) \
	X(sendto, exit_sendto, sendto) \
	X(recvfrom, exit_recvfrom, recvfrom) \
	X(sendmsg, exit_sendmsg, sendmsg) \
	X(recvmsg, exit_recvmsg, recvmsg) \
	X(sendmmsg, exit_sendmmsg, sendmmsg) \
	X(recvmmsg, exit_recvmmsg, recvmmsg) \
	X(ptrace, exit_ptrace, ptrace) \
	X(setuid, exit_setuid, setuid) \
	X(setgid, exit_setgid, setgid) \
	X(setreuid, exit_setreuid, setreuid) \
	X(setregid, exit_setregid, setregid) \
	X(setresuid, exit_setresuid, setresuid) \
	X(setresgid, exit_setresgid, setresgid) \
	X(kill, exit_kill, kill) \
	X(tkill, exit_tkill, tkill) \
	X(tgkill, exit_tgkill, tgkill) \
	X(setns, exit_setns, setns) \
	X(unshare, exit_unshare, unshare) \
	X(bpf, exit_bpf, bpf) \
	X(userfaultfd, exit_userfaultfd, userfaultfd) \
	X(truncate, exit_generic, truncate) \
	X(ftruncate, exit_generic, ftruncate) \
	X(futimesat, exit_generic, futimesat) \
	X(utimensat, exit_generic, utimensat) \
	X(fchmodat2, exit_generic, fchmodat2)

#endif
