// SPDX-License-Identifier: GPL-2.0-or-later
//
// rename_user: the filter_attach tests' user filter library. Its lookup
// prefilter renames the entry "alias" to the name given as the factory
// argument (default "target"), so a lookup of "alias" finds that backing
// entry. Without a table it asks for every lookup itself
// (verdict_without_table), so `--user-filter` alone works too.
#include "daemon/filter/context.h"
#include "daemon/filter/user_filter.h"

#include <string>

namespace {

class rename_user : public fusebpf::filter::user_filter {
public:
	explicit rename_user(std::string arg) : target_(arg.empty() ? "target" : std::move(arg)) {}

	std::string name() const override { return "rename_user"; }

	int verdict_without_table(fusebpf_op op) const override
	{
		return op == FUSEBPF_OP_LOOKUP ? BPF_FUSE_USER_PREFILTER : BPF_FUSE_CONTINUE;
	}

	int pre_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &) override
	{
		std::string_view name;
		if (fusebpf::filter::name_of(ctx.name, name) == 0 && name == "alias")
			return fusebpf::filter::set_name(ctx.name, target_) == 0 ? BPF_FUSE_CONTINUE
			                                                         : -EINVAL;
		return BPF_FUSE_CONTINUE;
	}

private:
	std::string target_;
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(rename_user)
