// SPDX-License-Identifier: GPL-2.0-or-later
//
// remove_table: the userspace postfilter of bpf_test_create_and_remove_bpf
// and bpf_test_mkdir_and_remove_bpf. After a successful backing CREATE or
// MKDIR it removes the table from the new child (child_decision remove: the
// child's subtree runs unfiltered), except for names starting with "keep",
// which inherit their parent's table as every new child does by default.
#include "daemon/filter/user_filter.h"

#include <string_view>

namespace {

using fusebpf::filter::child_decision;

bool keeps_table(const fusebpf_name &n)
{
	return std::string_view(n.name, n.len).starts_with("keep");
}

class remove_table_filter : public fusebpf::filter::user_filter {
public:
	explicit remove_table_filter(const std::string &) {}
	std::string name() const override { return "selftest_remove_table"; }

	int post_create(fusebpf_create_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (ctx.meta.error_in == 0 && !keeps_table(ctx.name))
			io.child.table = child_decision::table_action::remove;
		return BPF_FUSE_CONTINUE;
	}

	int post_mkdir(fusebpf_mkdir_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (ctx.meta.error_in == 0 && !keeps_table(ctx.name))
			io.child.table = child_decision::table_action::remove;
		return BPF_FUSE_CONTINUE;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(remove_table_filter)
