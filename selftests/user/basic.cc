// SPDX-License-Identifier: GPL-2.0-or-later
//
// basic: basic_test's userspace filter, with no BPF table. It serves one
// virtual file, "hello", end to end: LOOKUP (a virtual node), GETATTR, OPEN
// and READ; FLUSH and RELEASE it declines (the daemon lets them succeed on a
// virtual node). LOOKUP reaches it because verdict_without_table() answers
// USER for LOOKUP; every other name is declined to the backing dir.
#include "daemon/filter/user_filter.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace {

constexpr std::uint64_t hello_key = 0x5e1f7e57;
constexpr std::string_view hello_data = "hello, world from a userspace filter\n";

class basic_filter : public fusebpf::filter::user_filter {
public:
	explicit basic_filter(const std::string &) {}
	std::string name() const override { return "selftest_basic"; }

	int verdict_without_table(fusebpf_op op) const override
	{
		return op == FUSEBPF_OP_LOOKUP ? BPF_FUSE_USER : BPF_FUSE_CONTINUE;
	}

	int handle_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (std::string_view(ctx.name.name, ctx.name.len) != "hello")
			return declined;
		fill_attr(ctx.out.entry.attr);
		io.child.virtual_key = hello_key;
		return 0;
	}

	int handle_getattr(fusebpf_getattr_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (io.virtual_key != hello_key)
			return declined;
		fill_attr(ctx.out.attr);
		return 0;
	}

	int handle_open(fusebpf_open_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		(void)ctx;
		return io.virtual_key == hello_key ? 0 : declined;
	}

	int handle_read(fusebpf_read_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (io.virtual_key != hello_key)
			return declined;
		std::size_t off = std::min<std::size_t>(ctx.in.offset, hello_data.size());
		std::size_t n = std::min<std::size_t>(
		    {hello_data.size() - off, ctx.in.size, io.data_out.size()});
		std::memcpy(io.data_out.data(), hello_data.data() + off, n);
		ctx.out.size = static_cast<std::uint32_t>(n);
		return 0;
	}

private:
	static void fill_attr(fuse_attr &a)
	{
		a = {};
		a.ino = hello_key;
		a.mode = S_IFREG | 0444;
		a.nlink = 1;
		a.size = hello_data.size();
		a.blocks = 1;
		a.blksize = 4096;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(basic_filter)
