// SPDX-License-Identifier: GPL-2.0-or-later
//
// set_backing: the lookup side of the bpf_test_set_backing*,
// bpf_test_remove_backing, bpf_test_readdirplus_not_overriding_backing and
// bpf_test_revalidate_handle_backing_fd cases. Configured by
// --user-filter-arg "name=N,path=P[,table=T]":
//   a LOOKUP of N (as the handler, BPF_FUSE_USER, or as the postfilter of a
//   successful backing lookup, BPF_FUSE_USER_POSTFILTER) gets the backing
//   path P (relative to the backing root; the daemon refuses one that leaves
//   it) and, with table=T, the table T (a loaded table's name or map ID) or,
//   with table=-, no table for its subtree. Other names are declined.
#include "daemon/filter/user_filter.h"
#include "selftests/user/user_args.h"

#include <string_view>

namespace {

using fusebpf::filter::child_decision;

class set_backing_filter : public fusebpf::filter::user_filter {
public:
	explicit set_backing_filter(const std::string &arg)
	{
		auto args = fusebpf::selftest::parse_user_args(arg);
		name_ = args["name"];
		path_ = args["path"];
		if (args.count("table"))
			table_ = args["table"];
	}
	std::string name() const override { return "selftest_set_backing"; }

	int handle_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (!matches(ctx.name))
			return declined;
		decide(io.child);
		return 0;
	}

	int post_lookup(fusebpf_lookup_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (ctx.meta.error_in == 0 && matches(ctx.name))
			decide(io.child);
		return BPF_FUSE_CONTINUE;
	}

private:
	bool matches(const fusebpf_name &n) const
	{
		return !name_.empty() && std::string_view(n.name, n.len) == name_;
	}

	void decide(child_decision &d) const
	{
		d.backing_path = path_;
		if (table_ == "-") {
			d.table = child_decision::table_action::remove;
		} else if (!table_.empty()) {
			d.table = child_decision::table_action::replace;
			d.table_ref = table_;
		}
	}

	std::string name_, path_, table_;
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(set_backing_filter)
