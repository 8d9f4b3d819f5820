/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building one event in libscap's layout inside a per-CPU scratch buffer, then copying it to the
 * ring buffer in one piece:
 *
 *   header  ts u64 | tid u64 | len u32 | type u16 | nparams u32      (26 bytes, packed)
 *   lengths one u16 per parameter, in parameter order
 *   data    the parameters back to back
 *
 * Every write offset is masked with HARRIER_EVENT_MAX - 1 and every write is at most
 * PARAM_MAX bytes, so the verifier can prove it stays inside the scratch buffer; an event
 * that outgrows HARRIER_EVENT_MAX is dropped at submit time instead.
 */
#ifndef HARRIER_EVENT_BUFFER_H
#define HARRIER_EVENT_BUFFER_H

#define HEADER_SIZE 26
#define OFFSET_MASK (HARRIER_EVENT_MAX - 1)
/* Longest single string or byte buffer parameter. */
#define PARAM_MAX 4096
#define SCRATCH_SIZE (HARRIER_EVENT_MAX + 2 * PARAM_MAX)

struct event_buffer {
	__u8 data[SCRATCH_SIZE];
	/* A second area for staging reads (sockaddrs, pointer arrays) outside `data`. */
	__u8 stage[PARAM_MAX];
	__u32 payload_pos;
	__u32 lengths_pos;
	__u32 family;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized to the number of possible CPUs by the loader */
	__type(key, __u32);
	__type(value, struct event_buffer);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HARRIER_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct harrier_stats);
} probe_stats SEC(".maps");

/* Offset from boot time to the epoch in ns, the loader's tgid and the tgid of the Harrier
 * process reading it (whose own reads of the event pipe would otherwise feed back into
 * capture); all set before loading, 0 when unused. */
const volatile __u64 boot_to_epoch_ns = 0;
const volatile __u32 loader_tgid = 0;
const volatile __u32 reader_tgid = 0;

static __always_inline void count(enum harrier_counter counter) {
	__u32 zero = 0;
	struct harrier_stats *stats = bpf_map_lookup_elem(&probe_stats, &zero);

	if (stats && counter < HC_COUNTER_COUNT)
		stats->counters[counter]++;
}

struct scap_header {
	__u64 ts;
	__u64 tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
} __attribute__((packed));

/* Starts an event of `type` with `nparams` parameters; `family` picks the drop counter. */
static __always_inline struct event_buffer *ev_begin(__u16 type, __u32 nparams,
						     enum harrier_counter family) {
	__u32 cpu = bpf_get_smp_processor_id();
	struct event_buffer *b = bpf_map_lookup_elem(&scratch, &cpu);

	if (!b) {
		count(HC_DROP_NO_SCRATCH);
		return 0;
	}
	struct scap_header header = {
		.ts = boot_to_epoch_ns + bpf_ktime_get_boot_ns(),
		.tid = bpf_get_current_pid_tgid() & 0xffffffff,
		.type = type,
		.nparams = nparams,
	};
	__builtin_memcpy(b->data, &header, sizeof(header));
	b->lengths_pos = HEADER_SIZE;
	b->payload_pos = HEADER_SIZE + nparams * 2;
	b->family = family;
	return b;
}

static __always_inline void ev_len(struct event_buffer *b, __u16 len) {
	__u32 at = b->lengths_pos;

	*(__u16 *)&b->data[at & OFFSET_MASK] = len;
	b->lengths_pos = at + 2;
}

static __always_inline void ev_empty(struct event_buffer *b) {
	ev_len(b, 0);
}

/* Writes raw bytes of a fixed-size value without recording a parameter length. */
#define EV_PUT(b, type, value)                                       \
	do {                                                         \
		__u32 at_ = (b)->payload_pos;                        \
		*(type *)&(b)->data[at_ & OFFSET_MASK] = (value);    \
		(b)->payload_pos = at_ + sizeof(type);               \
	} while (0)

static __always_inline void ev_u8(struct event_buffer *b, __u8 v) {
	EV_PUT(b, __u8, v);
	ev_len(b, 1);
}

static __always_inline void ev_u16(struct event_buffer *b, __u16 v) {
	EV_PUT(b, __u16, v);
	ev_len(b, 2);
}

static __always_inline void ev_u32(struct event_buffer *b, __u32 v) {
	EV_PUT(b, __u32, v);
	ev_len(b, 4);
}

static __always_inline void ev_u64(struct event_buffer *b, __u64 v) {
	EV_PUT(b, __u64, v);
	ev_len(b, 8);
}

/* PT_ERRNO, PT_PID, PT_FD and PT_INT64 are all signed 64-bit values. */
static __always_inline void ev_s64(struct event_buffer *b, __s64 v) {
	ev_u64(b, (__u64)v);
}

/*
 * Copies a NUL-terminated string of at most `max` bytes (NUL included, `max` <= PARAM_MAX)
 * without recording a length; returns bytes copied with NUL.
 */
