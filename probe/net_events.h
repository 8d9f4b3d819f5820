/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network events (socket, bind, listen, connect, accept, accept4, sendto, recvfrom, sendmsg,
 * recvmsg, sendmmsg, recvmmsg) and the credential events (ptrace, the setuid family).
 * Addresses use libscap's encodings:
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
	__u64 size = syscall_arg(regs, 2);

	ev_s64(b, ret);
	ev_bytes(b, (void *)syscall_arg(regs, 1), write_snaplen(ret, size), 1);
	ev_s64(b, fd);
	ev_u32(b, (__u32)size);
	if (ret >= 0)
		ev_socktuple(b, fd, 1, (void *)syscall_arg(regs, 4));
	else
		ev_empty(b);
	ev_submit(b);
	return 0;
}

/* recvfrom: res, data, tuple (the sender first), fd, size; no data or tuple on failure. */
EXIT_HANDLER(exit_recvfrom) {
	struct event_buffer *b = ev_begin(SCAP_RECVFROM_X, 5, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__s64 fd = fd_arg(regs, 0);

	ev_s64(b, ret);
	if (ret >= 0) {
		ev_bytes(b, (void *)syscall_arg(regs, 1), read_snaplen(ret), 1);
		/* the kernel has written the sender's address to src_addr by now */
		ev_socktuple(b, fd, 0, (void *)syscall_arg(regs, 4));
	} else {
		ev_empty(b);
		ev_empty(b);
	}
	ev_s64(b, fd);
	ev_u32(b, (__u32)syscall_arg(regs, 2));
	ev_submit(b);
	return 0;
}

/* struct user_msghdr as user space lays it out on x86_64. */
struct msghdr_user {
	void *name;
	__s32 namelen;
	struct iovec *iov;
	__u64 iovlen;
	void *control;
	__u64 controllen;
	__u32 flags;
};

/* struct mmsghdr: one message of sendmmsg/recvmmsg and the bytes it carried. */
struct mmsghdr_user {
	struct msghdr_user hdr;
	__u32 len;
};

/* Largest msg_control copied; libscap's drivers take up to 64 KiB. */
#define CONTROL_MAX PARAM_MAX

/* A PT_BYTEBUF of a message's control data (ancillary data such as passed descriptors). */
static __always_inline void ev_msg_control(struct event_buffer *b, struct msghdr_user *msg) {
	if (!msg->control || msg->controllen == 0 || msg->controllen > 0xffff) {
		ev_empty(b);
		return;
	}
	/* LIMIT: control data beyond CONTROL_MAX bytes is cut off. */
	ev_bytes(b, msg->control, msg->controllen > CONTROL_MAX ? CONTROL_MAX : msg->controllen, 1);
}

EXIT_HANDLER(exit_sendmsg) {
	struct event_buffer *b = ev_begin(SCAP_SENDMSG_X, 5, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__s64 fd = fd_arg(regs, 0);
	struct msghdr_user msg = {};

	ev_s64(b, ret);
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)syscall_arg(regs, 1))) {
		ev_empty(b);                                     /* data */
		ev_s64(b, fd);
		ev_empty(b);                                     /* size */
		ev_empty(b);                                     /* tuple */
		ev_submit(b);
		return 0;
	}
	ev_iovec_data(b, msg.iov, msg.iovlen, write_snaplen(ret, HARRIER_SNAPLEN));
	ev_s64(b, fd);
	ev_u32(b, iovec_size(msg.iov, msg.iovlen));
	if (ret >= 0)
		ev_socktuple(b, fd, 1, msg.name);
	else
		ev_empty(b);
	ev_submit(b);
	return 0;
}

/* recvmsg: res, size, data, tuple (the sender first), msg_control, fd. */
EXIT_HANDLER(exit_recvmsg) {
	struct event_buffer *b = ev_begin(SCAP_RECVMSG_X, 6, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	__s64 fd = fd_arg(regs, 0);
	struct msghdr_user msg = {};

	ev_s64(b, ret);
	if (ret >= 0) {
		ev_u32(b, (__u32)ret);
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)syscall_arg(regs, 1))) {
			__builtin_memset(&msg, 0, sizeof(msg));
			ev_empty(b);
		} else {
			ev_iovec_data(b, msg.iov, msg.iovlen, read_snaplen(ret));
		}
		ev_socktuple(b, fd, 0, msg.name);
		ev_msg_control(b, &msg);
	} else {
		ev_u32(b, 0);
		ev_empty(b);
		ev_empty(b);
		ev_empty(b);
	}
	ev_s64(b, fd);
	ev_submit(b);
	return 0;
}

/*
 * sendmmsg and recvmmsg report one event per message handled, each with that message's byte
 * count as res, as libscap's drivers do; a failed call or one that handled no message gives a
 * single event with res and fd.
 * LIMIT: only the first MAX_MESSAGES messages of a call are reported.
 */
#define MAX_MESSAGES 16

struct messages_walk {
	struct mmsghdr_user *messages;
	__s64 fd;
	int receive;
};

static long report_one_message(__u32 i, void *context) {
	struct messages_walk *walk = context;
	struct mmsghdr_user message = {};

	if (bpf_probe_read_user(&message, sizeof(message), &walk->messages[i & (MAX_MESSAGES - 1)]))
		return 1;
	struct event_buffer *b = ev_begin(walk->receive ? SCAP_RECVMMSG_X : SCAP_SENDMMSG_X,
					  walk->receive ? 6 : 5, HC_DROP_FULL_NET);
	if (!b)
		return 1;
	__u32 snap = message.len > 0 && message.len < HARRIER_SNAPLEN ? message.len
								     : HARRIER_SNAPLEN;

	ev_s64(b, message.len);                                  /* res */
	ev_s64(b, walk->fd);
	if (walk->receive) {
		ev_u32(b, message.len);                          /* size */
		ev_iovec_data(b, message.hdr.iov, message.hdr.iovlen,
			      message.len < snap ? message.len : snap);
		ev_socktuple(b, walk->fd, 0, message.hdr.name);
		ev_msg_control(b, &message.hdr);
	} else {
		ev_u32(b, iovec_size(message.hdr.iov, message.hdr.iovlen));
		ev_iovec_data(b, message.hdr.iov, message.hdr.iovlen, snap);
		ev_socktuple(b, walk->fd, 1, message.hdr.name);
	}
	ev_submit(b);
	return 0;
}

static __always_inline int mmsg_exit(struct pt_regs *regs, long ret, int receive) {
	struct messages_walk walk = {
		.messages = (void *)syscall_arg(regs, 1),
		.fd = fd_arg(regs, 0),
		.receive = receive,
	};

	if (ret > 0) {
		bpf_loop(ret < MAX_MESSAGES ? ret : MAX_MESSAGES, report_one_message, &walk, 0);
		return 0;
	}
	struct event_buffer *b = ev_begin(receive ? SCAP_RECVMMSG_X : SCAP_SENDMMSG_X,
					  receive ? 6 : 5, HC_DROP_FULL_NET);
	if (!b)
		return 0;
	ev_s64(b, ret);
	ev_s64(b, walk.fd);
	ev_u32(b, 0);                                            /* size */
	ev_empty(b);                                             /* data */
	ev_empty(b);                                             /* tuple */
	if (receive)
		ev_empty(b);                                     /* msg_control */
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_sendmmsg) { return mmsg_exit(regs, ret, 0); }
EXIT_HANDLER(exit_recvmmsg) { return mmsg_exit(regs, ret, 1); }

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
