/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network events (socket, bind, listen, connect, accept, accept4, sendto, sendmsg) and the
 * credential events (ptrace, the setuid family). Addresses use libscap's encodings:
 *   sockaddr  inet: family u8 | addr u32 | port u16; inet6: family | 16 bytes | port;
 *             unix: family | path NUL-terminated
 *   socktuple inet: family | src addr | src port | dst addr | dst port (ports host order);
 *             unix: family | u64 source | u64 destination | path
 */
#ifndef HARRIER_NET_EVENTS_H
#define HARRIER_NET_EVENTS_H

#define UNIX_PATH_MAX 108

static __always_inline __u16 swap16(__u16 v) {
	return (v >> 8) | (v << 8);
}

/* A PT_SOCKADDR parameter from a user sockaddr of `len` bytes. */
static __always_inline void ev_sockaddr(struct event_buffer *b, const void *addr, __u32 len) {
	__u8 *stage = b->stage;
	__u32 start = b->payload_pos;

	/* 28 bytes cover sockaddr_in and sockaddr_in6; a unix path is read from `addr` below */
	if (!addr || len < 2 ||
	    (bpf_probe_read_user(stage, 28, addr) && bpf_probe_read_user(stage, 16, addr))) {
		ev_empty(b);
		return;
	}
	__u16 family = *(__u16 *)stage;
	EV_PUT(b, __u8, scap_socket_family(family));
	if (family == LX_AF_INET) {
		EV_PUT(b, __u32, *(__u32 *)&stage[4]);
		EV_PUT(b, __u16, swap16(*(__u16 *)&stage[2]));
	} else if (family == LX_AF_INET6) {
		EV_PUT(b, __u64, *(__u64 *)&stage[8]);
		EV_PUT(b, __u64, *(__u64 *)&stage[16]);
		EV_PUT(b, __u16, swap16(*(__u16 *)&stage[2]));
	} else if (family == LX_AF_UNIX) {
		/* abstract names start with NUL: report the name after it, as libscap does */
		const char *path = (const char *)addr + 2 + (stage[2] == 0 ? 1 : 0);
		ev_put_str(b, path, 1);
	} else {
		b->payload_pos = start;
		ev_empty(b);
		return;
	}
	ev_len(b, (__u16)(b->payload_pos - start));
}

/* The socket behind descriptor `fd`, or NULL when it is not a socket. */
static __always_inline struct sock *fd_sock(__s64 fd) {
	struct file *file = fd_file(fd);
	__u16 mode = BPF_CORE_READ(file, f_inode, i_mode);

	if (!file || (mode & LX_S_IFMT) != LX_S_IFSOCK)
		return 0;
	struct socket *socket = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(socket, sk);
}

static __always_inline void ev_put_unix_name(struct event_buffer *b, struct sock *sk) {
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	char first = 0;

	if (!addr) {
		EV_PUT(b, __u8, 0);
		return;
	}
	const char *path = (const char *)addr + bpf_core_field_offset(struct unix_address, name) + 2;
	bpf_probe_read_kernel(&first, 1, path);
	if (!ev_put_str(b, path + (first == 0 ? 1 : 0), 0))
		EV_PUT(b, __u8, 0);
}

/*
 * A PT_SOCKTUPLE parameter for socket `fd`. `outbound` puts the local end first (connect,
 * send); otherwise the peer comes first (accept). `user_addr` fills in an unconnected peer.
 */
