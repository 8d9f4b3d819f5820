// SPDX-License-Identifier: Apache-2.0
/*
 * harrier-probe: loads Harrier's eBPF probe, then streams its events to stdout as frames.
 *
 * Frame: u32 payload length | u32 kind | payload (little-endian throughout)
 *   kind 1 EVENT  payload = one libscap-layout event (header, u16 lengths, data)
 *   kind 2 STATS  payload = u32 count | u32 token | count x u64 counters (order in stats_names);
 *                 token is 0, or the N of the `sync N` command the frame answers
 *   kind 3 READY  payload = u64 boot-to-epoch offset ns | u32 possible CPUs | u32 ring bytes |
 *                 u32 flags (bit 0: the raw sys_exit path is loaded) |
 *                 64-byte bitmap of handled syscalls without a syscalls:sys_exit_* tracepoint
 *                 (bit N of byte N/8: syscall N); without the raw path their calls are not seen
 *
 * Control (stdin, one command per line):
 *   syscalls N,N,...   replace the enabled filter slots (syscall numbers; 512 = procexit);
 *                      "Ns" reports only the calls of N that succeeded. Each enabled syscall
 *                      gets the probe attached to its syscalls:sys_exit_* tracepoint; one
 *                      without a tracepoint goes through the raw path when it is loaded
 *   stats              write a STATS frame now
 *   sync N             read the ring buffer dry (bounded), then write a STATS frame with token N:
 *                      every event captured before the command precedes that frame
 * End of stdin, SIGTERM or SIGINT stop the probe; a last STATS frame is written first, and
 * after a signal a last stderr line "harrier-probe: stopped by SIGTERM" (or SIGINT).
 *
 * Errors are one line on stderr starting with "harrier-probe: error:", and exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <asm/unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "harrier_probe.h"
#include "probe.skel.h"
#include "syscall_handlers.h"

enum frame_kind { FRAME_EVENT = 1, FRAME_STATS = 2, FRAME_READY = 3 };

#define OUT_CAPACITY (1024 * 1024)
#define OUT_FLUSH_AT (OUT_CAPACITY - HARRIER_EVENT_MAX - 64)

static const char *stats_names[] = {
	"ts_ns", "events_seen", "events_sent", "drops_full_proc", "drops_full_file",
	"drops_full_net", "drops_full_close", "drops_full_other", "drops_too_large",
	"drops_no_scratch", "no_handler", "skipped_failed", "frames_written",
};
#define STATS_COUNT (sizeof(stats_names) / sizeof(stats_names[0]))

static struct {
	unsigned char *data;
	size_t used;
	int broken;
} out;

/* The syscalls:sys_exit_* tracepoint of each handled syscall. */
#define TRACEPOINT_NAME(syscall, handler, tracepoint) [__NR_##syscall] = "sys_exit_" #tracepoint,
static const char *const exit_tracepoints[HARRIER_SYSCALL_SLOTS] = {
	HARRIER_EXIT_HANDLERS(TRACEPOINT_NAME)
};
#undef TRACEPOINT_NAME

/* The handler program of each handled syscall, and its `_raw` twin (from the skeleton). */
static struct bpf_program *exit_programs[HARRIER_SYSCALL_SLOTS];
static struct bpf_program *raw_exit_programs[HARRIER_SYSCALL_SLOTS];

