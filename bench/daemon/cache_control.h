// SPDX-License-Identifier: GPL-2.0-or-later
//
// cache_control: how fusebpf-bench makes a "cold" measurement cold.
//
// drop_caches() syncs, then writes 3 to /proc/sys/vm/drop_caches (page cache,
// dentries and inodes), waits, and drops again. The second drop matters for
// FUSE: evicting a FUSE inode only queues a FORGET to the daemon, and the
// daemon closes its O_PATH fd on the backing inode when it processes it; only
// after that can a drop evict the backing file system's dentry and inode.
// After drop_caches(), every configuration starts from the same state: the
// kernel knows no FUSE inode (each stat is a LOOKUP round trip), the daemon
// has forgotten its inodes, and the backing ext4 inodes and file data come
// from the disk (on this VM: the virtio disk, which the host may cache).
//
// Limits: needs root; it drops the caches of the whole machine.
#pragma once

namespace fusebpf::bench {

// Throws std::runtime_error (with the errno text) if the caches cannot be
// dropped, e.g. when not root.
void drop_caches();

} // namespace fusebpf::bench
