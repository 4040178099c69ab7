// SPDX-License-Identifier: GPL-2.0-or-later
//
// Protocol housekeeping: INIT negotiation, DESTROY, INTERRUPT, FORGET and
// BATCH_FORGET. None of these touch the backing tree.
//
// INIT choices (and why):
//   - protocol 7.40 (passthrough) and lower minors down to
//     FUSEBPF_MIN_KERNEL_MINOR; features are only asked for when the
//     negotiated minor has them.
//   - FUSE_PASSTHROUGH with max_stack_depth 1: the backing dir must sit on a
//     non-stacked fs (ext4, xfs, tmpfs, ...) for passthrough, and our mount
//     stays stackable (overlayfs on top still works). Writeback cache stays
//     off: the kernel silently disables passthrough with it. A kernel that
//     does not offer passthrough gets a warning and the classic data path;
//     the mount does not fail (passthrough is a speed-up, not semantics).
//   - no FUSE_AUTO_INVAL_DATA: passthrough data never sits in the FUSE page
//     cache, so auto-invalidation buys nothing there, and it costs a GETATTR
//     before reads on the classic path when attr_timeout is short. Classic
//     opens do not set FOPEN_KEEP_CACHE, so each open drops stale pages
//     (close-to-open consistency, also for changes made in the backing dir).
//   - FUSE_DONT_MASK: the kernel hands us the umask and the backing fs
//     applies it (caller_creds.h: umask_scope), so default ACLs work as
//     natively.
//   - FUSE_HANDLE_KILLPRIV_V2: backing writes, truncates and chowns run as
//     the caller, so the backing fs clears set-user-ID bits itself exactly
//     as natively, and the kill flags the kernel sends with WRITE, SETATTR
//     and OPEN (FUSE_WRITE_KILL_SUIDGID, FATTR_KILL_SUIDGID,
//     FUSE_OPEN_KILL_SUIDGID) cover a root caller without CAP_FSETID
//     (kill_suidgid()); agreeing it sets SB_NOSEC, which spares a
//     security.capability GETXATTR before every write(2). FALLOCATE carries
//     no kill flag: the backing fallocate as the caller clears them.
//   - FUSE_EXPORT_SUPPORT: the kernel then decodes its file handles
//     (nodeid, generation) of inodes it has dropped by sending LOOKUP "."
//     on the nodeid, and finds a directory's parent with LOOKUP ".."
//     (ops/lookup.cc); the inode table keeps forgotten nodes' backing
//     handles for that (inode_table.h), so name_to_handle_at /
//     open_by_handle_at through the mount work as on the backing fs.
//   - FUSE_OVER_IO_URING unless --transport dev (daemon.cc then registers
//     the rings; INIT itself is always answered on /dev/fuse).
//   - max_write 1 MiB (FUSE_MAX_PAGES, 256 pages), readdirplus (auto),
//     parallel dirops, async read, atomic O_TRUNC, SETXATTR_EXT,
//     CREATE_SUPP_GROUP; POSIX and flock locks (ops/locks.cc).
#include "daemon/fuse/limits.h"
#include "daemon/ops/ops.h"
#include "daemon/session.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace fusebpf::daemon {

