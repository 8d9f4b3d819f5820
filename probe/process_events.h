/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process events: execve/execveat (PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVEAT_X), the clone
 * family (CLONE_20_X, FORK_20_X, VFORK_20_X, CLONE3_X) and process exit (PROCEXIT_1_E).
 * Parameter order follows libscap's event table; parameter numbers in comments count from 1.
 */
#ifndef HARRIER_PROCESS_EVENTS_H
#define HARRIER_PROCESS_EVENTS_H

#define MAX_ARRAY_ITEMS 64
#define MAX_PATH_DEPTH 32

/* exe (first string) and args (the rest, NUL-separated) from the task's argument area. */
__noinline int ev_exe_args_from_mm(struct event_buffer *b, __u64 mm_address) {
	struct mm_struct *mm = (void *)mm_address;

	if (!b)
		return 0;
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u32 exe_len = ev_str(b, (const void *)start, 1);
	__u64 rest = end - start - exe_len;

	if (!mm || end <= start + exe_len) {
		ev_empty(b);
		return 0;
	}
	if (rest > PARAM_MAX - exe_len)
		rest = PARAM_MAX - exe_len;
	__u32 n = ev_put_bytes(b, (const void *)(start + exe_len), (__u32)rest, 1);
	if (n)
		ev_replace_last(b, 0); /* a truncated last argument still ends with NUL */
	ev_len(b, (__u16)n);
	return 0;
}

/* The environment block from the task's env area, NUL-separated. */
__noinline int ev_env_from_mm(struct event_buffer *b, __u64 mm_address) {
	struct mm_struct *mm = (void *)mm_address;

	if (!b)
		return 0;
	unsigned long start = BPF_CORE_READ(mm, env_start);
	unsigned long end = BPF_CORE_READ(mm, env_end);
	__u64 size = end - start;

	if (!mm || end <= start) {
		ev_empty(b);
		return 0;
	}
	if (size > PARAM_MAX)
		size = PARAM_MAX;
	__u32 n = ev_put_bytes(b, (const void *)start, (__u32)size, 1);
	if (n)
		ev_replace_last(b, 0);
	ev_len(b, (__u16)n);
	return 0;
}

/*
 * The loops below run through bpf_loop: the verifier checks each callback once instead of
 * walking every unrolled iteration, which keeps the exec programs well under its limits.
 */
struct strings_walk {
	struct event_buffer *b;
	const char *const *array;
	__u32 skip;
	__u32 total;
};

static long put_one_string(__u32 i, void *context) {
	struct strings_walk *walk = context;
	const char *item = 0;

	if (!walk->b || bpf_probe_read_user(&item, sizeof(item), &walk->array[i]) || !item)
		return 1;
	if (i < walk->skip)
		return 0;
	/* the whole array stays within PARAM_MAX, as libscap's 4096 bytes of args or env */
	walk->total += ev_put_str_max(walk->b, item, 1, PARAM_MAX - walk->total);
	return walk->total >= PARAM_MAX;
}

/*
 * Strings of a user array of pointers (argv or envp of a failed execve), NUL-separated, without
 * recording a length; `skip` leaves out the first items. Returns bytes written, at most
 * PARAM_MAX: the last string that does not fit is cut.
 */
__noinline __u32 ev_put_user_strings(struct event_buffer *b, __u64 array_address, int skip) {
	struct strings_walk walk = {.b = b, .array = (void *)array_address, .skip = skip};

	if (!b || !array_address)
		return 0;
	bpf_loop(MAX_ARRAY_ITEMS, put_one_string, &walk, 0);
	return walk.total;
}

/* Path components gathered leaf first into `b->stage`, then written root first. */
struct names_walk {
	struct event_buffer *b;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct kernfs_node *kn;
	__u32 depth;
};

static long collect_dentry_name(__u32 i, void *context) {
	struct names_walk *walk = context;
	struct event_buffer *b = walk->b;
	/* locals, not walk->..., inside BPF_CORE_READ: the walk struct is not a kernel type */
	struct dentry *dentry = walk->dentry;
	struct vfsmount *vfsmnt = walk->vfsmnt;
	struct mount *mnt = walk->mnt;
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *up = BPF_CORE_READ(dentry, d_parent);

	if (!b)
		return 1;
	if (dentry == mnt_root || dentry == up) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);

		if (dentry != mnt_root || parent == mnt)
			return 1;
		/* at the root of a mount: continue from where it is mounted */
		walk->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		walk->mnt = parent;
		walk->vfsmnt = (void *)parent + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	((const void **)b->stage)[walk->depth & (MAX_PATH_DEPTH - 1)] =
		BPF_CORE_READ(dentry, d_name.name);
	walk->depth++;
	walk->dentry = up;
	return 0;
}