static __always_inline void ev_socktuple(struct event_buffer *b, __s64 fd, int outbound,
					 const void *user_addr) {
	struct sock *sk = fd_sock(fd);
	__u32 start = b->payload_pos;

	if (!sk) {
		ev_empty(b);
		return;
	}
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 remote_port = swap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__u8 *stage = b->stage;

	if (remote_port == 0 && user_addr)
		bpf_probe_read_user(stage, 28, user_addr);
	else
		__builtin_memset(stage, 0, 28);
	EV_PUT(b, __u8, scap_socket_family(family));
	if (family == LX_AF_INET) {
		__u32 local = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 remote = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		if (remote_port == 0 && user_addr) {
			remote = *(__u32 *)&stage[4];
			remote_port = swap16(*(__u16 *)&stage[2]);
		}
		EV_PUT(b, __u32, outbound ? local : remote);
		EV_PUT(b, __u16, outbound ? local_port : remote_port);
		EV_PUT(b, __u32, outbound ? remote : local);
		EV_PUT(b, __u16, outbound ? remote_port : local_port);
	} else if (family == LX_AF_INET6) {
		struct in6_addr local = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr remote = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		if (remote_port == 0 && user_addr) {
			__builtin_memcpy(&remote, &stage[8], 16);
			remote_port = swap16(*(__u16 *)&stage[2]);
		}
		struct in6_addr *first = outbound ? &local : &remote;
		struct in6_addr *second = outbound ? &remote : &local;
		EV_PUT(b, __u64, *(__u64 *)&first->in6_u.u6_addr8[0]);
		EV_PUT(b, __u64, *(__u64 *)&first->in6_u.u6_addr8[8]);
		EV_PUT(b, __u16, outbound ? local_port : remote_port);
		EV_PUT(b, __u64, *(__u64 *)&second->in6_u.u6_addr8[0]);
		EV_PUT(b, __u64, *(__u64 *)&second->in6_u.u6_addr8[8]);
		EV_PUT(b, __u16, outbound ? remote_port : local_port);
	} else if (family == LX_AF_UNIX) {
		struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);

		EV_PUT(b, __u64, (__u64)(outbound ? peer : sk));
		EV_PUT(b, __u64, (__u64)(outbound ? sk : peer));
		if (outbound && !peer && user_addr)
			ev_put_str(b, (const char *)user_addr + 2, 1);
		else
			ev_put_unix_name(b, outbound ? peer : sk);
	} else {
		b->payload_pos = start;
		ev_empty(b);
		return;
	}
	ev_len(b, (__u16)(b->payload_pos - start));
}

