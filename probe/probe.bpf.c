/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Harrier's eBPF probe. One program on raw_syscalls/sys_exit (tp_btf) drops every syscall that
 * is not switched on in `enabled_events`, then tail-calls the handler for that syscall, which
 * builds a libscap-layout exit event and copies it to the `events` ring buffer.
 * sched_process_exec reports successful execs (the new image's argv, env and exe facts);
 * sched_process_exit reports process exits (procexit).
 *
 * Enter events are not produced: as in libscap's modern probe, each exit event carries every
 * parameter of the call. sched_process_fork is not needed on x86_64: a new thread returns from
 * clone through sys_exit, which reports its side of the clone (res = 0).
 *
 * LIMIT: syscalls without a handler here (mprotect, ioctl, ...) produce no event. Userspace
 * selects only the syscalls listed below; any other that passes the filter is counted as
 * no_handler.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <asm/unistd_64.h>

#include "harrier_probe.h"
#include "scap_codes.h"
#include "event_buffer.h"
#include "task_facts.h"
#include "exe_facts.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* One byte per filter slot: HARRIER_SLOT_OFF, HARRIER_SLOT_ALL or HARRIER_SLOT_SUCCEEDED. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HARRIER_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} enabled_events SEC(".maps");

static __always_inline int slot_enabled(__u32 slot) {
	__u8 *on = bpf_map_lookup_elem(&enabled_events, &slot);

	return on && *on;
}

static __always_inline int is_loader(void) {
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return (loader_tgid && tgid == loader_tgid) || (reader_tgid && tgid == reader_tgid);
}

/*
 * The x86_64 syscall argument `index` (0-based) from the saved user registers. `regs` is the
 * tracepoint's BTF-typed argument, so its fields are plain loads, not probe-read helper calls.
 */
static __always_inline __u64 syscall_arg(struct pt_regs *regs, int index) {
	switch (index) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}

/* A handler reached by tail call from `sys_exit`; the loader never attaches it itself. */
#define EXIT_HANDLER(name) \
	SEC("tp_btf/sys_exit") int BPF_PROG(name, struct pt_regs *regs, long ret)

#include "process_events.h"
#include "file_events.h"
#include "net_events.h"
#include "system_events.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, HARRIER_SYSCALL_SLOTS);
	__type(key, __u32);
	__array(values, int(void *));
} exit_handlers SEC(".maps") = {
	.values = {
		[__NR_execve] = (void *)&exit_execve,
		[__NR_execveat] = (void *)&exit_execveat,
		[__NR_clone] = (void *)&exit_clone,
		[__NR_clone3] = (void *)&exit_clone3,
		[__NR_prctl] = (void *)&exit_prctl,
		[__NR_fork] = (void *)&exit_fork,
		[__NR_vfork] = (void *)&exit_vfork,
		[__NR_open] = (void *)&exit_open,
		[__NR_openat] = (void *)&exit_openat,
		[__NR_openat2] = (void *)&exit_openat2,
		[__NR_creat] = (void *)&exit_creat,
		[__NR_close] = (void *)&exit_close,
		[__NR_dup] = (void *)&exit_dup,
		[__NR_dup2] = (void *)&exit_dup2,
		[__NR_dup3] = (void *)&exit_dup3,
		[__NR_unlink] = (void *)&exit_unlink,
		[__NR_unlinkat] = (void *)&exit_unlinkat,
		[__NR_rename] = (void *)&exit_rename,
		[__NR_renameat] = (void *)&exit_renameat,
		[__NR_renameat2] = (void *)&exit_renameat2,
		[__NR_link] = (void *)&exit_link,
		[__NR_linkat] = (void *)&exit_linkat,
		[__NR_symlink] = (void *)&exit_symlink,
		[__NR_symlinkat] = (void *)&exit_symlinkat,
		[__NR_mkdir] = (void *)&exit_mkdir,
		[__NR_mkdirat] = (void *)&exit_mkdirat,
		[__NR_rmdir] = (void *)&exit_rmdir,
		[__NR_chmod] = (void *)&exit_chmod,
		[__NR_fchmod] = (void *)&exit_fchmod,
		[__NR_fchmodat] = (void *)&exit_fchmodat,
		[__NR_chown] = (void *)&exit_chown,
		[__NR_lchown] = (void *)&exit_lchown,
		[__NR_fchown] = (void *)&exit_fchown,
		[__NR_fchownat] = (void *)&exit_fchownat,
		[__NR_chdir] = (void *)&exit_chdir,
		[__NR_fchdir] = (void *)&exit_fchdir,
		[__NR_mount] = (void *)&exit_mount,
		[__NR_umount2] = (void *)&exit_umount2,
		[__NR_init_module] = (void *)&exit_init_module,
		[__NR_finit_module] = (void *)&exit_finit_module,
		[__NR_memfd_create] = (void *)&exit_memfd_create,
		[__NR_read] = (void *)&exit_read,
		[__NR_write] = (void *)&exit_write,
		[__NR_pread64] = (void *)&exit_pread64,
		[__NR_pwrite64] = (void *)&exit_pwrite64,
		[__NR_readv] = (void *)&exit_readv,
		[__NR_writev] = (void *)&exit_writev,
		[__NR_preadv] = (void *)&exit_preadv,
		[__NR_pwritev] = (void *)&exit_pwritev,
		[__NR_socket] = (void *)&exit_socket,
		[__NR_bind] = (void *)&exit_bind,
		[__NR_listen] = (void *)&exit_listen,
		[__NR_connect] = (void *)&exit_connect,
		[__NR_accept] = (void *)&exit_accept,
		[__NR_accept4] = (void *)&exit_accept4,
		[__NR_sendto] = (void *)&exit_sendto,
		[__NR_recvfrom] = (void *)&exit_recvfrom,
		[__NR_sendmsg] = (void *)&exit_sendmsg,
		[__NR_recvmsg] = (void *)&exit_recvmsg,
		[__NR_sendmmsg] = (void *)&exit_sendmmsg,
		[__NR_recvmmsg] = (void *)&exit_recvmmsg,
		[__NR_ptrace] = (void *)&exit_ptrace,
		[__NR_setuid] = (void *)&exit_setuid,
		[__NR_setgid] = (void *)&exit_setgid,
		[__NR_setreuid] = (void *)&exit_setreuid,
		[__NR_setregid] = (void *)&exit_setregid,
		[__NR_setresuid] = (void *)&exit_setresuid,
		[__NR_setresgid] = (void *)&exit_setresgid,
		[__NR_kill] = (void *)&exit_kill,
		[__NR_tkill] = (void *)&exit_tkill,
		[__NR_tgkill] = (void *)&exit_tgkill,
		[__NR_setns] = (void *)&exit_setns,
		[__NR_unshare] = (void *)&exit_unshare,
		[__NR_bpf] = (void *)&exit_bpf,
		[__NR_userfaultfd] = (void *)&exit_userfaultfd,
		[__NR_truncate] = (void *)&exit_generic,
		[__NR_ftruncate] = (void *)&exit_generic,
		[__NR_futimesat] = (void *)&exit_generic,
		[__NR_utimensat] = (void *)&exit_generic,
		[__NR_fchmodat2] = (void *)&exit_generic,
	},
};

/*
 * LIMIT: every syscall of every process passes this tracepoint, selected or not (about 0.15 us
 * each on the bench machine, a third of what the probe adds to an open+close loop). Programs
 * attached per syscall (fexit) would spare the unselected ones, but a new thread's first
 * return from clone is seen only here.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret) {
	__u32 id = (__u32)regs->orig_ax;

	/* The filter comes first so that unwanted syscalls cost one map lookup. */
	__u8 *slot = id < HARRIER_SYSCALL_SLOTS ? bpf_map_lookup_elem(&enabled_events, &id) : 0;

	if (!slot || *slot == HARRIER_SLOT_OFF || is_loader())
		return 0;
	if (*slot == HARRIER_SLOT_SUCCEEDED && ret < 0) {
		count(HC_SKIPPED_FAILED);
		return 0;
	}
	bpf_tail_call(ctx, &exit_handlers, id);
	count(HC_NO_HANDLER);
	return 0;
}
