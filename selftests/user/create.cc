// SPDX-License-Identifier: GPL-2.0-or-later
//
// create: bpf_test_creat's userspace filter. The BPF table hands it every
// CREATE before the backing op: it makes the new file's mode 0600 whatever
// the caller asked (so the test sees its hand in the backing file) and asks
// to see the result; after the backing CREATE it checks that a regular file
// was made, or fails the op with EBADE.
#include "daemon/filter/user_filter.h"

#include <sys/stat.h>

#include <cerrno>

namespace {

class create_filter : public fusebpf::filter::user_filter {
public:
	explicit create_filter(const std::string &) {}
	std::string name() const override { return "selftest_create"; }

	int pre_create(fusebpf_create_ctx &ctx, fusebpf::filter::user_io &) override
	{
		ctx.in.mode = (ctx.in.mode & S_IFMT) | 0600;
		return BPF_FUSE_USER_POSTFILTER;
	}

	int post_create(fusebpf_create_ctx &ctx, fusebpf::filter::user_io &) override
	{
		if (ctx.meta.error_in != 0)
			return BPF_FUSE_CONTINUE;
		return S_ISREG(ctx.out.entry.attr.mode) ? BPF_FUSE_CONTINUE : -EBADE;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(create_filter)