static long collect_kernfs_name(__u32 i, void *context) {
	struct names_walk *walk = context;
	struct kernfs_node *kn = walk->kn;
	struct kernfs_node *up = kernfs_parent(kn);

	if (!walk->b || !kn || !up)
		return 1; /* the hierarchy root has no name of its own */
	((const void **)walk->b->stage)[walk->depth & (MAX_PATH_DEPTH - 1)] =
		BPF_CORE_READ(kn, name);
	walk->depth++;
	walk->kn = up;
	return 0;
}

static long write_one_name(__u32 i, void *context) {
	struct names_walk *walk = context;
	struct event_buffer *b = walk->b;

	if (!b || i >= walk->depth)
		return 1;
	EV_PUT(b, __u8, '/');
	if (ev_put_str(b, ((const void **)b->stage)[(walk->depth - 1 - i) & (MAX_PATH_DEPTH - 1)],
		       0))
		b->payload_pos--; /* drop the NUL; the next component or the end follows */
	return 0;
}

/* Writes the gathered names as "/a/b/c" with a NUL; returns bytes written. */
static __always_inline __u32 ev_put_names(struct names_walk *walk) {
	struct event_buffer *b = walk->b;
	__u32 start = b->payload_pos;

	if (walk->depth == 0)
		EV_PUT(b, __u8, '/');
	bpf_loop(MAX_PATH_DEPTH, write_one_name, walk, 0);
	EV_PUT(b, __u8, 0);
	return b->payload_pos - start;
}

/*
 * Writes "/a/b/c" (NUL-terminated) for a dentry and its mount; returns bytes written. A file
 * with no name above its mount's root (a memfd) gets its bare name, "memfd:NAME", as libscap's
 * drivers report it.
 */
__noinline __u32 ev_put_path(struct event_buffer *b, __u64 dentry_address,
			     __u64 vfsmnt_address) {
	struct names_walk walk = {
		.b = b,
		.dentry = (void *)dentry_address,
		.vfsmnt = (void *)vfsmnt_address,
		.mnt = (void *)(vfsmnt_address - bpf_core_field_offset(struct mount, mnt)),
	};

	if (!b)
		return 0;
	bpf_loop(MAX_PATH_DEPTH, collect_dentry_name, &walk, 0);
	if (walk.depth == 0) {
		struct dentry *dentry = walk.dentry;
		__u32 n = ev_put_str(b, BPF_CORE_READ(dentry, d_name.name), 0);

		if (n > 1)
			return n;
		b->payload_pos -= n;
	}
	return ev_put_names(&walk);
}

/* Writes "/a/b" (NUL-terminated) for a cgroup's kernfs node. Returns bytes written. */
__noinline __u32 ev_put_cgroup_path(struct event_buffer *b, __u64 kn_address) {
	struct names_walk walk = {.b = b, .kn = (void *)kn_address};

	if (!b)
		return 0;
	bpf_loop(MAX_PATH_DEPTH, collect_kernfs_name, &walk, 0);
	return ev_put_names(&walk);
}

/* One "subsystem=/path" entry of the cgroups parameter; returns bytes written. */
static __always_inline __u32 ev_put_cgroup(struct event_buffer *b, struct task_struct *task,
					   int id) {
	const char *name = BPF_CORE_READ(task, cgroups, subsys[id & 15], ss, name);
	__u32 n = ev_put_str(b, name, 0);

	if (!n)
		return 0;
	ev_replace_last(b, '=');
	return n + ev_put_cgroup_path(b, (__u64)BPF_CORE_READ(task, cgroups, subsys[id & 15], cgroup,
								   kn));
}