static void find_exit_programs(struct probe_bpf *skel) {
#define PROGRAM_ROW(syscall, handler, tracepoint)                            \
	exit_programs[__NR_##syscall] = skel->progs.handler;                 \
	raw_exit_programs[__NR_##syscall] = skel->progs.handler##_raw;
	HARRIER_EXIT_HANDLERS(PROGRAM_ROW)
#undef PROGRAM_ROW
}

/* Handled syscalls whose tracepoint this kernel lacks; the probe's link on each traced one. */
static uint8_t untraced[HARRIER_SYSCALL_SLOTS / 8];
static struct bpf_link *exit_links[HARRIER_SYSCALL_SLOTS];
/* Whether sys_exit_raw and the *_raw handlers are loaded (and sys_exit_raw attached). */
static int raw_path;

static int is_untraced(unsigned nr) {
	return untraced[nr / 8] & (1u << (nr % 8));
}

static volatile sig_atomic_t stop_requested;
/* The signal that asked the loader to stop, 0 when its stdin ended: named as it stops. */
static volatile sig_atomic_t stop_signal;
static uint64_t frames_written;
static char last_libbpf_message[512];

static void fail(const char *format, ...) {
	va_list args;

	fputs("harrier-probe: error: ", stderr);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Keeps the last meaningful line of libbpf's warnings so a failed load can quote the reason on
 * one line. For a refused program that is the verifier's final verdict, not the log banner.
 */
static int keep_libbpf_message(enum libbpf_print_level level, const char *format, va_list args) {
	static char text[65536];

	if (level == LIBBPF_DEBUG)
		return 0;
	static int have_verdict;
	int is_log;

	vsnprintf(text, sizeof(text), format, args);
	if (getenv("HARRIER_PROBE_VERBOSE"))
		fprintf(stderr, "harrier-probe: libbpf: %s", text);
	is_log = strstr(text, "BEGIN PROG LOAD LOG") != NULL;
	if (have_verdict && !is_log)
		return 0;
	have_verdict |= is_log;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, "PROG LOAD LOG") || strstr(line, "processed ") == line ||
		    strstr(line, "verification time") == line)
			continue;
		snprintf(last_libbpf_message, sizeof(last_libbpf_message), "%s", line);
	}
	return 0;
}

static void flush_output(void) {
	size_t done = 0;

	while (done < out.used && !out.broken) {
		ssize_t n = write(STDOUT_FILENO, out.data + done, out.used - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			out.broken = 1; /* the reader went away; stop quietly */
			stop_requested = 1;
			break;
		}
		done += (size_t)n;
	}
	out.used = 0;
}

static void put_frame(uint32_t kind, const void *payload, uint32_t size) {
	uint32_t header[2] = {size, kind};

	if (out.used + sizeof(header) + size > OUT_CAPACITY)
		flush_output();
	memcpy(out.data + out.used, header, sizeof(header));
	memcpy(out.data + out.used + sizeof(header), payload, size);
	out.used += sizeof(header) + size;
	frames_written++;
}

/*
 * Events taken per consume call. Under a storm the ring never empties, and an unbounded
 * consume would starve the stats frames and the command channel; a negative return makes
 * libbpf stop after this event (which it counts as consumed: its frame is already out).
 */
#define CONSUME_BATCH 65536
static unsigned consumed_in_call;
/* The events ring, for the sync command. */
static struct ring_buffer *events_ring;
/* Batches a sync drains at most: a storm that never lets the ring empty cannot stall it. */
#define SYNC_DRAIN_BATCHES 64

static int on_event(void *context, void *data, size_t size) {
	(void)context;
	put_frame(FRAME_EVENT, data, (uint32_t)size);
	if (out.used >= OUT_FLUSH_AT)
		flush_output();
	return ++consumed_in_call >= CONSUME_BATCH ? -EAGAIN : 0;
}

/* Takes at most CONSUME_BATCH events; true when the ring had more. */
static int consume_batch(struct ring_buffer *ring) {
	consumed_in_call = 0;
	return ring_buffer__consume(ring) == -EAGAIN;
}

static uint64_t clock_ns(clockid_t clock) {
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Adds the per-CPU kernel counters and appends the loader's own. */
static void collect_stats(struct probe_bpf *skel, int cpus, uint64_t *values) {
	struct harrier_stats per_cpu[cpus];
	__u32 zero = 0;

	memset(values, 0, STATS_COUNT * sizeof(uint64_t));
	values[0] = clock_ns(CLOCK_REALTIME);
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.probe_stats), &zero, per_cpu) == 0) {
		for (int cpu = 0; cpu < cpus; cpu++)
			for (int i = 0; i < HC_COUNTER_COUNT; i++)
				values[1 + i] += per_cpu[cpu].counters[i];
	}
	for (int i = HC_EVENTS_SENT; i <= HC_DROP_NO_SCRATCH; i++)
		values[1 + HC_EVENTS_SEEN] += values[1 + i];
	values[1 + HC_COUNTER_COUNT] = frames_written;
}

