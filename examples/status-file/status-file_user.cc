// SPDX-License-Identifier: GPL-2.0-or-later
//
// status-file_user.cc - a read-only virtual file, MNT/.fusebpf-status, that
// shows what this user filter counted since the mount: the ops it saw, per
// kind, and how long it has been loaded.  Nothing is stored in the backing
// directory.
//
//   handle_lookup   ".fusebpf-status" in the root (sent here by the BPF
//                   lookup prefilter): a virtual node (io.child.virtual_key)
//   handle_getattr, handle_open, handle_read
//                   on that node (the daemon sends its ops only here): the
//                   text is rendered at every read, so each `cat` is fresh;
//                   the open sets FOPEN_DIRECT_IO so the kernel neither
//                   caches the text nor trusts the size getattr gave
//   pre_<op>        every other op (USER_PREFILTER from BPF): one counter
//                   per op, then the backing op runs as usual
//
// Counters are atomics: hooks run on the daemon's worker threads at once.
// Built with `fusebpf build status-file_user.cc` (or fusebpf_add_user_filter()).
#include "daemon/filter/user_filter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>

namespace {

constexpr std::uint64_t status_key = 0x5354415455530001ull; // "STATUS", 1
constexpr char status_name[] = ".fusebpf-status";
constexpr std::uint64_t status_ino = 0xfffffffffff0ull; // far from backing inode numbers

class status_filter : public fusebpf::filter::user_filter {
public:
	explicit status_filter(const std::string &) : loaded_(clock::now()) {}

	std::string name() const override { return "status-file"; }

	int handle_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (ctx.meta.nodeid != FUSE_ROOT_ID || ctx.name.len != sizeof(status_name) - 1 ||
		    std::memcmp(ctx.name.name, status_name, ctx.name.len) != 0)
			return declined;
		fill_attr(ctx.out.entry.attr);
		io.child.virtual_key = status_key;
		return 0;
	}

	int handle_getattr(fusebpf_getattr_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (io.virtual_key != status_key)
			return declined;
		fill_attr(ctx.out.attr);
		return 0;
	}

	int handle_open(fusebpf_open_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (io.virtual_key != status_key)
			return declined;
		if ((ctx.in.flags & O_ACCMODE) != O_RDONLY)
			return -EACCES;
		ctx.out.open_flags = FOPEN_DIRECT_IO;
		return 0;
	}

	int handle_read(fusebpf_read_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (io.virtual_key != status_key)
			return declined;
		std::string text = render();
		std::size_t n = 0;
		if (ctx.in.offset < text.size()) {
			n = std::min<std::size_t>(
			    {text.size() - ctx.in.offset, ctx.in.size, io.data_out.size()});
			std::memcpy(io.data_out.data(), text.data() + ctx.in.offset, n);
		}
		ctx.out.size = static_cast<std::uint32_t>(n);
		return 0;
	}

#define STATUS_COUNT(NAME, name)                                                                   \
	int pre_##name(fusebpf_##name##_ctx &, fusebpf::filter::user_io &) override                \
	{                                                                                          \
		seen_[FUSEBPF_OP_##NAME].fetch_add(1, std::memory_order_relaxed);                  \
		return BPF_FUSE_CONTINUE;                                                          \
	}
	FUSEBPF_FILTER_OPS(STATUS_COUNT)
#undef STATUS_COUNT

private:
	using clock = std::chrono::steady_clock;

	// The text: one "name count" line per op seen at least once.
	std::string render() const
	{
		auto up = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - loaded_);
		std::string text = "fusebpf status (counted by the status-file user filter)\n";
		text += "uptime_seconds " + std::to_string(up.count()) + "\n";
		std::uint64_t total = 0;
		for (int op = 0; op < FUSEBPF_OP_COUNT; op++)
			total += seen_[op].load(std::memory_order_relaxed);
		text += "ops_total " + std::to_string(total) + "\n";
		for (int op = 0; op < FUSEBPF_OP_COUNT; op++)
			if (auto n = seen_[op].load(std::memory_order_relaxed))
				text += std::string(
				            fusebpf::filter::op_name(static_cast<fusebpf_op>(op))) +
				        " " + std::to_string(n) + "\n";
		return text;
	}

	void fill_attr(fuse_attr &attr) const
	{
		std::memset(&attr, 0, sizeof(attr));
		attr.ino = status_ino;
		attr.mode = S_IFREG | 0444;
		attr.nlink = 1;
		attr.size = render().size();
		attr.blksize = 4096;
		auto now = std::chrono::system_clock::now().time_since_epoch();
		attr.mtime = attr.ctime = attr.atime =
		    std::chrono::duration_cast<std::chrono::seconds>(now).count();
	}

	clock::time_point loaded_;
	std::array<std::atomic<std::uint64_t>, FUSEBPF_OP_COUNT> seen_{};
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(status_filter)
