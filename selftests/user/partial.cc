// SPDX-License-Identifier: GPL-2.0-or-later
//
// partial: bpf_test_partial's userspace filter. The BPF table hands it the
// reads at offset 0, which it answers with its own bytes ('U' repeated), and
// the opens after the backing open, where it checks that the open
// succeeded (error_in 0) or fails the open with EBADE so a wrong error_in
// shows. Every other read stays on the backing file.
#include "daemon/filter/user_filter.h"

#include <cerrno>
#include <cstring>

namespace {

class partial_filter : public fusebpf::filter::user_filter {
public:
	explicit partial_filter(const std::string &) {}
	std::string name() const override { return "selftest_partial"; }

	int post_open(fusebpf_open_ctx &ctx, fusebpf::filter::user_io &) override
	{
		return ctx.meta.error_in == 0 ? BPF_FUSE_CONTINUE : -EBADE;
	}

	int handle_read(fusebpf_read_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (ctx.in.offset != 0)
			return declined;
		std::size_t n = std::min<std::size_t>(ctx.in.size, io.data_out.size());
		std::memset(io.data_out.data(), 'U', n);
		ctx.out.size = static_cast<std::uint32_t>(n);
		return 0;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(partial_filter)