static void put_stats(struct probe_bpf *skel, int cpus, uint32_t token) {
	struct {
		uint32_t count;
		uint32_t token;
		uint64_t values[STATS_COUNT];
	} payload = {STATS_COUNT, token, {0}};

	collect_stats(skel, cpus, payload.values);
	put_frame(FRAME_STATS, &payload, sizeof(payload));
}

static void *destroy_link(void *link) {
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Detaching a syscall tracepoint waits for the kernel's grace periods (tens of milliseconds,
 * more under load). One after another, a few dozen would stall this loop for seconds while
 * the ring fills, so each detach runs on a thread of its own; waits that overlap share grace
 * periods. `thread` receives the thread to join, or NULL leaves it to finish alone.
 */
static void detach_in_background(struct bpf_link *link, pthread_t *thread) {
	pthread_t own;

	if (pthread_create(&own, NULL, destroy_link, link) != 0) {
		bpf_link__destroy(link);
		if (thread)
			*thread = 0;
		return;
	}
	if (thread)
		*thread = own;
	else
		pthread_detach(own);
}

/*
 * Attaches the handler of syscall `nr` to its tracepoint, or detaches it. Returns 0, or -errno
 * when the attach failed (the reason is in last_libbpf_message).
 */
static int set_exit_link(unsigned nr, int on) {
	if (on && !exit_links[nr]) {
		exit_links[nr] = bpf_program__attach_tracepoint(exit_programs[nr], "syscalls",
								exit_tracepoints[nr]);
		if (!exit_links[nr])
			return -errno;
	} else if (!on && exit_links[nr]) {
		detach_in_background(exit_links[nr], NULL);
		exit_links[nr] = NULL;
	}
	return 0;
}

/*
 * Replaces the enabled filter slots with a comma-separated list of numbers, each with an
 * optional "s" suffix for successful calls only, and attaches the probe to exactly the
 * tracepoints of the enabled syscalls. Returns 0, or -errno of the first failure; the other
 * slots are still applied.
 */
/*
 * --attach-only: the listed syscalls' tracepoints get their handlers but every slot stays off,
 * so no event is built. What the tracepoints alone cost a workload: the live bench's floor.
 */
static int attach_only;

static int apply_slots(struct probe_bpf *skel, const char *list) {
	int fd = bpf_map__fd(skel->maps.enabled_events), failure = 0;
	static __u8 wanted[HARRIER_FILTER_SLOTS];
	char *copy = strdup(list), *save = NULL;

	memset(wanted, 0, sizeof(wanted));
	for (char *item = strtok_r(copy, ", \t\r\n", &save); item;
	     item = strtok_r(NULL, ", \t\r\n", &save)) {
		char *end;
		long slot = strtol(item, &end, 10);
		int succeeded = *end == 's' && slot < HARRIER_SYSCALL_SLOTS;

		if ((*end && !succeeded) || (succeeded && end[1]) || end == item || slot < 0 ||
		    slot >= HARRIER_FILTER_SLOTS) {
			fprintf(stderr, "harrier-probe: warning: ignoring filter slot '%s'\n", item);
			continue;
		}
		wanted[slot] = succeeded ? HARRIER_SLOT_SUCCEEDED : HARRIER_SLOT_ALL;
	}
	free(copy);
	for (__u32 slot = 0; slot < HARRIER_FILTER_SLOTS; slot++) {
		int traced = slot < HARRIER_SYSCALL_SLOTS && exit_tracepoints[slot] && !is_untraced(slot);

		if (wanted[slot] && slot < HARRIER_SYSCALL_SLOTS && !traced)
			wanted[slot] |= HARRIER_SLOT_RAW;
		__u8 value = attach_only ? HARRIER_SLOT_OFF : wanted[slot];

		if (bpf_map_update_elem(fd, &slot, &value, BPF_ANY) && !failure)
			failure = -errno;
		if (traced) {
			int err = set_exit_link(slot, wanted[slot] != 0);

			if (err && !failure)
				failure = err;
			if (err)
				fprintf(stderr, "harrier-probe: warning: cannot attach to tracepoint "
						"syscalls/%s: %s (%s)\n", exit_tracepoints[slot],
					strerror(-err), last_libbpf_message);
		}
	}
	return failure;
}

