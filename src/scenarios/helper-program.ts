/**
 * The scenario helper: one small static C program that performs the behaviours no shell tool
 * does on its own (ptrace attach, a packet socket, a module load attempt, a memfd exec, a
 * reverse shell over loopback, a program orphaned under a child subreaper). It is compiled at
 * test time with gcc, statically, so the same binary runs on the host and inside a busybox
 * container. Every action is harmless by design: the module buffer is garbage the kernel
 * rejects, the reverse shell only reaches a listener the helper opened itself on 127.0.0.1, and
 * ptrace targets the helper's own child.
 * @internal
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const helperSource = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *what) { perror(what); return 1; }

/* Attaches to a child of our own with PTRACE_ATTACH, then detaches and ends it. */
static int ptrace_attach(void) {
  pid_t child = fork();
  if (child == 0) { for (;;) pause(); }
  if (ptrace(PTRACE_ATTACH, child, 0, 0) != 0) return fail("ptrace attach");
  waitpid(child, 0, 0);
  ptrace(PTRACE_DETACH, child, 0, 0);
  kill(child, SIGKILL);
  waitpid(child, 0, 0);
  return 0;
}

static int traceme(void) {
  if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) return fail("ptrace traceme");
  return 0;
}

static int packet_socket(void) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) return fail("packet socket");
  close(fd);
  return 0;
}

/* init_module with a garbage image: the kernel refuses it, the attempt is what is seen. */
static int init_module_attempt(void) {
  static char garbage[64] = "harrier scenario: not an ELF module";
  long result = syscall(SYS_init_module, garbage, sizeof garbage, "");
  printf("init_module=%ld errno=%d\n", result, result < 0 ? errno : 0);
  return 0;
}

/* Copies an executable into a memfd and runs it from there. */
static int memfd_exec(char **argv) {
  int source = open(argv[0], O_RDONLY);
  if (source < 0) return fail("open source");
  int memfd = memfd_create("harrier-scenario", MFD_CLOEXEC);
  if (memfd < 0) return fail("memfd_create");
  char buffer[65536];
  ssize_t count;
  while ((count = read(source, buffer, sizeof buffer)) > 0) {
    if (write(memfd, buffer, count) != count) return fail("write memfd");
  }
  close(source);
  /* Run from a child: exec'd straight from a podman exec, the program's parent would be runc,
   * which Falco's rule lists as a known memfd user. */
  pid_t child = fork();
  if (child == 0) {
    fexecve(memfd, argv, environ);
    _exit(fail("fexecve"));
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* A reverse shell to a listener of our own on 127.0.0.1: dup2 the socket onto 0, 1, 2. */
static int reverse_shell(const char *command) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  if (bind(listener, (struct sockaddr *)&address, length) || listen(listener, 1)) return fail("listen");
  getsockname(listener, (struct sockaddr *)&address, &length);
  pid_t child = fork();
  if (child == 0) {
    close(listener);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&address, sizeof address)) _exit(fail("connect"));
    dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
    execl("/bin/sh", "sh", "-c", command, (char *)0);
    _exit(127);
  }
  int peer = accept(listener, 0, 0);
  char buffer[256];
  ssize_t count;
  while (peer >= 0 && (count = read(peer, buffer, sizeof buffer)) > 0) fwrite(buffer, 1, count, stdout);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Forks a shell running the command and waits: the shell's parent is this helper. */
static int spawn_shell(const char *command) {
  pid_t child = fork();
  if (child == 0) { execl("/bin/sh", "sh", "-c", command, (char *)0); _exit(127); }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * Makes this helper a child subreaper (as conmon is), then a child of ours forks the program's
 * process and exits at once. Orphaned, that process is adopted by this helper; only once it
 * sees so does it exec the program, so the exec always comes after the adoption.
 */
static int orphan_exec(char **argv) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return fail("prctl subreaper");
  pid_t reaper = getpid();
  pid_t middle = fork();
  if (middle == 0) {
    if (fork() == 0) {
      for (int tries = 0; getppid() != reaper; tries++) {
        if (tries == 10000) _exit(fail("never adopted"));
        usleep(1000);
      }
      execv(argv[0], argv);
      _exit(fail("execv"));
    }
    _exit(0);
  }
  waitpid(middle, 0, 0);
  int status = 0;
  wait(&status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Opens and closes one file in a tight loop: the bench's open-heavy workload. */
static int open_loop(const char *file, long count) {
  for (long i = 0; i < count; i++) {
    int fd = open(file, O_RDONLY);
    if (fd < 0) return fail("open");
    close(fd);
  }
  return 0;
}

/* Opens and closes a file at a steady rate (pairs per second), in 1 ms batches. */
static int open_paced(const char *file, long count, long per_second) {
  long batch = per_second / 1000 > 0 ? per_second / 1000 : 1;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (long done = 0; done < count;) {
    for (long i = 0; i < batch && done < count; i++, done++) {
      int fd = open(file, O_RDONLY);
      if (fd < 0) return fail("open");
      close(fd);
    }
    next.tv_nsec += 1000000;
    if (next.tv_nsec >= 1000000000) { next.tv_sec++; next.tv_nsec -= 1000000000; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, 0);
  }
  return 0;
}

/* Forks and execs a program count times, waiting for each: the bench's exec-heavy workload. */
static int exec_loop(const char *program, long count) {
  for (long i = 0; i < count; i++) {
    pid_t child = fork();
    if (child == 0) { execl(program, program, (char *)0); _exit(127); }
    waitpid(child, 0, 0);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: helper ACTION [ARG...]\n"); return 2; }
  const char *action = argv[1];
  if (!strcmp(action, "ptrace-attach")) return ptrace_attach();
  if (!strcmp(action, "traceme")) return traceme();
  if (!strcmp(action, "packet-socket")) return packet_socket();
  if (!strcmp(action, "init-module")) return init_module_attempt();
  if (!strcmp(action, "memfd-exec") && argc > 2) return memfd_exec(argv + 2);
  if (!strcmp(action, "orphan-exec") && argc > 2) return orphan_exec(argv + 2);
  if (!strcmp(action, "reverse-shell") && argc > 2) return reverse_shell(argv[2]);
  if (!strcmp(action, "spawn-shell") && argc > 2) return spawn_shell(argv[2]);
  /* Called as $SHELL -c COMMAND by script(1): a terminal program that forks a shell. */
  if (!strcmp(action, "-c") && argc > 2) return spawn_shell(argv[2]);
  if (!strcmp(action, "open-loop") && argc > 3) return open_loop(argv[2], atol(argv[3]));
  if (!strcmp(action, "open-paced") && argc > 4) return open_paced(argv[2], atol(argv[3]), atol(argv[4]));
  if (!strcmp(action, "exec-loop") && argc > 3) return exec_loop(argv[2], atol(argv[3]));
  if (!strcmp(action, "sleep") && argc > 2) { sleep(atoi(argv[2])); return 0; }
  fprintf(stderr, "helper: unknown action %s\n", action);
  return 2;
}
`;

/**
 * Compiles the helper into `directory` as `name` (static, so it runs in a busybox container)
 * and returns its path. Throws when gcc is missing or fails.
 */
export function buildHelper(directory: string, name = 'harrier-scn'): string {
  const source = path.join(directory, `${name}.c`);
  const binary = path.join(directory, name);
  writeFileSync(source, helperSource);
  execFileSync('gcc', ['-O2', '-static', '-o', binary, source], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return binary;
}
