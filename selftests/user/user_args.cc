// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_args: "key=value,..." -> map; see user_args.h.
#include "selftests/user/user_args.h"

namespace fusebpf::selftest {

std::map<std::string, std::string> parse_user_args(const std::string &arg)
{
	std::map<std::string, std::string> out;
	std::size_t start = 0;
	while (start < arg.size()) {
		std::size_t end = arg.find(',', start);
		if (end == std::string::npos)
			end = arg.size();
		std::string item = arg.substr(start, end - start);
		std::size_t eq = item.find('=');
		if (!item.empty())
			out[item.substr(0, eq)] =
			    eq == std::string::npos ? "" : item.substr(eq + 1);
		start = end + 1;
	}
	return out;
}

} // namespace fusebpf::selftest