/* Turns every filter slot off, leaving the programs attached. */
static void switch_all_off(struct probe_bpf *skel) {
	int fd = bpf_map__fd(skel->maps.enabled_events);
	__u8 off = HARRIER_SLOT_OFF;

	for (__u32 slot = 0; slot < HARRIER_FILTER_SLOTS; slot++)
		bpf_map_update_elem(fd, &slot, &off, BPF_ANY);
}

static void handle_command(struct probe_bpf *skel, int cpus, char *line) {
	line[strcspn(line, "\r\n")] = 0;
	if (strncmp(line, "syscalls", 8) == 0 && (line[8] == ' ' || line[8] == 0)) {
		int err = apply_slots(skel, line + 8);

		if (err)
			fprintf(stderr, "harrier-probe: warning: filter update failed: %s\n",
				strerror(-err));
	} else if (strcmp(line, "stats") == 0) {
		put_stats(skel, cpus, 0);
		flush_output();
	} else if (strncmp(line, "sync ", 5) == 0) {
		char *end;
		unsigned long token = strtoul(line + 5, &end, 10);

		if (*end || end == line + 5 || token == 0 || token > UINT32_MAX) {
			fprintf(stderr, "harrier-probe: warning: bad sync token '%s'\n", line + 5);
			return;
		}
		for (int i = 0; i < SYNC_DRAIN_BATCHES && consume_batch(events_ring); i++)
			;
		put_stats(skel, cpus, (uint32_t)token);
		flush_output();
	} else if (line[0]) {
		fprintf(stderr, "harrier-probe: warning: unknown command '%s'\n", line);
	}
}

/* Reads whatever stdin holds; returns 0 at end of input. */
static int read_commands(struct probe_bpf *skel, int cpus) {
	static char pending[65536];
	static size_t used;
	ssize_t n = read(STDIN_FILENO, pending + used, sizeof(pending) - 1 - used);

	if (n == 0)
		return 0;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	used += (size_t)n;
	pending[used] = 0;
	char *start = pending, *newline;
	while ((newline = strchr(start, '\n'))) {
		*newline = 0;
		handle_command(skel, cpus, start);
		start = newline + 1;
	}
	used -= (size_t)(start - pending);
	memmove(pending, start, used);
	if (used == sizeof(pending) - 1)
		used = 0; /* an absurdly long line: drop it */
	return 1;
}

static void check_environment(void) {
	struct stat info;

	if (geteuid() != 0)
		fail("must run as root (loading eBPF programs needs CAP_BPF and CAP_PERFMON); "
		     "run harrier with sudo");
	if (stat("/sys/kernel/btf/vmlinux", &info) != 0)
		fail("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); "
		     "a kernel built with CONFIG_DEBUG_INFO_BTF=y is required");
}

/*
 * The tracefs directory listing the syscall tracepoints, after mounting tracefs if it was not;
 * NULL with the reason in `why` when this kernel has none to offer.
 */
static const char *syscall_events_dir(char *why, size_t size) {
	static const char *const dirs[] = {"/sys/kernel/tracing/events/syscalls",
					   "/sys/kernel/debug/tracing/events/syscalls"};
	struct stat info;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (stat(dirs[i], &info) == 0)
			return dirs[i];
	if (stat("/sys/kernel/tracing/events", &info) != 0 &&
	    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0) {
		snprintf(why, size, "tracefs is not mounted and mounting it on /sys/kernel/tracing "
				    "failed (%s)", strerror(errno));
		return NULL;
	}
	if (stat(dirs[0], &info) == 0)
		return dirs[0];
	snprintf(why, size, "this kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS is off)");
	return NULL;
}

/* Marks the handled syscalls whose tracepoint is missing; returns how many there are. */
static int find_untraced(const char *events_dir) {
	int count = 0;

	for (unsigned nr = 0; nr < HARRIER_SYSCALL_SLOTS; nr++) {
		char path[256];
		struct stat info;

		if (!exit_tracepoints[nr])
			continue;
		snprintf(path, sizeof(path), "%s/%s", events_dir ? events_dir : "", exit_tracepoints[nr]);
		if (events_dir && stat(path, &info) == 0)
			continue;
		untraced[nr / 8] |= 1u << (nr % 8);
		count++;
	}
	return count;
}

