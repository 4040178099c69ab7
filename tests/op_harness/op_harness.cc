// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_harness: a session on a backing dir, the capturing channel, and
// requests framed as the kernel frames them.
#include "tests/op_harness/op_harness.h"

#include "daemon/fuse/dispatch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <mutex>

namespace fusebpf::test {

fuse_args &fuse_args::str(std::string_view s)
{
	raw(s);
	bytes_.push_back(std::byte{0});
	return *this;
}

fuse_args &fuse_args::raw(std::string_view s)
{
	const auto *p = reinterpret_cast<const std::byte *>(s.data());
	bytes_.insert(bytes_.end(), p, p + s.size());
	return *this;
}

// The transport: every reply the daemon sends is parsed and kept. send()
// may run on any thread (the channel contract), hence the mutex.
class op_harness::capture_channel final : public daemon::channel {
public:
	int send(std::span<const struct iovec> iov) override
	{
		std::vector<std::byte> bytes;
		for (const auto &v : iov) {
			const auto *p = static_cast<const std::byte *>(v.iov_base);
			bytes.insert(bytes.end(), p, p + v.iov_len);
		}
		fuse_reply r;
		r.wire_size = bytes.size();
		std::memcpy(&r.hdr, bytes.data(), std::min(bytes.size(), sizeof(r.hdr)));
		if (bytes.size() > sizeof(r.hdr))
			r.payload.assign(bytes.begin() + sizeof(r.hdr), bytes.end());
		bool ok = bytes.size() >= sizeof(r.hdr) && r.well_formed();
		std::lock_guard lock(mutex_);
		replies_.push_back(std::move(r));
		return ok ? 0 : -EINVAL;
	}

	std::vector<fuse_reply> take()
	{
		std::lock_guard lock(mutex_);
		return std::exchange(replies_, {});
	}

private:
	std::mutex mutex_;
	std::vector<fuse_reply> replies_;
};

op_harness::op_harness(const std::string &backing_dir) : chan_(std::make_unique<capture_channel>())
{
	unique_fd root(::open(backing_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
	struct stat st {};
	if (!root || fstat(root.get(), &st) < 0) {
		error_ = backing_dir + ": " + std::strerror(errno);
		return;
	}
	daemon::daemon_config cfg;
	cfg.backing_dir = backing_dir;
	cfg.mountpoint = backing_dir; // nothing is mounted; names the session in logs
	cfg.passthrough = false;
	cfg.opts.transport = daemon::transport_kind::dev;
	sess_ = std::make_unique<daemon::session>(std::move(cfg), std::move(root), st);
	slot_ = &sess_->interrupts().add_worker();
}

op_harness::~op_harness() = default;

fuse_reply op_harness::init(uint32_t minor)
{
	fuse_init_in in = {};
	in.major = FUSE_KERNEL_VERSION;
	in.minor = minor;
	in.max_readahead = 128 * 1024;
	in.flags = UINT32_MAX;
	in.flags2 = UINT32_MAX;
	return call(FUSE_INIT, 0, fuse_args().add(in));
}

std::vector<fuse_reply> op_harness::send(uint32_t opcode, uint64_t nodeid, const fuse_args &args)
{
	fuse_in_header hdr = {};
	hdr.len = static_cast<uint32_t>(sizeof(hdr) + args.bytes().size());
	hdr.opcode = opcode;
	hdr.unique = unique_++;
	hdr.nodeid = nodeid;
	hdr.pid = static_cast<uint32_t>(getpid());
	std::vector<std::byte> bytes(hdr.len);
	std::memcpy(bytes.data(), &hdr, sizeof(hdr));
	if (!args.bytes().empty())
		std::memcpy(bytes.data() + sizeof(hdr), args.bytes().data(), args.bytes().size());
	return send_raw(bytes);
}

fuse_reply op_harness::call(uint32_t opcode, uint64_t nodeid, const fuse_args &args)
{
	auto replies = send(opcode, nodeid, args);
	if (replies.size() == 1)
		return std::move(replies.front());
	fuse_reply none;
	none.hdr.error = INT32_MIN;
	return none;
}

std::vector<fuse_reply> op_harness::send_raw(std::span<const std::byte> bytes)
{
	// The worker's buffer is 8-byte aligned (dispatch.h); so is this one.
	buf_.assign((bytes.size() + 7) / 8, 0);
	if (!bytes.empty())
		std::memcpy(buf_.data(), bytes.data(), bytes.size());
	daemon::dispatch(sess_->transport(), *sess_, *chan_, *slot_,
	                 {reinterpret_cast<const std::byte *>(buf_.data()), bytes.size()});
	return chan_->take();
}

fuse_reply op_harness::lookup(uint64_t parent, std::string_view name)
{
	return call(FUSE_LOOKUP, parent, fuse_args().str(name));
}

fuse_reply op_harness::getattr(uint64_t nodeid)
{
	return call(FUSE_GETATTR, nodeid, fuse_args().add(fuse_getattr_in{}));
}

} // namespace fusebpf::test
