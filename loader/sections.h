// SPDX-License-Identifier: GPL-2.0-or-later
//
// Section names <-> ops table slots.  A fuse_ops program lives in section
// fuse_ops/<op>_prefilter, fuse_ops/<op>_postfilter or fuse_ops/default_filter;
// its slot in the ops table follows from include/fusebpf/filter_abi.h.  This
// file only parses and names; loading is load.cc's job.
#pragma once

#include "loader/result.h"

#include <fusebpf/filter_abi.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace fusebpf::loader {

inline constexpr std::string_view section_prefix = "fuse_ops/";

struct slot_name {
	std::uint32_t slot;
	std::string op;   // "lookup", ... or "default"
	std::string side; // "pre", "post" or "" for the default filter
};

// The op's lower-case name, or "" for an op number this ABI does not know.
std::string_view op_name(int op);

// The op number of a lower-case name, or FUSEBPF_OP_NONE.
enum fusebpf_op op_from_name(std::string_view name);

// Describes a slot of the table.
slot_name describe_slot(std::uint32_t slot);

// The slot of section `section` (with the fuse_ops/ prefix).  Errors name the
// program and list the valid ops, so a typo is easy to fix.
result<std::uint32_t> slot_of_section(std::string_view section, std::string_view program);

// "fuse_ops/<op>_prefilter" ... for a slot: the inverse of slot_of_section.
std::string section_of_slot(std::uint32_t slot);

} // namespace fusebpf::loader