EXIT_HANDLER(exit_socket) {
	struct event_buffer *b = ev_begin(SCAP_SOCKET_X, 5, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__u32 type = syscall_arg(regs, 1);

	ev_s64(b, ret);                                            /* fd */
	ev_u32(b, scap_socket_family(syscall_arg(regs, 0)));       /* domain */
	ev_u32(b, type);                                           /* type */
	ev_u32(b, syscall_arg(regs, 2));                           /* proto */
	ev_u32(b, scap_socket_flags(type));                        /* flags */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_bind) {
	struct event_buffer *b = ev_begin(SCAP_BIND_X, 3, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_sockaddr(b, (void *)syscall_arg(regs, 1), syscall_arg(regs, 2));
	ev_s64(b, fd_arg(regs, 0));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_listen) {
	struct event_buffer *b = ev_begin(SCAP_LISTEN_X, 3, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, fd_arg(regs, 0));
	ev_u32(b, syscall_arg(regs, 1)); /* backlog, PT_INT32 */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_connect) {
	struct event_buffer *b = ev_begin(SCAP_CONNECT_X, 4, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__s64 fd = fd_arg(regs, 0);
	void *addr = (void *)syscall_arg(regs, 1);

	ev_s64(b, ret);
	if (ret == 0 || ret == -115) /* EINPROGRESS: a non-blocking connect under way */
		ev_socktuple(b, fd, 1, addr);
	else
		ev_empty(b);
	ev_s64(b, fd);
	ev_sockaddr(b, addr, syscall_arg(regs, 2));
	ev_submit(b);
	return 0;
}

/* accept and accept4: the new fd, its tuple (peer first) and the listener's queue. */
static __always_inline int accept_exit(struct pt_regs *regs, long ret, int four) {
	struct event_buffer *b = ev_begin(four ? SCAP_ACCEPT4_6_X : SCAP_ACCEPT_5_X, four ? 6 : 5,
					  HC_DROP_FULL_NET);
	if (!b)
		return 0;
	struct sock *listener = fd_sock(fd_arg(regs, 0));
	__u32 queued = BPF_CORE_READ(listener, sk_ack_backlog);
	__u32 max = BPF_CORE_READ(listener, sk_max_ack_backlog);

	ev_s64(b, ret);
	if (ret >= 0)
		ev_socktuple(b, ret, 0, 0);
	else
		ev_empty(b);
	ev_u8(b, max ? (__u8)(queued * 100 / max) : 0); /* queuepct */
	ev_u32(b, queued);                               /* queuelen */
	ev_u32(b, max);                                  /* queuemax */
	if (four)
		ev_u32(b, scap_socket_flags(syscall_arg(regs, 3)));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_accept) { return accept_exit(regs, ret, 0); }
EXIT_HANDLER(exit_accept4) { return accept_exit(regs, ret, 1); }

EXIT_HANDLER(exit_sendto) {
	struct event_buffer *b = ev_begin(SCAP_SENDTO_X, 5, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__s64 fd = fd_arg(regs, 0);
	long copied = ret > HARRIER_SNAPLEN ? HARRIER_SNAPLEN : ret;

	ev_s64(b, ret);
	ev_bytes(b, (void *)syscall_arg(regs, 1), copied > 0 ? copied : 0, 1);
	ev_s64(b, fd);
	ev_u32(b, syscall_arg(regs, 2));
	ev_socktuple(b, fd, 1, (void *)syscall_arg(regs, 4));
	ev_submit(b);
	return 0;
}

struct msghdr_user {
	void *name;
	__s32 namelen;
	struct iovec *iov;
	__u64 iovlen;
};

EXIT_HANDLER(exit_sendmsg) {
	struct event_buffer *b = ev_begin(SCAP_SENDMSG_X, 5, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__s64 fd = fd_arg(regs, 0);
	struct msghdr_user msg = {};
	struct iovec first = {};
	__u64 size = 0;

	bpf_probe_read_user(&msg, sizeof(msg), (void *)syscall_arg(regs, 1));
	for (int i = 0; i < 16 && i < msg.iovlen; i++) {
		struct iovec item = {};

		bpf_probe_read_user(&item, sizeof(item), &msg.iov[i]);
		if (i == 0)
			first = item;
		size += item.iov_len;
	}
	long copied = ret > HARRIER_SNAPLEN ? HARRIER_SNAPLEN : ret;
	if (copied > (long)first.iov_len)
		copied = first.iov_len;
	ev_s64(b, ret);
	/* LIMIT: data holds bytes of the first iovec only; a message split across buffers shows
	 * its first piece in evt.buffer. */
	ev_bytes(b, first.iov_base, copied > 0 ? copied : 0, 1);
	ev_s64(b, fd);
	ev_u32(b, (__u32)size);
	ev_socktuple(b, fd, 1, msg.name);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_ptrace) {
	struct event_buffer *b = ev_begin(SCAP_PTRACE_X, 5, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	/* addr and data are PT_DYN: a u8 selector (0 = plain u64) then the value.
	 * LIMIT: for PEEK* requests data is the destination address, not the peeked word, and
	 * signal-carrying requests are not marked as PT_SIGTYPE. */
	EV_PUT(b, __u8, 0);
	EV_PUT(b, __u64, syscall_arg(regs, 2));
	ev_len(b, 9);
	EV_PUT(b, __u8, 0);
	EV_PUT(b, __u64, syscall_arg(regs, 3));
	ev_len(b, 9);
	ev_u16(b, scap_ptrace_request(syscall_arg(regs, 0)));
	ev_s64(b, (__s64)(__s32)syscall_arg(regs, 1));
	ev_submit(b);
	return 0;
}

/* setuid, setgid (one id), setreuid, setregid (two), setresuid, setresgid (three). */
static __always_inline int id_exit(struct pt_regs *regs, long ret, __u16 type, int ids) {
	struct event_buffer *b = ev_begin(type, ids + 1, HC_DROP_FULL_OTHER);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_u32(b, syscall_arg(regs, 0));
	if (ids > 1)
		ev_u32(b, syscall_arg(regs, 1));
	if (ids > 2)
		ev_u32(b, syscall_arg(regs, 2));
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_setuid) { return id_exit(regs, ret, SCAP_SETUID_X, 1); }
EXIT_HANDLER(exit_setgid) { return id_exit(regs, ret, SCAP_SETGID_X, 1); }
EXIT_HANDLER(exit_setreuid) { return id_exit(regs, ret, SCAP_SETREUID_X, 2); }
EXIT_HANDLER(exit_setregid) { return id_exit(regs, ret, SCAP_SETREGID_X, 2); }
EXIT_HANDLER(exit_setresuid) { return id_exit(regs, ret, SCAP_SETRESUID_X, 3); }
EXIT_HANDLER(exit_setresgid) { return id_exit(regs, ret, SCAP_SETRESGID_X, 3); }

#endif
