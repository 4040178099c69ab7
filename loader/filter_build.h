// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf build`: one command that turns a filter source outside the tree
// into a loadable object, with the same flags as fusebpf_add_filter() in
// CMake (cmake/FusebpfFilter.cmake):
//   clang -target bpf -g -O2 -Wall -Werror -mcpu=v3 -I<fusebpf headers> -c SRC -o OUT.tmp.o
//   bpftool gen object OUT OUT.tmp.o
// clang's and bpftool's messages go straight to the caller's stderr, as they
// are.  The tool paths and header directories are the ones found when
// fusebpf itself was configured.
#pragma once

#include "loader/result.h"

#include <string>
#include <vector>

namespace fusebpf::loader {

struct build_options {
	std::string output;                    // default: SRC with .bpf.c / .c replaced by .bpf.o
	std::vector<std::string> include_dirs; // extra -I
	bool verbose = false;                  // print the commands before running them
};

// The default output path for a source path.
std::string default_build_output(const std::string &source);

// Builds source into an object; returns its path.
result<std::string> build_filter(const std::string &source, const build_options &options = {});

} // namespace fusebpf::loader
