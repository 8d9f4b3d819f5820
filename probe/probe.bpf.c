/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Harrier's eBPF probe. The loader attaches each syscall's handler to that syscall's
 * `syscalls:sys_exit_*` tracepoint, for the syscalls the rules and the state engine need, so
 * every other syscall costs the kernel one bitmap test and no program run. A handler builds a
 * libscap-layout exit event and copies it to the `events` ring buffer.
 *
 * A syscall this kernel does not implement (init_module without CONFIG_MODULES) has no such
 * tracepoint. Only on request (`--watch-unimplemented`) are those watched, through
 * `sys_exit_raw` on the raw sys_exit tracepoint, which runs for every syscall of every process
 * (about 0.1 to 0.3 us each): the reason it is not the default.
 *
 * sched_process_exec reports successful execs (the new image's argv, env and exe facts);
 * sched_process_exit reports process exits (procexit). Enter events are not produced: as in
 * libscap's modern probe, each exit event carries every parameter of the call.
 * sched_process_fork is not needed on x86_64: a new thread returns from clone through the
 * clone's exit tracepoint, which reports its side of the clone (res = 0).
 *
 * LIMIT: syscalls without a handler here (mprotect, ioctl, ...) produce no event; the loader
 * attaches nothing for them. 32-bit (ia32) syscalls of compat processes produce no event either:
 * the syscall tracepoints skip them on x86_64.
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
#include "syscall_handlers.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/*
 * One byte per filter slot: HARRIER_SLOT_ALL or HARRIER_SLOT_SUCCEEDED when the slot is on, with
 * HARRIER_SLOT_RAW added for a syscall served by `sys_exit_raw`; 0 when off.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HARRIER_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} enabled_events SEC(".maps");

static __always_inline int slot_enabled(__u32 slot) {
	__u8 *on = bpf_map_lookup_elem(&enabled_events, &slot);

	return on && (*on & (HARRIER_SLOT_ALL | HARRIER_SLOT_SUCCEEDED));
}

static __always_inline int is_loader_tgid(__u32 tgid) {
	return (loader_tgid && tgid == loader_tgid) || (reader_tgid && tgid == reader_tgid);
}

static __always_inline int is_loader(void) {
	return is_loader_tgid(bpf_get_current_pid_tgid() >> 32);
}

/*
 * Whether the exit of syscall `id` with result `ret` in process `tgid`, seen on the path `raw`
 * (0 or HARRIER_SLOT_RAW), becomes an event: the slot is on and served by this path, the
 * caller is not Harrier, and a failed call is wanted.
 */
static __always_inline int exit_wanted(__u32 id, long ret, __u8 raw, __u32 tgid) {
	__u8 *slot = id < HARRIER_SYSCALL_SLOTS ? bpf_map_lookup_elem(&enabled_events, &id) : 0;

	if (!slot || (*slot & HARRIER_SLOT_RAW) != raw ||
	    !(*slot & (HARRIER_SLOT_ALL | HARRIER_SLOT_SUCCEEDED)) || is_loader_tgid(tgid))
		return 0;
	if ((*slot & HARRIER_SLOT_SUCCEEDED) && ret < 0) {
		count(HC_SKIPPED_FAILED);
		return 0;
	}
	return 1;
}

/*
 * The x86_64 syscall argument `index` (0-based) from the saved user registers, which still hold
 * the arguments when the syscall returns. `regs` is a BTF pointer, so its fields are plain
 * loads, not probe-read helper calls.
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

/* The record of a `syscalls:sys_exit_*` tracepoint, laid out as its format file says. */
struct syscall_exit_record {
	__u64 common;
	__s32 nr;
	__s64 ret;
};

/*
 * An exit handler: the event builder `<name>_event(regs, ret)` whose body follows the macro, and
 * the two programs that call it: `<name>`, which the loader attaches to the syscall's own
 * tracepoint (no dispatcher, no tail call: every helper call counts at this rate), and
 * `<name>_raw`, reached by tail call from `sys_exit_raw` (loaded only when the raw path is).
 */
#define EXIT_HANDLER(name)                                                                 \
	static __always_inline int name##_event(struct pt_regs *regs, long ret);           \
	SEC("tracepoint")                                                                  \
	int name(struct syscall_exit_record *ctx) {                                        \
		struct task_struct *task = bpf_get_current_task_btf();                     \
                                                                                           \
		if (!exit_wanted(ctx->nr, ctx->ret, 0, task->tgid))                        \
			return 0;                                                          \
		return name##_event((struct pt_regs *)bpf_task_pt_regs(task), ctx->ret);   \
	}                                                                                  \
	SEC("tp_btf/sys_exit")                                                             \
	int BPF_PROG(name##_raw, struct pt_regs *regs, long ret) {                         \
		return name##_event(regs, ret);                                            \
	}                                                                                  \
	static __always_inline int name##_event(struct pt_regs *regs, long ret)

#include "process_events.h"
#include "file_events.h"
#include "net_events.h"
#include "system_events.h"

/* Handlers by syscall number for `sys_exit_raw`, filled by the loader when it loads them. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, HARRIER_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} raw_exit_handlers SEC(".maps");

/* x86's TS_COMPAT: the task is in a 32-bit syscall, whose number is not an x86_64 one. */
#define LX_TS_COMPAT 0x0002

/* The raw path for syscalls without a tracepoint; runs for every syscall while attached. */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret) {
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 id = (__u32)regs->orig_ax;

	if ((task->thread_info.status & LX_TS_COMPAT) ||
	    !exit_wanted(id, ret, HARRIER_SLOT_RAW, task->tgid))
		return 0;
	bpf_tail_call(ctx, &raw_exit_handlers, id);
	count(HC_NO_HANDLER);
	return 0;
}