/* Loads the raw path's programs only when it is used: each costs load time and memory. */
static void choose_raw_programs(struct probe_bpf *skel) {
	bpf_program__set_autoload(skel->progs.sys_exit_raw, raw_path);
	for (unsigned nr = 0; nr < HARRIER_SYSCALL_SLOTS; nr++)
		if (raw_exit_programs[nr])
			bpf_program__set_autoload(raw_exit_programs[nr], raw_path);
}

static void fill_raw_handlers(struct probe_bpf *skel) {
	int table = bpf_map__fd(skel->maps.raw_exit_handlers);

	for (__u32 nr = 0; nr < HARRIER_SYSCALL_SLOTS; nr++) {
		int fd = raw_exit_programs[nr] ? bpf_program__fd(raw_exit_programs[nr]) : -1;

		if (fd >= 0 && bpf_map_update_elem(table, &nr, &fd, BPF_ANY))
			fail("cannot fill the raw handler table: %s", strerror(errno));
	}
}

static void on_signal(int signal) {
	stop_signal = signal;
	stop_requested = 1;
}

static void usage(void) {
	fprintf(stderr, "usage: harrier-probe [--syscalls N,N,...] [--stats-ms MS]"
			" [--ringbuf-mb MB] [--no-ignore-self] [--ignore-tgid PID]"
			" [--watch-unimplemented] [--attach-only]\n");
	exit(2);
}

static struct bpf_link *attach_or_fail(struct bpf_program *program, const char *what) {
	struct bpf_link *link = bpf_program__attach(program);

	if (!link)
		fail("cannot attach to %s: %s (%s)", what, strerror(errno), last_libbpf_message);
	return link;
}

