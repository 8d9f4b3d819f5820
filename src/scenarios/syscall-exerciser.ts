/**
 * A small C program for the probe's live tests: it makes the calls of one group (file I/O,
 * generic file calls, signals, UDP messages over loopback, namespaces and kernel interfaces,
 * module load attempts, a program run from a memfd) with known arguments, and prints what a test cannot know
 * beforehand (a child's pid, port numbers) as `key=value` lines. Everything stays inside a
 * scratch directory, the process itself, its own child and 127.0.0.1.
 * @internal
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const exerciserSource = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* pread/pwrite, readv/writev and their positioned forms on DIR/data. */
static int file_io(const char *dir) {
  char path[4096], buf[64];
  snprintf(path, sizeof(path), "%s/data", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  if (write(fd, "0123456789abcdef", 16) != 16) return 1;
  if (pread(fd, buf, 8, 4) != 8) return 1;
  if (pwrite(fd, "XYZ", 3, 2) != 3) return 1;
  struct iovec out[2] = {{"hello ", 6}, {"world", 5}};
  if (writev(fd, out, 2) != 11) return 1;
  char a[4], b[8];
  struct iovec in[2] = {{a, 4}, {b, 8}};
  lseek(fd, 0, SEEK_SET);
  if (readv(fd, in, 2) != 12) return 1;
  if (preadv(fd, in, 2, 1) != 12) return 1;
  if (pwritev(fd, out, 2, 30) != 11) return 1;
  if (pread(fd, buf, 8, 1000) != 0) return 1; /* past the end: reads nothing */
  close(fd);
  return 0;
}

/* truncate, ftruncate, utimensat, futimesat and fchmodat2, which libscap reports generically. */
static int generic_calls(const char *dir) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/generic", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "0123456789", 10) != 10) return 1;
  if (ftruncate(fd, 5) || truncate(path, 3)) return 1;
  if (utimensat(AT_FDCWD, path, NULL, 0)) return 1;
  if (syscall(SYS_futimesat, AT_FDCWD, path, NULL)) return 1;
  syscall(452 /* fchmodat2 */, AT_FDCWD, path, 0600, 0);
  close(fd);
  return 0;
}

/* kill, tkill and tgkill on a child of our own, and kill of a pid that cannot exist. */
static int signals(void) {
  pid_t child = fork();
  if (child == 0) { for (;;) pause(); }
  printf("child=%d\n", child);
  fflush(stdout);
  kill(child, 0);
  syscall(SYS_tkill, child, SIGCONT);
  syscall(SYS_tgkill, child, child, SIGKILL);
  waitpid(child, 0, 0);
  kill(0x3ffffff0, SIGTERM); /* ESRCH */
  return 0;
}

static int udp_socket(struct sockaddr_in *address) {
  socklen_t length = sizeof(*address);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(address, 0, sizeof(*address));
  address->sin_family = AF_INET;
  address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)address, sizeof(*address)) ||
      getsockname(fd, (struct sockaddr *)address, &length))
    return -1;
  return fd;
}

