// SPDX-License-Identifier: GPL-2.0-or-later
//
// knobs_table: the meta_knobs.bpf.c filter loaded as a table for one test
// suite, and its maps reached through their pins, so a test sets each op's
// verdicts and rewrites and reads how often each program ran. Loading and
// unloading are the loader library's (load_filter / unload_table); the maps
// are written with libbpf's bpf_map_update_elem on the pinned map fds.
// Differs from the mount itself (tests/support/mounted_fs.h), which this
// class does not touch.
#pragma once

#include "common/unique_fd.h"
#include "loader/tables.h"

#include <fusebpf/filter_abi.h>

#include <cstdint>
#include <string>

namespace fusebpf::test {

// Bits of knob::rewrite (meta_knobs.bpf.c).
constexpr std::uint32_t rewrite_in = 1;   // the prefilter rewrites inputs
constexpr std::uint32_t rewrite_out = 2;  // the postfilter rewrites outputs
constexpr std::uint32_t remap_eexist = 4; // the postfilter turns -EEXIST into -EPERM
constexpr std::uint32_t shrink = 8;       // xattr values shrink to 4 bytes

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

	// op's prefilter returns pre, its postfilter post; rewrite bits as above.
	void set(fusebpf_op op, int pre, int post = BPF_FUSE_CONTINUE, std::uint32_t rewrite = 0);
	// The default_filter returns verdict for FUSE opcode `opcode`.
	void set_default(std::uint32_t opcode, int verdict);
	// Every knob back to CONTINUE without rewrites, every counter to 0.
	void reset();

	std::uint64_t calls(fusebpf_op op, fusebpf_side side) const;
	std::uint64_t default_calls() const;

private:
	std::uint64_t counter(std::uint32_t index) const;

	std::string name_;
	std::uint32_t id_ = 0;
	bool loaded_ = false;
	unique_fd knobs_, dflt_, calls_;
};

} // namespace fusebpf::test
