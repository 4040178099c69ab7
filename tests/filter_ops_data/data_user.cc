// SPDX-License-Identifier: GPL-2.0-or-later
//
// data_user: the user filter of user_filter_test.cc (`fusebpf mount
// --user-filter`, built with fusebpf_add_user_filter()), with user_ops.bpf.c
// deciding what reaches it.  It serves the data side of virtual nodes and
// part of a real file:
//   /virt          a virtual regular file (virt_data), opened FOPEN_DIRECT_IO
//   /vdir          a virtual directory listing "a" and "b", two virtual
//                  files ("A\n", "B\n"), one readdir batch per request with
//                  off cookies 1, 2
//   / (listing)    post_readdir adds "virt" to the root's real listing, at
//                  the end (off cookie INT64_MAX - 1: reading on from there
//                  is the end of the backing directory, and adds nothing)
//   /partial       a real file whose READ at offset 0 is answered here
//                  (bytes 'U'); reads at other offsets are declined and come
//                  from the backing file (the patch sets' bpf_test_partial)
// Everything else is declined / CONTINUE.
#include "daemon/filter/user_filter.h"

#include <fusebpf/fuse_wire.h>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace {

using fusebpf::filter::user_io;

constexpr std::uint64_t virt_key = 0xda7a01;
constexpr std::uint64_t vdir_key = 0xda7a02;
constexpr std::uint64_t a_key = 0xda7a03;
constexpr std::uint64_t b_key = 0xda7a04;
// Not INT64_MAX: ext4 gives that cookie to its last entry itself.
constexpr std::uint64_t end_cookie = INT64_MAX - 1;
constexpr std::string_view virt_data = "served by the user filter\n";

std::string_view name_of(const fusebpf_name &n)
{
	return {n.name, std::min<std::size_t>(n.len, FUSEBPF_NAME_MAX)};
}

// The contents of a virtual file key ("" for none).
std::string_view data_of(std::uint64_t key)
{
	switch (key) {
	case virt_key:
		return virt_data;
	case a_key:
		return "A\n";
	case b_key:
		return "B\n";
	default:
		return {};
	}
}

bool fill_attr(std::uint64_t key, fuse_attr &a)
{
	a = {};
	a.ino = key;
	a.nlink = 1;
	a.blksize = 4096;
	if (key == vdir_key) {
		a.mode = S_IFDIR | 0555;
		a.nlink = 2;
		return true;
	}
	if (data_of(key).empty())
		return false;
	a.mode = S_IFREG | 0444;
	a.size = data_of(key).size();
	a.blocks = 1;
	return true;
}

void add_entry(fusebpf_dirent_batch &b, std::string_view name, std::uint64_t ino, std::uint64_t off)
{
	if (b.count >= FUSEBPF_READDIR_BATCH)
		return;
	fusebpf_dirent &e = b.entries[b.count++];
	e = {};
	e.ino = ino;
	e.off = off;
	e.type = DT_REG;
	e.namelen = static_cast<__u32>(name.size());
	std::memcpy(e.name, name.data(), name.size());
}

class data_user_filter : public fusebpf::filter::user_filter {
public:
	explicit data_user_filter(std::string) {}

	std::string name() const override { return "ops_data_user"; }

	int handle_lookup(fusebpf_lookup_ctx &ctx, user_io &io) override
	{
		std::string_view name = name_of(ctx.name);
		std::uint64_t key = 0;
		if (io.virtual_key == vdir_key)
			key = name == "a" ? a_key : name == "b" ? b_key : 0;
		else if (io.virtual_key == 0)
			key = name == "virt" ? virt_key : name == "vdir" ? vdir_key : 0;
		if (!key)
			return io.virtual_key ? -ENOENT : declined;
		fill_attr(key, ctx.out.entry.attr);
		io.child.virtual_key = key;
		return 0;
	}

	int post_lookup(fusebpf_lookup_ctx &ctx, user_io &) override
	{
		if (ctx.meta.error_in == 0 && name_of(ctx.name) == "partial") {
			std::lock_guard lock(mutex_);
			partial_.insert(ctx.out.entry.nodeid);
		}
		return BPF_FUSE_CONTINUE;
	}

	int handle_getattr(fusebpf_getattr_ctx &ctx, user_io &io) override
	{
		return fill_attr(io.virtual_key, ctx.out.attr) ? 0 : declined;
	}

	int handle_open(fusebpf_open_ctx &ctx, user_io &io) override
	{
		if (data_of(io.virtual_key).empty())
			return declined;
		ctx.out.open_flags = FOPEN_DIRECT_IO;
		return 0;
	}

	int handle_opendir(fusebpf_opendir_ctx &, user_io &io) override
	{
		return io.virtual_key == vdir_key ? 0 : declined;
	}

	int handle_read(fusebpf_read_ctx &ctx, user_io &io) override
	{
		if (io.virtual_key) {
			std::string_view data = data_of(io.virtual_key);
			std::size_t off = std::min<std::size_t>(ctx.in.offset, data.size());
			std::size_t n = std::min<std::size_t>(
			    {data.size() - off, ctx.in.size, io.data_out.size()});
			std::memcpy(io.data_out.data(), data.data() + off, n);
			ctx.out.size = static_cast<std::uint32_t>(n);
			return 0;
		}
		if (ctx.in.offset != 0 || !is_partial(ctx.meta.nodeid))
			return declined;
		std::size_t n = std::min<std::size_t>(ctx.in.size, io.data_out.size());
		std::memset(io.data_out.data(), 'U', n);
		ctx.out.size = static_cast<std::uint32_t>(n);
		return 0;
	}

	int handle_readdir(fusebpf_readdir_ctx &ctx, user_io &io) override
	{
		if (io.virtual_key != vdir_key)
			return declined;
		ctx.out = {};
		if (ctx.in.offset < 1)
			add_entry(ctx.out, "a", a_key, 1);
		if (ctx.in.offset < 2)
			add_entry(ctx.out, "b", b_key, 2);
		if (ctx.out.count == 0)
			ctx.out.flags |= FUSEBPF_READDIR_EOF;
		return 0;
	}

	int post_readdir(fusebpf_readdir_ctx &ctx, user_io &) override
	{
		if (ctx.meta.error_in == 0 && ctx.meta.nodeid == FUSE_ROOT_ID &&
		    (ctx.out.flags & FUSEBPF_READDIR_EOF) && ctx.in.offset != end_cookie)
			add_entry(ctx.out, "virt", virt_key, end_cookie);
		return BPF_FUSE_CONTINUE;
	}

private:
	bool is_partial(std::uint64_t nodeid)
	{
		std::lock_guard lock(mutex_);
		return partial_.count(nodeid) != 0;
	}

	std::mutex mutex_;
	std::set<std::uint64_t> partial_; // nodeids of "partial", under mutex_
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(data_user_filter)
