// SPDX-License-Identifier: GPL-2.0-or-later
//
// A user filter library written the short way, with
// FUSEBPF_USER_FILTER_EXPORT(type): the test that the macro exports what
// load_user_filter() looks for.  Its constructor throws for the argument
// "throw" (load_user_filter() must report it, not crash).
#include "daemon/filter/user_filter.h"

#include <stdexcept>
#include <string>

namespace {

class hide_everything : public fusebpf::filter::user_filter {
public:
	explicit hide_everything(const std::string &arg) : arg_(arg)
	{
		if (arg == "throw")
			throw std::invalid_argument("bad argument 'throw'");
	}
	std::string name() const override { return "hide_everything(" + arg_ + ")"; }
	int pre_lookup(fusebpf_lookup_ctx &, fusebpf::filter::user_io &) override
	{
		return -ENOENT;
	}

private:
	std::string arg_;
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(hide_everything)