/* Param "cgroups": the task's cgroup for the controllers libscap reports, when present. */
__noinline int ev_cgroups(struct event_buffer *b, __u64 task_address) {
	struct task_struct *task = (void *)task_address;
	__u32 n = 0;

	if (!b)
		return 0;

	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
		n += ev_put_cgroup(b, task, bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		n += ev_put_cgroup(b, task, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		n += ev_put_cgroup(b, task,
				   bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		n += ev_put_cgroup(b, task, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		n += ev_put_cgroup(b, task, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	ev_len(b, (__u16)n);
	return 0;
}

/* Params 4..14 shared by execve and clone events: tid .. comm. */
__noinline int ev_task_prefix(struct event_buffer *b, __u64 task_address) {
	struct task_struct *task = (void *)task_address;
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u32 vm_size, vm_rss, vm_swap;

	if (!b)
		return 0;

	ev_s64(b, BPF_CORE_READ(task, pid));               /* 4 tid */
	ev_s64(b, BPF_CORE_READ(task, tgid));              /* 5 pid */
	ev_s64(b, BPF_CORE_READ(task, real_parent, pid));  /* 6 ptid */
	ev_empty(b);                                       /* 7 cwd: from /proc and chdir */
	ev_u64(b, task_fdlimit(task));                     /* 8 fdlimit */
	ev_u64(b, BPF_CORE_READ(task, maj_flt));           /* 9 pgft_maj */
	ev_u64(b, BPF_CORE_READ(task, min_flt));           /* 10 pgft_min */
	mm_usage_kb(mm, &vm_size, &vm_rss, &vm_swap);
	ev_u32(b, vm_size);                                /* 11 vm_size */
	ev_u32(b, vm_rss);                                 /* 12 vm_rss */
	ev_u32(b, vm_swap);                                /* 13 vm_swap */
	ev_str(b, task->comm, 0);                          /* 14 comm */
	return 0;
}

/* Params 16..30 of an execve event: env .. gid (env comes from `envp` when non-zero). */
__noinline int ev_exec_suffix(struct event_buffer *b, __u64 task_address, __u64 envp) {
	struct task_struct *task = (void *)task_address;

	if (!b)
		return 0;
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct file *exe = BPF_CORE_READ(mm, exe_file);
	struct inode *inode = BPF_CORE_READ(exe, f_inode);
	__u64 inheritable = 0, permitted = 0, effective = 0, ctime = 0, mtime = 0;

	if (envp)
		ev_len(b, (__u16)ev_put_user_strings(b, envp, 0)); /* 16 env */
	else
		ev_env_from_mm(b, (__u64)mm);
	ev_u32(b, task_tty(task));                          /* 17 tty */
	ev_s64(b, task_virtual_id(task, PIDTYPE_PGID));     /* 18 vpgid */
	ev_u32(b, task_loginuid(task));                     /* 19 loginuid */
	ev_u32(b, exe_flags(task_address));                 /* 20 flags */
	task_caps(task, &inheritable, &permitted, &effective);
	ev_u64(b, inheritable);                             /* 21 cap_inheritable */
	ev_u64(b, permitted);                               /* 22 cap_permitted */
	ev_u64(b, effective);                               /* 23 cap_effective */
	ev_u64(b, inode ? BPF_CORE_READ(inode, i_ino) : 0); /* 24 exe_ino */
	if (inode)
		inode_times(inode, &ctime, &mtime);
	ev_u64(b, ctime);                                   /* 25 exe_ino_ctime */
	ev_u64(b, mtime);                                   /* 26 exe_ino_mtime */
	/* LIMIT: uid and gid are the host (initial user namespace) ids, not the ids as a process
	 * in its own user namespace sees them, so user.uid differs inside rootless containers. */
	ev_u32(b, task_euid(task));                         /* 27 uid */
	if (exe)                                            /* 28 trusted_exepath */
		ev_len(b, (__u16)ev_put_path(b, (__u64)BPF_CORE_READ(exe, f_path.dentry),
					     (__u64)BPF_CORE_READ(exe, f_path.mnt)));
	else
		ev_empty(b);
	ev_s64(b, task_global_id(task, PIDTYPE_PGID));      /* 29 pgid */
	ev_u32(b, task_egid(task));                         /* 30 gid */
	return 0;
}

/* A successful exec, seen after the new image is in place. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) {
	struct task_struct *task = current_task();

	if (!slot_enabled(__NR_execve) && !slot_enabled(__NR_execveat))
		return 0;
	if (is_loader() || (BPF_CORE_READ(task, flags) & LX_PF_KTHREAD))
		return 0;
	struct event_buffer *b = ev_begin(SCAP_EXECVE_19_X, 31, HC_DROP_FULL_PROC);
	if (!b)
		return 0;
	ev_s64(b, 0);                                       /* 1 res */
	ev_exe_args_from_mm(b, (__u64)BPF_CORE_READ(task, mm)); /* 2 exe, 3 args */
	ev_task_prefix(b, (__u64)task);                     /* 4..14 */
	ev_cgroups(b, (__u64)task);                         /* 15 cgroups */
	ev_exec_suffix(b, (__u64)task, 0);                  /* 16..30 */
	ev_str(b, BPF_CORE_READ(bprm, filename), 0);        /* 31 filename */
	ev_submit(b);
	return 0;
}

/* A failed execve or execveat; successful ones are reported by sched_exec. */
static __always_inline int exec_failed(struct pt_regs *regs, long ret, int at) {
	if (ret == 0)
		return 0;
	struct task_struct *task = current_task();
	struct event_buffer *b = ev_begin(at ? SCAP_EXECVEAT_X : SCAP_EXECVE_19_X, at ? 30 : 31,
					  HC_DROP_FULL_PROC);
	if (!b)
		return 0;
	const char *const *argv = (const char *const *)syscall_arg(regs, at ? 2 : 1);
	const char *first = 0;

	ev_s64(b, ret);                                     /* 1 res */
	bpf_probe_read_user(&first, sizeof(first), argv);
	ev_str(b, first, 1);                                /* 2 exe */
	ev_len(b, (__u16)ev_put_user_strings(b, (__u64)argv, 1)); /* 3 args */
	ev_task_prefix(b, (__u64)task);                     /* 4..14 */
	ev_cgroups(b, (__u64)task);                         /* 15 cgroups */
	ev_exec_suffix(b, (__u64)task, syscall_arg(regs, at ? 3 : 2)); /* 16..30 */
	if (!at)                                            /* 31 filename */
		ev_str(b, (const void *)syscall_arg(regs, 0), 1);
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_execve) { return exec_failed(regs, ret, 0); }
EXIT_HANDLER(exit_execveat) { return exec_failed(regs, ret, 1); }

/* Clone family exit, in the parent (ret = child tid) and in the child (ret = 0). */
static __always_inline int clone_exit(struct pt_regs *regs, long ret, __u16 type,
				      __u64 raw_flags) {
	struct task_struct *task = current_task();
	struct event_buffer *b = ev_begin(type, 21, HC_DROP_FULL_PROC);
	if (!b)
		return 0;
	__u32 flags = scap_clone_flags(raw_flags);

	ev_s64(b, ret);                                     /* 1 res */
	if (ret >= 0) {
		ev_exe_args_from_mm(b, (__u64)BPF_CORE_READ(task, mm)); /* 2 exe, 3 args */
	} else {
		ev_empty(b);
		ev_empty(b);
	}
	ev_task_prefix(b, (__u64)task);                     /* 4..14 */
	ev_cgroups(b, (__u64)task);                         /* 15 cgroups */
	if (task_in_child_pidns(task))
		flags |= SCAP_CL_CHILD_IN_PIDNS;
	ev_u32(b, flags);                                   /* 16 flags */
	ev_u32(b, task_euid(task));                         /* 17 uid */
	ev_u32(b, task_egid(task));                         /* 18 gid */
	ev_s64(b, task_virtual_id(task, PIDTYPE_PID));      /* 19 vtid */
	ev_s64(b, task_virtual_id(task, PIDTYPE_TGID));     /* 20 vpid */
	if (ret == 0) {                                     /* 21 pidns_init_start_ts */
		struct pid *pid = BPF_CORE_READ(task, thread_pid);
		__u32 level = BPF_CORE_READ(pid, level);
		struct upid upid = {};

		bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
		ev_u64(b, BPF_CORE_READ(upid.ns, child_reaper, start_time));
	} else {
		ev_u64(b, 0);
	}
	ev_submit(b);
	return 0;
}

EXIT_HANDLER(exit_clone) { return clone_exit(regs, ret, SCAP_CLONE_20_X, syscall_arg(regs, 0)); }
EXIT_HANDLER(exit_fork) { return clone_exit(regs, ret, SCAP_FORK_20_X, 0); }
EXIT_HANDLER(exit_vfork) {
	return clone_exit(regs, ret, SCAP_VFORK_20_X, LX_CLONE_VM | LX_CLONE_VFORK);
}
EXIT_HANDLER(exit_clone3) {
	__u64 flags = 0;

	/* struct clone_args starts with the u64 flags */
	bpf_probe_read_user(&flags, sizeof(flags), (void *)syscall_arg(regs, 0));
	return clone_exit(regs, ret, SCAP_CLONE3_X, flags);
}

/* The tid of a live thread in the same group, or 0 when the whole group is gone. */
static __always_inline __s64 live_group_thread(struct task_struct *task) {
	struct signal_struct *signal = BPF_CORE_READ(task, signal);
	struct list_head *head = &signal->thread_head;
	struct list_head *node = BPF_CORE_READ(head, next);

	for (int i = 0; i < 32 && node != head; i++) {
		struct task_struct *t = (void *)node - bpf_core_field_offset(struct task_struct,
									       thread_node);
		if (!(BPF_CORE_READ(t, flags) & 0x4)) /* PF_EXITING */
			return BPF_CORE_READ(t, pid);
		node = BPF_CORE_READ(t, thread_node.next);
	}
	return 0;
}

/* Most ancestors searched for a child subreaper when a process exits. */
#define SUBREAPER_SEARCH_DEPTH 16

/*
 * Where the kernel moves the children of an exiting thread (its find_new_reaper): another live
 * thread of the process; else the nearest ancestor in the same pid namespace that made itself a
 * child subreaper (conmon, containerd-shim, systemd --user), so that a process `podman exec`
 * started is adopted by conmon once runc exits; else the namespace's init.
 */
static __always_inline __s64 exit_reaper(struct task_struct *task) {
	__s64 reaper = live_group_thread(task);
	if (reaper)
		return reaper;
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	struct signal_struct *signal = BPF_CORE_READ(task, signal);

	if (BPF_CORE_READ_BITFIELD_PROBED(signal, has_child_subreaper)) {
		struct task_struct *ancestor = BPF_CORE_READ(task, real_parent);

		/* LIMIT: an ancestor deeper than SUBREAPER_SEARCH_DEPTH is not searched. */
		for (int i = 0; i < SUBREAPER_SEARCH_DEPTH && ancestor; i++) {
			/* init_task (pid 0) ends the chain, as does leaving the namespace. */
			if (BPF_CORE_READ(ancestor, pid) == 0 ||
			    BPF_CORE_READ(ancestor, thread_pid, level) != level)
				break;
			struct signal_struct *theirs = BPF_CORE_READ(ancestor, signal);

			if (BPF_CORE_READ_BITFIELD_PROBED(theirs, is_child_subreaper)) {
				reaper = live_group_thread(ancestor);
				if (reaper)
					return reaper;
			}
			ancestor = BPF_CORE_READ(ancestor, real_parent);
		}
	}
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(upid.ns, child_reaper, pid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit, struct task_struct *task) {
	if (!slot_enabled(HARRIER_SLOT_PROCEXIT) || is_loader())
		return 0;
	struct event_buffer *b = ev_begin(SCAP_PROCEXIT_1_E, 5, HC_DROP_FULL_PROC);
	if (!b)
		return 0;
	__s32 code = BPF_CORE_READ(task, exit_code);
	__u8 sig = code & 0x7f;
	__s64 reaper = 0;

	ev_s64(b, code);                                    /* 1 status */
	ev_s64(b, (code >> 8) & 0xff);                      /* 2 ret */
	ev_u8(b, sig != 0 && sig != 0x7f ? sig : 0);        /* 3 sig */
	ev_u8(b, (code & 0x80) != 0);                       /* 4 core */
	struct list_head *children = &task->children;
	if (BPF_CORE_READ(children, next) != children)
		reaper = exit_reaper(task);
	ev_s64(b, reaper);                                  /* 5 reaper_tid */
	ev_submit(b);
	return 0;
}

/* prctl options whose second argument is not a plain number (uapi linux/prctl.h). */
#define LX_PR_SET_NAME 15
#define LX_PR_GET_NAME 16
#define LX_PR_GET_CHILD_SUBREAPER 37

/*
 * prctl: res, option (scap keeps Linux's numbers), arg2_str (the name for PR_SET_NAME and
 * PR_GET_NAME), arg2_int (arg2 itself, or the flag PR_GET_CHILD_SUBREAPER read back). The
 * state engine needs PR_SET_CHILD_SUBREAPER: a subreaper adopts its descendants' orphans.
 */
EXIT_HANDLER(exit_prctl) {
	struct event_buffer *b = ev_begin(SCAP_PRCTL_X, 4, HC_DROP_FULL_PROC);
	if (!b)
		return 0;
	__u32 option = (__u32)syscall_arg(regs, 0);
	__u64 arg2 = syscall_arg(regs, 1);
	int is_name = option == LX_PR_SET_NAME || option == LX_PR_GET_NAME;
	__s64 value = is_name ? 0 : (__s64)arg2;

	if (option == LX_PR_GET_CHILD_SUBREAPER) {
		int flag = 0;

		bpf_probe_read_user(&flag, sizeof(flag), (const void *)arg2);
		value = flag;
	}
	/* Parameters in one straight line: the verifier keeps the event length bounded. */
	ev_s64(b, ret);
	ev_u32(b, option);
	ev_str(b, is_name ? (const void *)arg2 : 0, 1); /* empty unless a name */
	ev_s64(b, value);
	ev_submit(b);
	return 0;
}

#endif
