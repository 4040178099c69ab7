// SPDX-License-Identifier: GPL-2.0-or-later
//
// Where the files fusebpf ships are (filter headers, examples, the selftest
// suite), found from the running executable (/proc/self/exe) and never from
// a path compiled in, so an installed tree can be moved and nothing
// installed names the build or source tree.
//
// Two layouts are recognised, in this order:
//   installed  the executable is in <prefix>/bin, <prefix>/sbin or
//              <prefix>/libexec/fusebpf, and <prefix>/share/fusebpf exists:
//                headers   <prefix>/include/fusebpf (fusebpf.bpf.h, daemon/...)
//                          and <prefix>/include (<fusebpf/filter_abi.h>)
//                examples  <prefix>/share/fusebpf/examples
//                selftests <prefix>/libexec/fusebpf/fusebpf-selftests
//   build tree the executable's directory or one of its four nearest
//              ancestors holds `fusebpf-source-dir` (written by CMake into
//              the build root), whose first line is the source tree:
//                headers   <source>/bpf, <source>/include, <source>
//                examples  <source>/examples
//                selftests <build>/selftests/fusebpf-selftests
// The relative install directories are the GNUInstallDirs ones the build was
// configured with (common/CMakeLists.txt).
#pragma once

#ifdef __BPF__
#error "common/paths.h is for userspace only"
#endif

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fusebpf::paths {

struct layout {
	bool installed = false;
	std::filesystem::path root; // the install prefix, or the build tree
	// -I directories for filter sources, BPF and userspace alike.
	std::vector<std::filesystem::path> include_dirs;
	std::filesystem::path examples_dir;
	std::filesystem::path selftest_bin;
};

// The running executable's absolute path ("" when /proc is not mounted).
std::filesystem::path self_exe();

// The layout of the running executable, or nullopt with the reason in `why`
// (which names the places looked at).
std::optional<layout> find_layout(std::string &why);

} // namespace fusebpf::paths
