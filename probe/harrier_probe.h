/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Definitions shared by the eBPF programs (probe.bpf.c) and the userspace loader (loader.c).
 * Both sides include this file, so it uses only fixed-width types that exist in each.
 */
#ifndef HARRIER_PROBE_H
#define HARRIER_PROBE_H

/*
 * Filter slots in the `enabled_events` map. Slots 0..SYSCALL_SLOTS-1 are x86_64 syscall numbers;
 * the slots above them switch on events that do not come from a syscall.
 */
#define HARRIER_SYSCALL_SLOTS 512
#define HARRIER_SLOT_PROCEXIT 512
#define HARRIER_FILTER_SLOTS 1024

/* Largest event the probe builds; bigger events are dropped and counted as too large. */
#define HARRIER_EVENT_MAX (64 * 1024)

/* Bytes of syscall data (read/write/sendto/sendmsg buffers) copied into an event. */
#define HARRIER_SNAPLEN 80

/* Ring buffer size in bytes (a power of two, a multiple of the page size). */
#define HARRIER_RINGBUF_BYTES (16 * 1024 * 1024)

/*
 * Values of a filter slot: off, every call reported, or only calls that succeeded (return value
 * >= 0), for syscalls whose failures no loaded rule can match and the state engine ignores.
 * The loader adds HARRIER_SLOT_RAW to a syscall it serves through the raw sys_exit tracepoint
 * because the kernel has no tracepoint of its own for it.
 */
#define HARRIER_SLOT_OFF 0
#define HARRIER_SLOT_ALL 1
#define HARRIER_SLOT_SUCCEEDED 2
#define HARRIER_SLOT_RAW 4

/*
 * The reader of the ring buffer is never woken by the probe: it reads every HARRIER_POLL_MS, and
 * at once again while a read leaves events behind. The 16 MiB ring holds 5 ms of over 3 GB/s.
 */
#define HARRIER_POLL_MS 5

/*
 * Why an event never reached the ring buffer, or was counted on its way there. One slot of the
 * per-CPU `probe_stats` map holds these counters for a CPU; the loader adds the CPUs up.
 */
enum harrier_counter {
	/*
	 * Events the probe started to build (after the filter): the loader sums it from the sent
	 * and dropped ones, which saves a counter update on every event.
	 */
	HC_EVENTS_SEEN = 0,
	/* Events written to the ring buffer. */
	HC_EVENTS_SENT,
	/* Ring buffer full, by event family. */
	HC_DROP_FULL_PROC,
	HC_DROP_FULL_FILE,
	HC_DROP_FULL_NET,
	HC_DROP_FULL_CLOSE,
	HC_DROP_FULL_OTHER,
	/* The event grew past HARRIER_EVENT_MAX. */
	HC_DROP_TOO_LARGE,
	/* No per-CPU scratch buffer (never expected). */
	HC_DROP_NO_SCRATCH,
	/* Syscalls the raw path let through but found no handler for (never expected). */
	HC_NO_HANDLER,
	/* Failed calls of syscalls switched on for successful calls only (filtered, not dropped). */
	HC_SKIPPED_FAILED,
	HC_COUNTER_COUNT
};

struct harrier_stats {
	__u64 counters[HC_COUNTER_COUNT];
};

#endif
