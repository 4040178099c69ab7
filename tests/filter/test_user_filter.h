// SPDX-License-Identifier: GPL-2.0-or-later
//
// test_user_filter: the userspace filter the engine tests use, compiled both
// into a shared object (test_user_filter_lib.cc, loaded with
// load_user_filter) and straight into the test binary (the "custom daemon"
// way).  What it does, by op:
//   lookup  handle: "virtual.txt" -> a virtual regular file (key 7, 12 bytes,
//                   mode 0444), "virtual.dir" -> a virtual directory (key 8);
//                   "user_backing" -> declined (the backing fs answers);
//                   "user_child" -> declined, but the child gets table "none"
//           pre:    "upre" -> renamed to "target"
//           post:   error_in -ENOENT -> -ENOMEM (userspace remapping);
//                   success -> attr.uid = 4242
//   getattr handle: virtual key 7/8 -> their attributes; else declined
//           post:   attr.gid = 4343
//   read    handle: virtual key 7 -> "hello world\n" from in.offset;
//                   a backed file at offset 0 -> "HEAD" (serves the first
//                   block itself), other offsets declined
//   readdir handle: virtual key 8 -> one batch: "a" and "b", EOF
//   unlink  handle: throws (the engine must turn it into -EIO)
//   rmdir   handle: returns 7 (not a valid answer: -EIO)
//   mkdir   pre:    "userdeny" -> -EACCES
// The constructor's argument "refuse" makes the factory return nullptr.
#pragma once

#include "daemon/filter/user_filter.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fusebpf::filter_test {

inline std::string_view name_of(const fusebpf_name &n)
{
	return {n.name, std::min<std::size_t>(n.len, FUSEBPF_NAME_MAX)};
}

inline void set_name(fusebpf_name &n, std::string_view s)
{
	std::memset(n.name, 0, sizeof(n.name));
	std::memcpy(n.name, s.data(), s.size());
	n.len = static_cast<__u32>(s.size());
}

class test_user_filter : public filter::user_filter {
public:
	static constexpr std::uint64_t file_key = 7;
	static constexpr std::uint64_t dir_key = 8;
	static constexpr std::string_view file_data = "hello world\n";

	explicit test_user_filter(std::string arg = {}) : arg_(std::move(arg)) {}

	std::string name() const override { return "test_user_filter(" + arg_ + ")"; }

	int handle_lookup(fusebpf_lookup_ctx &ctx, filter::user_io &io) override
	{
		auto name = name_of(ctx.name);
		if (name == "virtual.txt") {
			fill_attr(ctx.out.entry.attr, file_key);
			io.child.virtual_key = file_key;
			return 0;
		}
		if (name == "virtual.dir") {
			fill_attr(ctx.out.entry.attr, dir_key);
			io.child.virtual_key = dir_key;
			return 0;
		}
		if (name == "user_child")
			io.child.table = filter::child_decision::table_action::remove;
		return declined;
	}
	int pre_lookup(fusebpf_lookup_ctx &ctx, filter::user_io &) override
	{
		if (name_of(ctx.name) == "upre")
			set_name(ctx.name, "target");
		return BPF_FUSE_CONTINUE;
	}
	int post_lookup(fusebpf_lookup_ctx &ctx, filter::user_io &) override
	{
		if (ctx.meta.error_in == -ENOENT)
			return -ENOMEM;
		ctx.out.entry.attr.uid = 4242;
		return BPF_FUSE_CONTINUE;
	}

	int handle_getattr(fusebpf_getattr_ctx &ctx, filter::user_io &io) override
	{
		if (io.virtual_key != file_key && io.virtual_key != dir_key)
			return declined;
		fill_attr(ctx.out.attr, io.virtual_key);
		return 0;
	}
	int post_getattr(fusebpf_getattr_ctx &ctx, filter::user_io &) override
	{
		ctx.out.attr.gid = 4343;
		return BPF_FUSE_CONTINUE;
	}

	int handle_read(fusebpf_read_ctx &ctx, filter::user_io &io) override
	{
		std::string_view data;
		if (io.virtual_key == file_key)
			data = file_data.substr(
			    std::min<std::size_t>(ctx.in.offset, file_data.size()));
		else if (io.virtual_key == 0 && ctx.in.offset == 0)
			data = "HEAD";
		else
			return declined;
		std::size_t n =
		    std::min({data.size(), io.data_out.size(), std::size_t{ctx.in.size}});
		std::memcpy(io.data_out.data(), data.data(), n);
		ctx.out.size = static_cast<__u32>(n);
		return 0;
	}

	int handle_readdir(fusebpf_readdir_ctx &ctx, filter::user_io &io) override
	{
		if (io.virtual_key != dir_key)
			return declined;
		const char *names[] = {"a", "b"};
		ctx.out.count = 0;
		for (std::uint64_t i = ctx.in.offset; i < 2; i++) {
			fusebpf_dirent &e = ctx.out.entries[ctx.out.count++];
			e.ino = 100 + i;
			e.off = i + 1;
			e.type = 8; // DT_REG
			e.namelen = 1;
			std::memcpy(e.name, names[i], 2);
		}
		ctx.out.flags |= FUSEBPF_READDIR_EOF;
		return 0;
	}

	int handle_unlink(fusebpf_unlink_ctx &, filter::user_io &) override
	{
		throw std::runtime_error("unlink handler exploded");
	}
	int handle_rmdir(fusebpf_rmdir_ctx &, filter::user_io &) override { return 7; }

	int pre_mkdir(fusebpf_mkdir_ctx &ctx, filter::user_io &) override
	{
		return name_of(ctx.name) == "userdeny" ? -EACCES : BPF_FUSE_CONTINUE;
	}

private:
	static void fill_attr(fuse_attr &a, std::uint64_t key)
	{
		a = {};
		a.ino = 0x7000 + key;
		a.nlink = key == dir_key ? 2 : 1;
		a.mode = key == dir_key ? (S_IFDIR | 0555) : (S_IFREG | 0444);
		a.size = key == dir_key ? 0 : file_data.size();
	}

	std::string arg_;
};

} // namespace fusebpf::filter_test
