// SPDX-License-Identifier: GPL-2.0-or-later
//
// The shared-object form of test_user_filter (test_user_filter.h), exported
// with FUSEBPF_USER_FILTER_EXPORT.  Its factory refuses the argument "refuse".
#include "test_user_filter.h"

namespace {

class exported_filter : public fusebpf::filter_test::test_user_filter {
public:
	explicit exported_filter(std::string arg) : test_user_filter(std::move(arg)) {}
};

// FUSEBPF_USER_FILTER_EXPORT, written out to test the "refuse" path.
} // namespace

extern "C" {
__attribute__((visibility("default"))) extern const unsigned fusebpf_user_filter_abi_version;
const unsigned fusebpf_user_filter_abi_version = FUSEBPF_USER_FILTER_ABI_VERSION;

__attribute__((visibility("default"))) fusebpf::filter::user_filter *
fusebpf_user_filter_create(unsigned abi_version, const char *arg)
{
	std::string a = arg ? arg : "";
	if (abi_version != FUSEBPF_USER_FILTER_ABI_VERSION || a == "refuse")
		return nullptr;
	return new exported_filter(a);
}
}
