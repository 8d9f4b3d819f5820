/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Facts about a task, a file descriptor or an inode, read with CO-RE so one object file runs on
 * any kernel with BTF. Field names that moved between kernel versions have a `___flavor` twin.
 */
#ifndef HARRIER_TASK_FACTS_H
#define HARRIER_TASK_FACTS_H

struct kernfs_node___before_6_15 {
	struct kernfs_node *parent;
};

struct inode___before_6_11 {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
};

struct inode___before_6_6 {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
};

struct kernel_cap_struct___before_6_3 {
	__u32 cap[2];
};

struct cred___before_6_3 {
	struct kernel_cap_struct___before_6_3 cap_inheritable;
	struct kernel_cap_struct___before_6_3 cap_permitted;
	struct kernel_cap_struct___before_6_3 cap_effective;
};

/*
 * The current task as a plain address: every read goes through BPF_CORE_READ, and a plain
 * address (unlike a BTF pointer) may be handed to the probe's global functions.
 */
static __always_inline struct task_struct *current_task(void) {
	return (struct task_struct *)bpf_get_current_task();
}

/* The pid of `type` (PIDTYPE_*) for `task`, as seen from the task's own pid namespace. */
static __always_inline struct pid *task_pid_of(struct task_struct *task, int type) {
	if (type == PIDTYPE_PID)
		return BPF_CORE_READ(task, thread_pid);
	return BPF_CORE_READ(task, signal, pids[type]);
}

static __always_inline __s64 pid_number_at(struct pid *pid, __u32 level) {
	struct upid upid = {};

	if (!pid)
		return 0;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

/* The number of `type` in the initial pid namespace. */
static __always_inline __s64 task_global_id(struct task_struct *task, int type) {
	return pid_number_at(task_pid_of(task, type), 0);
}

/* The number of `type` as the task itself sees it (its innermost pid namespace). */
static __always_inline __s64 task_virtual_id(struct task_struct *task, int type) {
	struct pid *own = BPF_CORE_READ(task, thread_pid);
	struct pid *pid = task_pid_of(task, type);
	__u32 level = BPF_CORE_READ(own, level);
	struct upid mine = {}, theirs = {};

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	bpf_core_read(&mine, sizeof(mine), &own->numbers[level & 31]);
	bpf_core_read(&theirs, sizeof(theirs), &pid->numbers[level & 31]);
	return mine.ns == theirs.ns ? theirs.nr : 0;
}

static __always_inline int task_in_child_pidns(struct task_struct *task) {
	return BPF_CORE_READ(task, thread_pid, level) > 0;
}

static __always_inline __u64 task_fdlimit(struct task_struct *task) {
	return BPF_CORE_READ(task, signal, rlim[7].rlim_cur); /* RLIMIT_NOFILE */
}

/* An rss_stat counter in pages (the approximate global count, as /proc shows it). */
static __always_inline __s64 mm_counter(struct mm_struct *mm, int member) {
	__s64 value = 0;

	bpf_core_read(&value, sizeof(value), &mm->rss_stat[member & 3].count);
	return value > 0 ? value : 0;
}

/* Memory facts in KiB: size of the address space, resident set, swapped out. */
static __always_inline void mm_usage_kb(struct mm_struct *mm, __u32 *size, __u32 *rss,
					__u32 *swap) {
	*size = *rss = *swap = 0;
	if (!mm)
		return;
	/* rss_stat members: MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES. */
	*size = (__u32)(BPF_CORE_READ(mm, total_vm) * 4);
	*rss = (__u32)((mm_counter(mm, 0) + mm_counter(mm, 1) + mm_counter(mm, 3)) * 4);
	*swap = (__u32)(mm_counter(mm, 2) * 4);
}

/* The controlling terminal as a device number in the kernel's user-facing encoding. */
static __always_inline __u32 task_tty(struct task_struct *task) {
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);

	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline __u32 task_loginuid(struct task_struct *task) {
	return BPF_CORE_READ(task, loginuid.val);
}

static __always_inline __u32 task_euid(struct task_struct *task) {
	return BPF_CORE_READ(task, cred, euid.val);
}

static __always_inline __u32 task_egid(struct task_struct *task) {
	return BPF_CORE_READ(task, cred, egid.val);
}

/* Capability sets as 64-bit masks; scap's PPM_CAP_* bits equal the kernel's CAP_* numbers. */
static __always_inline void task_caps(struct task_struct *task, __u64 *inheritable,
				      __u64 *permitted, __u64 *effective) {
	const struct cred *cred = BPF_CORE_READ(task, cred);

	if (bpf_core_field_exists(((kernel_cap_t *)0)->val)) {
		*inheritable = BPF_CORE_READ(cred, cap_inheritable.val);
		*permitted = BPF_CORE_READ(cred, cap_permitted.val);
		*effective = BPF_CORE_READ(cred, cap_effective.val);
		return;
	}
	struct cred___before_6_3 *old = (void *)cred;
	__u32 lo = BPF_CORE_READ(old, cap_inheritable.cap[0]);
	__u32 hi = BPF_CORE_READ(old, cap_inheritable.cap[1]);
	*inheritable = ((__u64)hi << 32) | lo;
	lo = BPF_CORE_READ(old, cap_permitted.cap[0]);
	hi = BPF_CORE_READ(old, cap_permitted.cap[1]);
	*permitted = ((__u64)hi << 32) | lo;
	lo = BPF_CORE_READ(old, cap_effective.cap[0]);
	hi = BPF_CORE_READ(old, cap_effective.cap[1]);
	*effective = ((__u64)hi << 32) | lo;
}

/*
 * The open file behind descriptor `fd` of the current task, or NULL. The walk to the table uses
 * the task's BTF pointer (plain loads); only the slot itself needs a probe read.
 */
static __always_inline struct file *fd_file(__s64 fd) {
	struct file **table;
	struct file *file = 0;

	if (fd < 0 || fd > 0xfffffff)
		return 0;
	table = bpf_get_current_task_btf()->files->fdt->fd;
	if (!table)
		return 0;
	bpf_core_read(&file, sizeof(file), &table[fd]);
	return file;
}

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * Device (scap's encoding of s_dev) and inode number of an open file. Cast to a BTF pointer,
 * the walk is plain (fault-safe) loads rather than four probe-read calls: on every open.
 */
static __always_inline void file_dev_ino(struct file *file, __u32 *dev, __u64 *ino) {
	struct inode *inode = ((struct file *)bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file)))->f_inode;
	__u32 s_dev = inode->i_sb->s_dev;
	__u32 major = s_dev >> 20, minor = s_dev & 0xfffff;

	*dev = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	*ino = inode->i_ino;
}

