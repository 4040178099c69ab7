// SPDX-License-Identifier: GPL-2.0-or-later
//
// Broken user filter libraries for the loading error tests, one per
// compile definition:
//   NO_FACTORY      exports nothing fusebpf knows
//   WRONG_VERSION   exports the factory and ABI version 999
#include "daemon/filter/user_filter.h"

#if defined(NO_FACTORY)
extern "C" __attribute__((visibility("default"))) int some_other_symbol(void)
{
	return 1;
}
#elif defined(WRONG_VERSION)
namespace {
class future_filter : public fusebpf::filter::user_filter {
public:
	explicit future_filter(const std::string &) {}
};
} // namespace
extern "C" {
__attribute__((visibility("default"))) extern const unsigned fusebpf_user_filter_abi_version;
const unsigned fusebpf_user_filter_abi_version = 999;
__attribute__((visibility("default"))) fusebpf::filter::user_filter *
fusebpf_user_filter_create(unsigned, const char *arg)
{
	return new future_filter(arg ? arg : "");
}
}
#else
#error "define NO_FACTORY or WRONG_VERSION"
#endif
