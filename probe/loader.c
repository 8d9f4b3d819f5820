// SPDX-License-Identifier: Apache-2.0
/*
 * harrier-probe: loads Harrier's eBPF probe, then streams its events to stdout as frames.
 *
 * Frame: u32 payload length | u32 kind | payload (little-endian throughout)
 *   kind 1 EVENT  payload = one libscap-layout event (header, u16 lengths, data)
 *   kind 2 STATS  payload = u32 count | u32 token | count x u64 counters (order in stats_names);
 *                 token is 0, or the N of the `sync N` command the frame answers
 *   kind 3 READY  payload = u64 boot-to-epoch offset ns | u32 possible CPUs | u32 ring bytes
 *
 * Control (stdin, one command per line):
 *   syscalls N,N,...   replace the enabled filter slots (syscall numbers; 512 = procexit);
 *                      "Ns" reports only the calls of N that succeeded
 *   stats              write a STATS frame now
 *   sync N             read the ring buffer dry (bounded), then write a STATS frame with token N:
 *                      every event captured before the command precedes that frame
 * End of stdin, SIGTERM or SIGINT stop the probe; a last STATS frame is written first.
 *
 * Errors are one line on stderr starting with "harrier-probe: error:", and exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "harrier_probe.h"
#include "probe.skel.h"

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

static volatile sig_atomic_t stop_requested;
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

/* Replaces the enabled filter slots with a comma-separated list of numbers, each with an
 * optional "s" suffix for successful calls only. */
static int apply_slots(struct probe_bpf *skel, const char *list) {
	int fd = bpf_map__fd(skel->maps.enabled_events);
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
		if (bpf_map_update_elem(fd, &slot, &wanted[slot], BPF_ANY))
			return -errno;
	}
	return 0;
}

static void handle_command(struct probe_bpf *skel, int cpus, char *line) {
	line[strcspn(line, "\r\n")] = 0;
	if (strncmp(line, "syscalls", 8) == 0 && (line[8] == ' ' || line[8] == 0)) {
		if (apply_slots(skel, line + 8))
			fprintf(stderr, "harrier-probe: warning: filter update failed: %s\n",
				strerror(errno));
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

static void on_signal(int signal) {
	(void)signal;
	stop_requested = 1;
}

static void usage(void) {
	fprintf(stderr, "usage: harrier-probe [--syscalls N,N,...] [--stats-ms MS]"
			" [--ringbuf-mb MB] [--no-ignore-self] [--ignore-tgid PID]\n");
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
	int ignore_self = 1;
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
	if (probe_bpf__load(skel))
		fail("the kernel refused the eBPF probe: %s (%s)", strerror(errno),
		     last_libbpf_message);
	if (apply_slots(skel, syscalls))
		fail("cannot set the syscall filter: %s", strerror(errno));

	struct bpf_link *links[] = {
		attach_or_fail(skel->progs.sys_exit, "tracepoint raw_syscalls/sys_exit"),
		attach_or_fail(skel->progs.sched_exec, "tracepoint sched/sched_process_exec"),
		attach_or_fail(skel->progs.sched_exit, "tracepoint sched/sched_process_exit"),
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
	} ready = {offset, (uint32_t)cpus, (uint32_t)(ringbuf_mb * 1024 * 1024)};
	put_frame(FRAME_READY, &ready, sizeof(ready));
	flush_output();

	struct pollfd fds[2] = {
		{.fd = ring_buffer__epoll_fd(ring), .events = POLLIN},
		{.fd = STDIN_FILENO, .events = POLLIN},
	};
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

		if (poll(fds, 2, wait_ms) < 0 && errno != EINTR)
			fail("poll failed: %s", strerror(errno));
		ring_has_more = consume_batch(ring);
		if ((fds[1].revents & (POLLIN | POLLHUP)) && !read_commands(skel, cpus))
			stop_requested = 1;
		if (fds[1].revents & (POLLERR | POLLNVAL))
			fds[1].fd = -1;
		if (clock_ns(CLOCK_MONOTONIC) >= next_stats) {
			put_stats(skel, cpus, 0);
			next_stats += (uint64_t)stats_ms * 1000000ull;
		}
		flush_output();
	}

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		bpf_link__destroy(links[i]);
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
	ring_buffer__free(ring);
	probe_bpf__destroy(skel);
	return 0;
}
