// SPDX-License-Identifier: GPL-2.0-or-later
//
// lookup_post: the userspace LOOKUP postfilter of bpf_test_lookup_postfilter
// and bpf_test_alter_errcode_userspace, by name:
//   file1         hidden: -ENOENT although the backing lookup found it;
//   file2         passed on as the backing lookup answered it;
//   file3         (missing) must arrive with error_in -ENOENT, kept;
//   doesnotexist  fails with -ENOMEM;
// a name among file2/file3 whose error_in is not the expected one fails
// with EBADE, so a wrong error_in shows as a wrong errno.
#include "daemon/filter/user_filter.h"

#include <cerrno>
#include <string_view>

namespace {

class lookup_post_filter : public fusebpf::filter::user_filter {
public:
	explicit lookup_post_filter(const std::string &) {}
	std::string name() const override { return "selftest_lookup_post"; }

	int post_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &) override
	{
		std::string_view n(ctx.name.name, ctx.name.len);
		int in = ctx.meta.error_in;
		if (n == "file1")
			return -ENOENT;
		if (n == "file2")
			return in == 0 ? BPF_FUSE_CONTINUE : -EBADE;
		if (n == "file3")
			return in == -ENOENT ? BPF_FUSE_CONTINUE : -EBADE;
		if (n == "doesnotexist")
			return -ENOMEM;
		return BPF_FUSE_CONTINUE;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(lookup_post_filter)