static __always_inline __u32 ev_put_str_max(struct event_buffer *b, const void *ptr, int user,
					    __u32 max) {
	__u32 at = b->payload_pos;
	long n;

	if (!ptr || max == 0 || max > PARAM_MAX)
		return 0;
	if (user)
		n = bpf_probe_read_user_str(&b->data[at & OFFSET_MASK], max, ptr);
	else
		n = bpf_probe_read_kernel_str(&b->data[at & OFFSET_MASK], max, ptr);
	if (n <= 0)
		return 0;
	b->payload_pos = at + (__u32)n;
	return (__u32)n;
}

static __always_inline __u32 ev_put_str(struct event_buffer *b, const void *ptr, int user) {
	return ev_put_str_max(b, ptr, user, PARAM_MAX);
}

/* A PT_CHARBUF or PT_FSPATH parameter from user (`user` = 1) or kernel memory. */
static __always_inline __u32 ev_str(struct event_buffer *b, const void *ptr, int user) {
	__u32 n = ev_put_str(b, ptr, user);

	ev_len(b, (__u16)n);
	return n;
}

/* Copies `size` bytes (at most PARAM_MAX) without recording a length; 0 when unreadable. */
static __always_inline __u32 ev_put_bytes(struct event_buffer *b, const void *ptr, __u32 size,
					  int user) {
	__u32 at = b->payload_pos;
	long err;

	if (!ptr || size == 0)
		return 0;
	if (size > PARAM_MAX)
		size = PARAM_MAX;
	/* keeps clang from folding away the mask below, which the verifier needs to see */
	barrier_var(size);
	if (user)
		err = bpf_probe_read_user(&b->data[at & OFFSET_MASK], size & (PARAM_MAX * 2 - 1), ptr);
	else
		err = bpf_probe_read_kernel(&b->data[at & OFFSET_MASK], size & (PARAM_MAX * 2 - 1),
					    ptr);
	if (err)
		return 0;
	b->payload_pos = at + size;
	return size;
}

/* A PT_BYTEBUF parameter. */
static __always_inline void ev_bytes(struct event_buffer *b, const void *ptr, __u32 size,
				     int user) {
	ev_len(b, (__u16)ev_put_bytes(b, ptr, size, user));
}

/* LIMIT: data and size parameters look at the first 32 iovecs of a call, as libscap's do. */
#define MAX_IOVECS 32

struct iovec_walk {
	struct event_buffer *b;
	const struct iovec *iov;
	__u64 count;
	/* data: bytes still to copy; size: the running total of iov_len */
	__u64 left;
	__u64 total;
};

static long copy_one_iovec(__u32 i, void *context) {
	struct iovec_walk *walk = context;
	struct iovec item = {};

	if (!walk->b || i >= walk->count || walk->left == 0 ||
	    bpf_probe_read_user(&item, sizeof(item), &walk->iov[i]))
		return 1;
	__u32 want = item.iov_len < walk->left ? item.iov_len : walk->left;
	if (want && ev_put_bytes(walk->b, item.iov_base, want, 1) != want)
		return 1;
	walk->left -= want;
	return 0;
}

static long add_one_iovec(__u32 i, void *context) {
	struct iovec_walk *walk = context;
	__u64 length = 0;

	if (i >= walk->count ||
	    bpf_probe_read_user(&length, sizeof(length), &walk->iov[i].iov_len))
		return 1;
	walk->total += length;
	return 0;
}

/* A PT_BYTEBUF parameter: the first `limit` bytes of the buffers of a user iovec array. */
static __always_inline void ev_iovec_data(struct event_buffer *b, const void *iov, __u64 count,
					  __u32 limit) {
	struct iovec_walk walk = {.b = b, .iov = iov, .count = count, .left = limit};
	__u32 start = b->payload_pos;

	if (iov)
		bpf_loop(MAX_IOVECS, copy_one_iovec, &walk, 0);
	ev_len(b, (__u16)(b->payload_pos - start));
}

/* The bytes a user iovec array describes (its first MAX_IOVECS buffers). */
static __always_inline __u32 iovec_size(const void *iov, __u64 count) {
	struct iovec_walk walk = {.iov = iov, .count = count};

	if (iov)
		bpf_loop(MAX_IOVECS, add_one_iovec, &walk, 0);
	return (__u32)walk.total;
}

/* Overwrites the byte just before the write position (turns a NUL into a separator). */
static __always_inline void ev_replace_last(struct event_buffer *b, __u8 c) {
	__u32 at = b->payload_pos - 1;

	b->data[at & OFFSET_MASK] = c;
}

static __always_inline void ev_submit(struct event_buffer *b) {
	__u32 len = b->payload_pos;

	if (len > HARRIER_EVENT_MAX) {
		count(HC_DROP_TOO_LARGE);
		return;
	}
	((struct scap_header *)b->data)->len = len;
	/*
	 * Waking the reader takes an interrupt on this CPU (a VM exit under a hypervisor), and even
	 * asking the ring whether to wake costs a helper call per event; the reader polls instead.
	 */
	if (bpf_ringbuf_output(&events, b->data, len, BPF_RB_NO_WAKEUP)) {
		count(b->family);
		return;
	}
	count(HC_EVENTS_SENT);
}

#endif
