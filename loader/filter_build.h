// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf build`: one command that turns a filter source outside the tree
// into something the daemon takes.
//
// A BPF filter (FILE.bpf.c, FILE.c) becomes a loadable object, with the same
// flags as fusebpf_add_filter() in CMake (cmake/FusebpfFilter.cmake):
//   clang -target bpf -g -O2 -Wall -Werror -mcpu=v3 -I<fusebpf headers> -c SRC -o OUT.tmp.o
//   bpftool gen object OUT OUT.tmp.o
// clang's and bpftool's messages go straight to the caller's stderr, as they
// are.  The tool paths are the ones found when fusebpf itself was
// configured; the header directories are the installed ones, or the source
// tree's when run from a build tree (common/paths.h).
//
// A userspace filter (FILE.cc, .cpp, .cxx; daemon/filter/user_filter.h with
// FUSEBPF_USER_FILTER_EXPORT) becomes FILE.so for `fusebpf mount
// --user-filter`, with the flags of fusebpf_add_user_filter():
//   $CXX (default c++) -std=c++20 -shared -fPIC -O2 -Wall -fvisibility=hidden
//       -I<fusebpf headers> SRC -o OUT
// The compiler's output is captured: on failure it is the error's text, on
// success (warnings) it goes to stderr.  The library must be built by the
// compiler family and C++ library the daemon was built with (it shares C++
// types with it), which is why CXX defaults to the system's c++.
#pragma once

#include "loader/result.h"

#include <string>
#include <vector>

namespace fusebpf::loader {

struct build_options {
	std::string output;                    // default: default_build_output(SRC)
	std::vector<std::string> include_dirs; // extra -I
	bool verbose = false;                  // print the commands before running them
};

// Whether source is a userspace filter (C++: .cc, .cpp, .cxx).
bool is_user_filter_source(const std::string &source);

// The default output path for a source path: FILE.bpf.c and FILE.c give
// FILE.bpf.o, FILE.cc gives FILE.so.
std::string default_build_output(const std::string &source);

// Builds source into a BPF object or, for C++ sources, a user filter
// library; returns its path.
result<std::string> build_filter(const std::string &source, const build_options &options = {});

} // namespace fusebpf::loader