static __always_inline __u64 to_ns(__s64 sec, __s64 nsec) {
	return (__u64)sec * 1000000000ull + (__u64)nsec;
}

/* Change and modification times of an inode in ns since the epoch. */
static __always_inline void inode_times(struct inode *inode, __u64 *ctime, __u64 *mtime) {
	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		*ctime = to_ns(BPF_CORE_READ(inode, i_ctime_sec), BPF_CORE_READ(inode, i_ctime_nsec));
		*mtime = to_ns(BPF_CORE_READ(inode, i_mtime_sec), BPF_CORE_READ(inode, i_mtime_nsec));
		return;
	}
	struct inode___before_6_11 *mid = (void *)inode;
	if (bpf_core_field_exists(mid->__i_ctime)) {
		*ctime = to_ns(BPF_CORE_READ(mid, __i_ctime.tv_sec),
			       BPF_CORE_READ(mid, __i_ctime.tv_nsec));
		*mtime = to_ns(BPF_CORE_READ(mid, __i_mtime.tv_sec),
			       BPF_CORE_READ(mid, __i_mtime.tv_nsec));
		return;
	}
	struct inode___before_6_6 *old = (void *)inode;
	*ctime = to_ns(BPF_CORE_READ(old, i_ctime.tv_sec), BPF_CORE_READ(old, i_ctime.tv_nsec));
	*mtime = to_ns(BPF_CORE_READ(old, i_mtime.tv_sec), BPF_CORE_READ(old, i_mtime.tv_nsec));
}

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn) {
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___before_6_15 *)kn, parent);
}

#endif