/* sendto/recvfrom, sendmsg/recvmsg and sendmmsg/recvmmsg between two UDP sockets. */
static int messages(void) {
  struct sockaddr_in server, client, from;
  socklen_t from_length = sizeof(from);
  char buf[64], a[8], b[8];
  int s = udp_socket(&server), c = udp_socket(&client);
  if (s < 0 || c < 0) return 1;
  printf("server=%d\nclient=%d\n", ntohs(server.sin_port), ntohs(client.sin_port));
  fflush(stdout);
  if (sendto(c, "ping", 4, 0, (struct sockaddr *)&server, sizeof(server)) != 4) return 1;
  if (recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_length) != 4) return 1;

  struct iovec out[2] = {{"ab", 2}, {"cd", 2}};
  struct msghdr message = {.msg_name = &server, .msg_namelen = sizeof(server),
                           .msg_iov = out, .msg_iovlen = 2};
  if (sendmsg(c, &message, 0) != 4) return 1;
  struct iovec in[2] = {{a, 3}, {b, 8}};
  struct msghdr received = {.msg_name = &from, .msg_namelen = sizeof(from),
                            .msg_iov = in, .msg_iovlen = 2};
  if (recvmsg(s, &received, 0) != 4) return 1;

  struct iovec first = {"one", 3}, second = {"three", 5};
  struct mmsghdr batch[2] = {
    {.msg_hdr = {.msg_name = &server, .msg_namelen = sizeof(server), .msg_iov = &first, .msg_iovlen = 1}},
    {.msg_hdr = {.msg_name = &server, .msg_namelen = sizeof(server), .msg_iov = &second, .msg_iovlen = 1}},
  };
  if (sendmmsg(c, batch, 2, 0) != 2) return 1;
  char r1[16], r2[16];
  struct iovec in1 = {r1, sizeof(r1)}, in2 = {r2, sizeof(r2)};
  struct sockaddr_in from1, from2;
  struct mmsghdr inbox[2] = {
    {.msg_hdr = {.msg_name = &from1, .msg_namelen = sizeof(from1), .msg_iov = &in1, .msg_iovlen = 1}},
    {.msg_hdr = {.msg_name = &from2, .msg_namelen = sizeof(from2), .msg_iov = &in2, .msg_iovlen = 1}},
  };
  if (recvmmsg(s, inbox, 2, MSG_WAITFORONE, NULL) != 2) return 1;
  close(s);
  close(c);
  return 0;
}

/* unshare and setns back on the UTS namespace, a refused bpf call and userfaultfd. */
static int kernel_interfaces(void) {
  int own = open("/proc/self/ns/uts", O_RDONLY);
  if (own < 0 || unshare(CLONE_NEWUTS) || setns(own, CLONE_NEWUTS)) return 1;
  syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0);
  int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (uffd >= 0) close(uffd);
  close(own);
  return 0;
}

/*
 * Opens PATH, then tries to load a module that is garbage (the kernel refuses it, or has no
 * module support at all) with init_module and with finit_module on that descriptor.
 */
static int module_attempts(const char *path) {
  static char garbage[32] = "harrier: not an ELF module";
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 1;
  long loaded = syscall(SYS_init_module, garbage, sizeof garbage, "");
  if (loaded < 0) loaded = -errno;
  long from_fd = syscall(SYS_finit_module, fd, "", 0);
  if (from_fd < 0) from_fd = -errno;
  /* the results as the kernel returned them: -errno on failure */
  printf("init_module=%ld\nfinit_module=%ld\n", loaded, from_fd);
  close(fd);
  return 0;
}

/*
 * Runs a copy of PROGRAM from a memfd named NAME, through fexecve (execveat on the memfd), with
 * NAME as its argument too: the new comm is the descriptor's number, so only an argument
 * shows NAME in the command line.
 */
static int memfd_exec(const char *program, const char *name) {
  char buf[65536];
  ssize_t n;
  int in = open(program, O_RDONLY), memfd = memfd_create(name, 0);
  if (in < 0 || memfd < 0) return 1;
  while ((n = read(in, buf, sizeof(buf))) > 0)
    if (write(memfd, buf, n) != n) return 1;
  char *argv[] = {(char *)name, (char *)name, NULL}, *envp[] = {NULL};
  fexecve(memfd, argv, envp);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "memfd-exec") && argc > 3) return memfd_exec(argv[2], argv[3]);
  if (!strcmp(argv[1], "file-io") && argc > 2) return file_io(argv[2]);
  if (!strcmp(argv[1], "generic") && argc > 2) return generic_calls(argv[2]);
  if (!strcmp(argv[1], "signals")) return signals();
  if (!strcmp(argv[1], "messages")) return messages();
  if (!strcmp(argv[1], "kernel")) return kernel_interfaces();
  if (!strcmp(argv[1], "modules") && argc > 2) return module_attempts(argv[2]);
  return 2;
}
`;

/** Compiles the exerciser into `directory` and returns its path; throws when gcc fails. */
export function buildSyscallExerciser(directory: string): string {
  const source = path.join(directory, 'syscall-exerciser.c');
  const binary = path.join(directory, 'syscall-exerciser');
  writeFileSync(source, exerciserSource);
  execFileSync('gcc', ['-O1', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  return binary;
}
