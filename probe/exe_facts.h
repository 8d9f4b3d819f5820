/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Facts about a process's executable for the flags parameter of execve events (scap's
 * PPM_EXE_* bits): whether the task could write it, which overlayfs layer it comes from, and
 * whether it is a memfd. They feed proc.is_exe_writable, proc.is_exe_upper_layer,
 * proc.is_exe_lower_layer and proc.is_exe_from_memfd, with libscap's meanings.
 */
#ifndef HARRIER_EXE_FACTS_H
#define HARRIER_EXE_FACTS_H

#define LX_OVERLAYFS_SUPER_MAGIC 0x794c7630
#define LX_SB_RDONLY 1
#define LX_S_IMMUTABLE 8
#define LX_CAP_DAC_OVERRIDE 1
#define LX_CAP_FOWNER 3
#define LX_MAY_WRITE 2
/* A user namespace keeps up to this many id ranges inline; more move to a separate array. */
#define UID_GID_INLINE_EXTENTS 5
/* Enough halvings for a binary search over the kernel's 65536 supplementary groups. */
#define GROUP_SEARCH_STEPS 17

/* overlayfs's inode wraps the VFS inode; the upper-layer dentry follows it. */
struct ovl_inode___harrier {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
};

static __always_inline int file_is_memfd(struct file *file) {
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	char prefix[7] = {};

	if (!dentry || BPF_CORE_READ(dentry, d_parent) != dentry)
		return 0;
	bpf_probe_read_kernel_str(prefix, sizeof(prefix), BPF_CORE_READ(dentry, d_name.name));
	return prefix[0] == 'm' && prefix[1] == 'e' && prefix[2] == 'm' && prefix[3] == 'f' &&
	       prefix[4] == 'd' && prefix[5] == ':';
}

/*
 * SCAP_EXE_UPPER_LAYER when the file sits on overlayfs and has a copy in the writable upper
 * layer (written or copied up in the container), SCAP_EXE_LOWER_LAYER when it comes from the
 * image's read-only layers only, 0 off overlayfs.
 */
static __always_inline __u32 overlay_layer(struct file *file) {
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct dentry *upper = 0;
	__u64 offset;

	if (!inode || BPF_CORE_READ(dentry, d_sb, s_magic) != LX_OVERLAYFS_SUPER_MAGIC)
		return 0;
	if (bpf_core_field_exists(struct ovl_inode___harrier, __upperdentry))
		offset = bpf_core_field_offset(struct ovl_inode___harrier, __upperdentry) -
			 bpf_core_field_offset(struct ovl_inode___harrier, vfs_inode);
	else /* overlayfs's types not in BTF: its upper dentry directly follows the VFS inode */
		offset = bpf_core_type_size(struct inode);
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)inode + offset);
	if (upper && BPF_CORE_READ(upper, d_inode, i_ino) != 0)
		return SCAP_EXE_UPPER_LAYER;
	return SCAP_EXE_LOWER_LAYER;
}

/*
 * Whether kernel id `id` has a mapping in a user namespace's id map.
 * LIMIT: maps of more than five ranges (kept outside the map itself) count every id as
 * unmapped, so root in such a namespace gets no capability-based writability.
 */
static __always_inline int id_mapped(struct uid_gid_map *map, __u32 id) {
	__u32 ranges = BPF_CORE_READ(map, nr_extents);

	for (int i = 0; i < UID_GID_INLINE_EXTENTS; i++) {
		if (i >= ranges)
			break;
		__u32 first = BPF_CORE_READ(map, extent[i].lower_first);
		__u32 count = BPF_CORE_READ(map, extent[i].count);

		if (id >= first && id - first < count)
			return 1;
	}
	return 0;
}

/* Whether `gid` is among the task's supplementary groups (kept sorted by the kernel). */
static __always_inline int in_groups(const struct cred *cred, __u32 gid) {
	struct group_info *groups = BPF_CORE_READ(cred, group_info);
	__u32 low = 0, high;

	if (!groups)
		return 0;
	high = BPF_CORE_READ(groups, ngroups);
	for (int i = 0; i < GROUP_SEARCH_STEPS && low < high; i++) {
		__u32 middle = (low + high) / 2;
		__u32 value = 0;

		bpf_core_read(&value, sizeof(value), &groups->gid[middle & 0xffff]);
		if (value == gid)
			return 1;
		if (gid > value)
			low = middle + 1;
		else
			high = middle;
	}
	return 0;
}

/*
 * Whether the task may write the inode, the way libscap judges it: never on a read-only
 * superblock or for an immutable file; always for the owner; otherwise by the owner, group or
 * other write bit, then by CAP_DAC_OVERRIDE or CAP_FOWNER over ids its namespace maps.
 * LIMIT: POSIX ACLs and security modules are not consulted.
 */
static __always_inline int inode_writable(struct task_struct *task, struct inode *inode) {
	const struct cred *cred = BPF_CORE_READ(task, cred);
	__u16 mode = BPF_CORE_READ(inode, i_mode);
	__u16 type = mode & LX_S_IFMT;
	__u32 owner = BPF_CORE_READ(inode, i_uid.val);
	__u32 group = BPF_CORE_READ(inode, i_gid.val);
	__u32 fsuid = BPF_CORE_READ(cred, fsuid.val);
	__u64 inheritable, permitted, effective;

	if ((BPF_CORE_READ(inode, i_sb, s_flags) & LX_SB_RDONLY) &&
	    (type == LX_S_IFREG || type == LX_S_IFDIR || type == LX_S_IFLNK))
		return 0;
	if (BPF_CORE_READ(inode, i_flags) & LX_S_IMMUTABLE)
		return 0;
	if (owner == (__u32)-1 || group == (__u32)-1)
		return 0;
	if (owner == fsuid)
		return 1;
	if (group == BPF_CORE_READ(cred, fsgid.val) || in_groups(cred, group))
		mode >>= 3;
	if (mode & LX_MAY_WRITE)
		return 1;

	struct user_namespace *ns = BPF_CORE_READ(cred, user_ns);
	if (!ns)
		return 0;
	int owner_mapped = id_mapped(&ns->uid_map, owner);
	int group_mapped = id_mapped(&ns->gid_map, group);
	task_caps(task, &inheritable, &permitted, &effective);
	if ((effective & (1ull << LX_CAP_DAC_OVERRIDE)) && owner_mapped && group_mapped)
		return 1;
	return (effective & (1ull << LX_CAP_FOWNER)) && owner_mapped;
}

/* Param "flags" of an execve event for the task's current executable. */
__noinline __u32 exe_flags(__u64 task_address) {
	struct task_struct *task = (void *)task_address;
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct inode *inode = BPF_CORE_READ(exe, f_inode);
	__u32 flags = 0;

	if (!exe || !inode)
		return 0;
	if (inode_writable(task, inode))
		flags |= SCAP_EXE_WRITABLE;
	flags |= overlay_layer(exe);
	if (file_is_memfd(exe))
		flags |= SCAP_EXE_FROM_MEMFD;
	return flags;
}

#endif
