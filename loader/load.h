// SPDX-License-Identifier: GPL-2.0-or-later
//
// Loading a filter object: the steps of `fusebpf load`, as a library call.
//
//   open      check it is a BPF ELF object, open it with libbpf (fuse_ops/
//             sections become BPF_PROG_TYPE_SYSCALL programs)
//   check     ABI version and table name (FUSEBPF_OPS_DEFINE), section
//             names -> table slots
//   rodata    apply the caller's knob values (const volatile globals)
//   load      the kernel verifies and JITs every program; a rejection
//             returns the verifier's own words and the source line
//   table     create the ops table (a prog array with FUSEBPF_SLOT_COUNT
//             slots) and fill it
//   pin       table, programs and maps under <pin_root>/<name>
//
// Each step fails with its own message naming the object and the program;
// nothing is left pinned after a failure.  The daemon never loads: it opens
// a loaded table by ID (ops_table.h).
#pragma once

#include "loader/bpffs.h"
#include "loader/result.h"
#include "loader/tables.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fusebpf::loader {

struct load_options {
	// The table name; empty: the name given to FUSEBPF_OPS_DEFINE() in the object.
	std::string name;
	// Where tables are pinned (tests may use their own root inside a bpffs).
	std::string pin_root = std::string(default_pin_root);
	// Values for `const volatile` knobs of the object, by variable name:
	// the bytes are copied over the variable (sizes must match).
	std::map<std::string, std::string> rodata;
};

// What steps "open" and "check" found in an object that passed them.
struct checked_filter {
	std::string name;                 // the table name it would load as
	std::vector<std::uint32_t> slots; // the table slots its programs fill
};

// Steps "open" and "check" alone: nothing reaches the kernel (no program is
// loaded, nothing is pinned). Fails with the message load_filter() would give.
result<checked_filter> check_filter(const std::string &object_path,
                                    const load_options &options = {});

result<table_info> load_filter(const std::string &object_path, const load_options &options = {});

} // namespace fusebpf::loader
