// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_args: the `--user-filter-arg` string of the selftests' userspace
// filters, "key=value,key=value" (e.g. "name=file,path=store/data,table=t1").
// Keys without '=' get an empty value. Linked into each filter module.
#pragma once

#include <map>
#include <string>

namespace fusebpf::selftest {

std::map<std::string, std::string> parse_user_args(const std::string &arg);

} // namespace fusebpf::selftest
