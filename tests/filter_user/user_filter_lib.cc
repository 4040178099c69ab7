// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_filter_lib: the user filter library of user_filter_test.cc, loaded
// by the daemon with `fusebpf mount --user-filter` (built with
// fusebpf_add_user_filter()). Its argument (--user-filter-arg) is the name
// of the table a lookup handler gives to the child "replaced".
//
// What it answers (user_table.bpf.c sends these names here):
//   handle_lookup  virt       a virtual regular file (virtual_key
//                             virt_key), mode 0444, size of virt_data
//                  elsewhere  backing_path "other/real": another backing
//                             entry answers, reads come from there
//                  escape     backing_path "../outside": leaves the root
//                  throw      throws (the op must fail with EIO)
//                  negative   0 with no node: a negative entry (ENOENT),
//                             although the backing dir has the name
//   post_lookup    enomem     -ENOMEM, whatever the backing lookup said
//                  notable    child table: remove (no BPF below)
//                  replaced   child table: replace with the argument
//   handle_getattr / handle_open / handle_read  the virtual file's attrs
//                  and data (virt_data)
// Everything else is declined / CONTINUE.
#include "daemon/filter/user_filter.h"

#include <fusebpf/fuse_wire.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace {

using fusebpf::filter::user_io;

constexpr std::uint64_t virt_key = 0x5157;
constexpr std::string_view virt_data = "virtual file contents\n";

std::string_view name_of(const fusebpf_name &n)
{
	return {n.name, std::min<std::size_t>(n.len, FUSEBPF_NAME_MAX)};
}

void fill_virt_attr(fuse_attr &a)
{
	a = {};
	a.ino = virt_key;
	a.mode = S_IFREG | 0444;
	a.nlink = 1;
	a.size = virt_data.size();
	a.blocks = 1;
	a.blksize = 4096;
}

class test_user_filter : public fusebpf::filter::user_filter {
public:
	explicit test_user_filter(std::string replacement) : replacement_(std::move(replacement)) {}

	std::string name() const override { return "filter_user_test"; }

	int handle_lookup(fusebpf_lookup_ctx &ctx, user_io &io) override
	{
		std::string_view name = name_of(ctx.name);
		if (name == "virt") {
			fill_virt_attr(ctx.out.entry.attr);
			io.child.virtual_key = virt_key;
			return 0;
		}
		if (name == "elsewhere") {
			io.child.backing_path = "other/real";
			return 0;
		}
		if (name == "escape") {
			io.child.backing_path = "../outside";
			return 0;
		}
		if (name == "negative")
			return 0; // out.entry.nodeid stays 0
		if (name == "throw")
			throw std::runtime_error(
			    "filter_user_test: handle_lookup throws for 'throw'");
		return declined;
	}

	int post_lookup(fusebpf_lookup_ctx &ctx, user_io &io) override
	{
		std::string_view name = name_of(ctx.name);
		if (name == "enomem")
			return -ENOMEM;
		if (name == "notable")
			io.child.table = fusebpf::filter::child_decision::table_action::remove;
		if (name == "replaced") {
			io.child.table = fusebpf::filter::child_decision::table_action::replace;
			io.child.table_ref = replacement_;
		}
		return BPF_FUSE_CONTINUE;
	}

	int handle_getattr(fusebpf_getattr_ctx &ctx, user_io &io) override
	{
		if (io.virtual_key != virt_key)
			return declined;
		fill_virt_attr(ctx.out.attr);
		return 0;
	}

	int handle_open(fusebpf_open_ctx &ctx, user_io &io) override
	{
		(void)ctx;
		return io.virtual_key == virt_key ? 0 : declined;
	}

	int handle_read(fusebpf_read_ctx &ctx, user_io &io) override
	{
		if (io.virtual_key != virt_key)
			return declined;
		std::size_t off = std::min<std::size_t>(ctx.in.offset, virt_data.size());
		std::size_t n = std::min<std::size_t>(
		    {virt_data.size() - off, ctx.in.size, io.data_out.size()});
		std::memcpy(io.data_out.data(), virt_data.data() + off, n);
		ctx.out.size = static_cast<std::uint32_t>(n);
		return 0;
	}

private:
	std::string replacement_;
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(test_user_filter)