int main(int argc, char **argv) {
	const char *syscalls = "";
	long stats_ms = 1000, ringbuf_mb = HARRIER_RINGBUF_BYTES / (1024 * 1024);
	int ignore_self = 1, watch_unimplemented = 0;
	long reader_tgid = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--syscalls") == 0 && i + 1 < argc)
			syscalls = argv[++i];
		else if (strcmp(argv[i], "--stats-ms") == 0 && i + 1 < argc)
			stats_ms = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--ringbuf-mb") == 0 && i + 1 < argc)
			ringbuf_mb = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--no-ignore-self") == 0)
			ignore_self = 0;
		else if (strcmp(argv[i], "--ignore-tgid") == 0 && i + 1 < argc)
			reader_tgid = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--attach-only") == 0)
			attach_only = 1;
		else if (strcmp(argv[i], "--watch-unimplemented") == 0)
			watch_unimplemented = 1;
		else
			usage();
	}
	if (stats_ms <= 0 || ringbuf_mb <= 0 || (ringbuf_mb & (ringbuf_mb - 1)))
		fail("--stats-ms must be positive and --ringbuf-mb a power of two");
	check_environment();
	libbpf_set_print(keep_libbpf_message);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	char why[256] = "";
	const char *events_dir = syscall_events_dir(why, sizeof(why));
	int untraced_count = find_untraced(events_dir);

	if (!events_dir)
		fprintf(stderr, "harrier-probe: warning: %s; every syscall passes the raw sys_exit "
				"tracepoint instead, which slows every syscall of every process\n", why);
	raw_path = !events_dir || (watch_unimplemented && untraced_count > 0);

	int cpus = libbpf_num_possible_cpus();
	struct probe_bpf *skel = probe_bpf__open();
	if (!skel || cpus <= 0)
		fail("cannot open the eBPF object: %s (%s)", strerror(errno), last_libbpf_message);
	uint64_t offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	skel->rodata->boot_to_epoch_ns = offset;
	skel->rodata->loader_tgid = ignore_self ? (uint32_t)getpid() : 0;
	skel->rodata->reader_tgid = reader_tgid > 0 ? (uint32_t)reader_tgid : 0;
	bpf_map__set_max_entries(skel->maps.scratch, (uint32_t)cpus);
	bpf_map__set_max_entries(skel->maps.events, (uint32_t)(ringbuf_mb * 1024 * 1024));
	find_exit_programs(skel);
	choose_raw_programs(skel);
	if (probe_bpf__load(skel))
		fail("the kernel refused the eBPF probe: %s (%s)", strerror(errno),
		     last_libbpf_message);
	if (raw_path)
		fill_raw_handlers(skel);
	int err = apply_slots(skel, syscalls);
	if (err)
		fail("cannot set the syscall filter: %s (%s)", strerror(-err), last_libbpf_message);

	struct bpf_link *links[] = {
		attach_or_fail(skel->progs.sched_exec, "tracepoint sched/sched_process_exec"),
		attach_or_fail(skel->progs.sched_exit, "tracepoint sched/sched_process_exit"),
		raw_path ? attach_or_fail(skel->progs.sys_exit_raw, "tracepoint raw_syscalls/sys_exit")
			 : NULL,
	};
	out.data = malloc(OUT_CAPACITY);
	struct ring_buffer *ring =
		ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!ring || !out.data)
		fail("cannot open the ring buffer: %s", strerror(errno));
	events_ring = ring;

	struct {
		uint64_t offset;
		uint32_t cpus;
		uint32_t ring_bytes;
		uint32_t flags;
		uint8_t untraced[HARRIER_SYSCALL_SLOTS / 8];
	} __attribute__((packed)) ready = {offset, (uint32_t)cpus,
					    (uint32_t)(ringbuf_mb * 1024 * 1024), (uint32_t)raw_path,
					    {0}};
	memcpy(ready.untraced, untraced, sizeof(untraced));
	put_frame(FRAME_READY, &ready, sizeof(ready));
	flush_output();

	/* Only commands wake this loop: the probe never signals the ring (see HARRIER_POLL_MS). */
	struct pollfd command_fd = {.fd = STDIN_FILENO, .events = POLLIN};
	uint64_t next_stats = clock_ns(CLOCK_MONOTONIC) + (uint64_t)stats_ms * 1000000ull;
	int ring_has_more = 0;
	while (!stop_requested) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		int wait_ms = now >= next_stats ? 0 : (int)((next_stats - now) / 1000000ull) + 1;

		/* LIMIT: an event can wait up to HARRIER_POLL_MS here before it is read. */
		if (wait_ms > HARRIER_POLL_MS)
			wait_ms = HARRIER_POLL_MS;
		if (ring_has_more)
			wait_ms = 0;

		if (poll(&command_fd, 1, wait_ms) < 0 && errno != EINTR)
			fail("poll failed: %s", strerror(errno));
		ring_has_more = consume_batch(ring);
		if ((command_fd.revents & (POLLIN | POLLHUP)) && !read_commands(skel, cpus))
			stop_requested = 1;
		if (command_fd.revents & (POLLERR | POLLNVAL))
			command_fd.fd = -1;
		if (clock_ns(CLOCK_MONOTONIC) >= next_stats) {
			put_stats(skel, cpus, 0);
			next_stats += (uint64_t)stats_ms * 1000000ull;
		}
		flush_output();
	}

	/*
	 * Quiet first: with every slot off the handlers return at once, so nothing is built for
	 * (or dropped from) a ring no one will read, then the ring is read dry. The slow detaches
	 * come after the last frame.
	 */
	switch_all_off(skel);
	usleep(1000); /* a handler already past its slot check finishes its event */
	while (consume_batch(ring) && !out.broken)
		;
	uint64_t values[STATS_COUNT];
	collect_stats(skel, cpus, values);
	put_stats(skel, cpus, 0);
	flush_output();
	fprintf(stderr, "harrier-probe: stopped:");
	for (size_t i = 1; i < STATS_COUNT; i++)
		fprintf(stderr, " %s=%llu", stats_names[i], (unsigned long long)values[i]);
	fputc('\n', stderr);
	if (stop_signal)
		fprintf(stderr, "harrier-probe: stopped by %s\n",
			stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
	fflush(stderr);

	pthread_t detaching[HARRIER_SYSCALL_SLOTS + sizeof(links) / sizeof(links[0])];
	size_t pending = 0;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (links[i])
			detach_in_background(links[i], &detaching[pending++]);
	for (unsigned nr = 0; nr < HARRIER_SYSCALL_SLOTS; nr++)
		if (exit_links[nr])
			detach_in_background(exit_links[nr], &detaching[pending++]);
	for (size_t i = 0; i < pending; i++)
		if (detaching[i])
			pthread_join(detaching[i], NULL);
	ring_buffer__free(ring);
	probe_bpf__destroy(skel);
	return 0;
}
