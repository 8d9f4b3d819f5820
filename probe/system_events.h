/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signals (kill, tkill, tgkill), namespace changes (setns, unshare), kernel interfaces rules
 * watch (bpf, userfaultfd), and the syscalls libscap reports as generic events because its
 * table has no event of their own (truncate, ftruncate, futimesat, utimensat, fchmodat2).
 * Parameter order follows libscap's event table for each exit event.
 */
#ifndef HARRIER_SYSTEM_EVENTS_H
#define HARRIER_SYSTEM_EVENTS_H

/* A PT_PID parameter from a pid_t argument. */
static __always_inline __s64 pid_arg(struct pt_regs *regs, int index) {
	return (__s64)(__s32)syscall_arg(regs, index);
}

/* kill and tkill: res, pid (or tid), sig. PT_SIGTYPE is the signal number in a u8. */
static __always_inline int signal_exit(struct pt_regs *regs, long ret, __u16 type) {
	struct event_buffer *b = ev_begin(type, 3, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, pid_arg(regs, 0));
	ev_u8(b, (__u8)syscall_arg(regs, 1));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_kill) { return signal_exit(regs, ret, SCAP_KILL_X); }
EXIT_HANDLER(exit_tkill) { return signal_exit(regs, ret, SCAP_TKILL_X); }

EXIT_HANDLER(exit_tgkill) {
	struct event_buffer *b = ev_begin(SCAP_TGKILL_X, 4, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, pid_arg(regs, 0));                  /* pid (thread group) */
	ev_s64(b, pid_arg(regs, 1));                  /* tid */
	ev_u8(b, (__u8)syscall_arg(regs, 2));         /* sig */
	ev_submit(b);
	return 0;
}

/* setns: res, fd, nstype (CLONE_NEW* bits in scap's clone-flag encoding). */
EXIT_HANDLER(exit_setns) {
	struct event_buffer *b = ev_begin(SCAP_SETNS_X, 3, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_u32(b, scap_clone_flags((__u32)syscall_arg(regs, 1)));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_unshare) {
	struct event_buffer *b = ev_begin(SCAP_UNSHARE_X, 2, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_u32(b, scap_clone_flags((__u32)syscall_arg(regs, 0)));
	ev_submit(b);
	return 0;
}

/* bpf: the result (often a new fd) and the command, whose numbers scap keeps as they are. */
EXIT_HANDLER(exit_bpf) {
	struct event_buffer *b = ev_begin(SCAP_BPF_2_X, 2, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_u32(b, (__u32)syscall_arg(regs, 0));
	ev_submit(b);
	return 0;
}

/* userfaultfd: res and the flags argument, passed through unconverted as libscap does. */
EXIT_HANDLER(exit_userfaultfd) {
	struct event_buffer *b = ev_begin(SCAP_USERFAULTFD_X, 2, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_u32(b, (__u32)syscall_arg(regs, 0));
	ev_submit(b);
	return 0;
}

/*
 * A generic event: the syscall's PPM_SC code and its native number, nothing else (no result,
 * no arguments), which is all libscap's drivers report for these syscalls. evt.type shows the
 * syscall's name.
 */
EXIT_HANDLER(exit_generic) {
	__u32 id = (__u32)BPF_CORE_READ(regs, orig_ax);
	struct event_buffer *b = ev_begin(SCAP_GENERIC_X, 2, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_u16(b, scap_generic_syscall_code(id));
	ev_u16(b, (__u16)id);
	ev_submit(b);
	return 0;
}

#endif
