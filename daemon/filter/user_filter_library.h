// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_filter_library: loads a user filter from a shared object
// (`fusebpf mount --user-filter LIB.so[:ARG]`), the other way to get one
// being to link it into a custom daemon and pass the object directly.
//
// dlopen(RTLD_NOW | RTLD_LOCAL), then the factory symbol of user_filter.h is
// called with FUSEBPF_USER_FILTER_ABI_VERSION and the argument.  Every
// failure is one clear line: the file is missing or not a shared object
// (dlerror's words), the factory symbol is missing, the library was built
// against another ABI version (when it exports the version symbol), the
// factory refused (returned nullptr) or threw.  The returned shared_ptr
// owns both the filter and the library: the filter is deleted first, the
// library closed after, when the last binding using it is gone.
#pragma once

#include "daemon/filter/user_filter.h"
#include "loader/result.h"

#include <memory>
#include <string>

namespace fusebpf::filter {

loader::result<std::shared_ptr<user_filter>> load_user_filter(const std::string &path,
                                                              const std::string &arg = {});

} // namespace fusebpf::filter
