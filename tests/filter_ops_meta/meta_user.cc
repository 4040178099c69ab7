// SPDX-License-Identifier: GPL-2.0-or-later
//
// meta_user.cc - the user filter of the ops-meta mount tests (loaded with
// `fusebpf mount --user-filter`): it runs only where tests/support/knobs.bpf.c's
// knobs return a USER verdict.
//   post_mkdir        remaps -EEXIST to -EPERM (a userspace error remap);
//   handle_statfs     answers statfs itself (files 777, ffree 77);
//   handle_getxattr   answers "user.virtual" with "from user" (the backing
//                     file has no such attribute), declines other names;
//   pre_unlink        rewrites the name's first byte to 'u' (the backing op
//                     removes another entry);
//   handle_lookup     gives a directory named "notable" a binding without
//                     a table (its subtree runs unfiltered) and lets the
//                     backing fs answer every lookup.
#include "daemon/filter/user_filter.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace {

class meta_user_filter : public fusebpf::filter::user_filter {
public:
	explicit meta_user_filter(const std::string &) {}

	std::string name() const override { return "meta_user"; }

	int post_mkdir(fusebpf_mkdir_ctx &ctx, fusebpf::filter::user_io &) override
	{
		return ctx.meta.error_in == -EEXIST ? -EPERM : BPF_FUSE_CONTINUE;
	}

	int handle_statfs(fusebpf_statfs_ctx &ctx, fusebpf::filter::user_io &) override
	{
		ctx.out = {};
		ctx.out.st.blocks = 1000;
		ctx.out.st.bfree = 500;
		ctx.out.st.bavail = 400;
		ctx.out.st.files = 777;
		ctx.out.st.ffree = 77;
		ctx.out.st.bsize = 4096;
		ctx.out.st.frsize = 4096;
		ctx.out.st.namelen = 255;
		return 0;
	}

	int handle_getxattr(fusebpf_getxattr_ctx &ctx, fusebpf::filter::user_io &) override
	{
		if (std::string_view(ctx.name.name, ctx.name.len) != "user.virtual")
			return declined;
		static constexpr std::string_view value = "from user";
		std::memcpy(ctx.out.value.data, value.data(), value.size());
		ctx.out.value.size = value.size();
		ctx.out.value.flags = 0;
		ctx.out.xattr.size = value.size();
		return 0;
	}

	int handle_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (std::string_view(ctx.name.name, ctx.name.len) == "notable")
			io.child.table = fusebpf::filter::child_decision::table_action::remove;
		return declined;
	}

	int pre_unlink(fusebpf_unlink_ctx &ctx, fusebpf::filter::user_io &) override
	{
		if (ctx.name.len > 0)
			ctx.name.name[0] = 'u';
		return BPF_FUSE_CONTINUE;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(meta_user_filter)