void op_init(request &req)
{
	fuse_init_in in;
	// Before 7.36 the kernel sends only the first 16 bytes (no flags2).
	if (!req.args().get_compat(in, 16))
		return req.reply_err(-EINVAL);

	fuse_init_out out = {};
	out.major = FUSE_KERNEL_VERSION;
	out.minor = FUSE_KERNEL_MINOR_VERSION;
	if (in.major > FUSE_KERNEL_VERSION) {
		// The kernel asks again with our major.
		return req.reply_bytes(&out, 8);
	}
	if (in.major < FUSE_KERNEL_VERSION || in.minor < FUSEBPF_MIN_KERNEL_MINOR) {
		spdlog::error("kernel FUSE protocol {}.{} is too old (need 7.{} or later)",
		              in.major, in.minor, FUSEBPF_MIN_KERNEL_MINOR);
		return req.reply_err(-EPROTO);
	}
	uint32_t minor = std::min<uint32_t>(in.minor, FUSE_KERNEL_MINOR_VERSION);
	uint64_t offered = in.flags;
	if (in.flags & FUSE_INIT_EXT)
		offered |= uint64_t(in.flags2) << 32;

	const session &s = req.sess();
	uint64_t want = FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_DONT_MASK |
	                FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS |
	                FUSE_MAX_PAGES | FUSE_ASYNC_DIO | FUSE_CACHE_SYMLINKS | FUSE_SETXATTR_EXT |
	                FUSE_INIT_EXT | FUSE_CREATE_SUPP_GROUP | FUSE_HANDLE_KILLPRIV_V2 |
	                FUSE_EXPORT_SUPPORT | FUSE_POSIX_LOCKS | FUSE_FLOCK_LOCKS;
	// FUSE over io_uring unless --transport dev; the kernel offers it only
	// with enable_uring on. daemon.cc starts the rings once INIT is answered.
	if (s.opts().transport != transport_kind::dev)
		want |= FUSE_OVER_IO_URING;
	bool want_passthrough = s.config().passthrough;
	if (want_passthrough && minor >= 40)
		want |= FUSE_PASSTHROUGH;
	uint64_t agreed = want & offered;

	if (want_passthrough && !(agreed & FUSE_PASSTHROUGH))
		spdlog::warn("the kernel does not offer FUSE passthrough (protocol 7.{}); "
		             "passthrough is off, file data takes the classic FUSE path",
		             in.minor);

	out.minor = minor;
	out.max_readahead = in.max_readahead;
	out.flags = static_cast<uint32_t>(agreed);
	out.flags2 = static_cast<uint32_t>(agreed >> 32);
	out.max_background = max_background;
	out.congestion_threshold = congestion_threshold;
	out.max_write = max_write;
	out.time_gran = 1;
	if (agreed & FUSE_MAX_PAGES)
		out.max_pages = max_write / 4096;
	if (agreed & FUSE_PASSTHROUGH)
		out.max_stack_depth = 1;

	connection_info conn;
	conn.minor = minor;
	conn.flags = agreed;
	conn.max_write = max_write;
	conn.max_readahead = in.max_readahead;
	conn.passthrough = (agreed & FUSE_PASSTHROUGH) != 0;

	spdlog::info("FUSE protocol 7.{} (kernel 7.{}), passthrough {}, max_write {}", minor,
	             in.minor, conn.passthrough ? "on" : "off", max_write);
	spdlog::debug("INIT flags offered {:#x}, agreed {:#x}", offered, agreed);

	// Before 7.23 the reply is shorter; older kernels reject extra bytes.
	size_t size = sizeof(out);
	if (minor < 23)
		size = 24; // FUSE_COMPAT_22_INIT_OUT_SIZE
	req.reply_bytes(&out, size);
	req.sess().set_conn(conn);
}

void op_destroy(request &req)
{
	spdlog::debug("DESTROY: the kernel is done with this mount");
	req.reply_ok();
}

void op_interrupt(request &req)
{
	const auto *in = req.args().get<fuse_interrupt_in>();
	if (!in)
		return req.reply_none();
	if (!req.sess().interrupts().interrupt(in->unique)) {
		// Not (yet) being served: EAGAIN makes the kernel queue the
		// INTERRUPT again, or drop it if the request is finished.
		return req.reply_err(-EAGAIN);
	}
	req.reply_none();
}

void op_forget(request &req)
{
	const auto *in = req.args().get<fuse_forget_in>();
	if (in)
		req.sess().inodes().forget(req.nodeid(), in->nlookup);
	req.reply_none();
}

void op_batch_forget(request &req)
{
	const auto *in = req.args().get<fuse_batch_forget_in>();
	if (in) {
		for (uint32_t i = 0; i < in->count; i++) {
			const auto *one = req.args().get<fuse_forget_one>();
			if (!one)
				break;
			req.sess().inodes().forget(one->nodeid, one->nlookup);
		}
	}
	req.reply_none();
}

} // namespace fusebpf::daemon
