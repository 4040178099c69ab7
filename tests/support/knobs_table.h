// SPDX-License-Identifier: GPL-2.0-or-later
//
// knobs_table: the knob-driven test filter (tests/support/knobs.bpf.c)
// loaded as a table for one test or suite, and its maps reached through
// their pins, so a test sets each op's verdicts, errno remaps and rewrites
// and reads how often each program ran. Loading and unloading are the
// loader library's (load_filter / unload_table); the maps are written with
// libbpf's bpf_map_update_elem on the pinned map fds. Differs from the
// mount itself (tests/support/mounted_fs.h), which this class does not
// touch.
//
// The object's variants (KNOBS_OBJ and the others, compile definitions of
// the fusebpf_test_knobs library) differ only in which programs exist.
#pragma once

#include "common/unique_fd.h"

#include <fusebpf/filter_abi.h>

#include <cstdint>
#include <string>

namespace fusebpf::test {

// Bits of knob::flags (knobs.bpf.c says what each op does with them).
constexpr std::uint32_t rewrite_in = 1;  // the prefilter rewrites inputs
constexpr std::uint32_t rewrite_out = 2; // the postfilter rewrites outputs
constexpr std::uint32_t shrink = 4;      // xattr values shrink to 4 bytes
constexpr std::uint32_t only_hidden = 8; // lookup: `pre` for the name "hidden" only
constexpr std::uint32_t only_exec = 16;  // open: `pre` for an execve()'s open only

// struct test_knob of knobs.bpf.c: one op's behaviour.
struct knob {
	std::int32_t pre = BPF_FUSE_CONTINUE;  // the prefilter's verdict
	std::int32_t post = BPF_FUSE_CONTINUE; // the postfilter's verdict...
	std::int32_t remap_from = 0;           // ...or remap_to when error_in is this
	std::int32_t remap_to = 0;
	std::uint32_t flags = 0;
	std::uint32_t padding = 0;
	std::uint64_t arg = 0;      // read/write: added to the offset (rewrite_in)
	std::uint64_t post_arg = 0; // the value an output rewrite writes
};

class knobs_table {
public:
	knobs_table() = default;
	knobs_table(const knobs_table &) = delete;
	knobs_table &operator=(const knobs_table &) = delete;
	~knobs_table() { unload(); }

	// Loads `object` as table `name` and opens its maps. "" or why.
	std::string load(const std::string &object, const std::string &name);
	// Unpins the table (idempotent). "" or why.
	std::string unload();

	std::uint32_t id() const { return id_; }

	void set(fusebpf_op op, const knob &k);
	// op's prefilter returns pre, its postfilter post; flags as above.
	void set(fusebpf_op op, int pre, int post = BPF_FUSE_CONTINUE, std::uint32_t flags = 0);
	// The default_filter returns verdict for FUSE opcode `opcode` (0: none).
	void set_default(std::uint32_t opcode, int verdict);
	// Every knob back to CONTINUE without rewrites, every counter to 0.
	void reset();

	std::uint64_t calls(fusebpf_op op, fusebpf_side side = FUSEBPF_PRE) const;
	std::uint64_t default_calls() const;

private:
	std::uint64_t counter(std::uint32_t index) const;

	std::string name_;
	std::uint32_t id_ = 0;
	bool loaded_ = false;
	unique_fd knobs_, calls_;
};

} // namespace fusebpf::test
