// SPDX-License-Identifier: GPL-2.0-or-later
//
// knobs_table: see knobs_table.h.
#include "tests/support/knobs_table.h"

#include "loader/load.h"
#include "loader/tables.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

namespace fusebpf::test {
namespace {

static_assert(sizeof(knob) == 40, "struct test_knob of knobs.bpf.c");

// The default filter's slots in `knobs` and `calls`.
constexpr std::uint32_t default_slot = FUSEBPF_OP_COUNT;
constexpr std::uint32_t call_slots = 2 * FUSEBPF_OP_COUNT + 1;

void update(const unique_fd &map, std::uint32_t key, const void *value)
{
	// A failed update would make the test's expectations fail visibly.
	bpf_map_update_elem(map.get(), &key, value, BPF_ANY);
}

} // namespace

std::string knobs_table::load(const std::string &object, const std::string &name)
{
	loader::load_options o;
	o.name = name;
	auto info = loader::load_filter(object, o);
	if (!info)
		return info.message();
	name_ = name;
	id_ = info->id;
	loaded_ = true;
	for (const loader::map_info &m : info->maps) {
		unique_fd *fd = m.name == "knobs" ? &knobs_ : m.name == "calls" ? &calls_ : nullptr;
		if (fd)
			*fd = unique_fd(bpf_obj_get(m.pin.c_str()));
	}
	if (!knobs_ || !calls_)
		return "the table's maps knobs/calls are not both pinned: " +
		       std::string(std::strerror(errno));
	return "";
}

std::string knobs_table::unload()
{
	knobs_.reset();
	calls_.reset();
	if (!loaded_)
		return "";
	loaded_ = false;
	auto r = loader::unload_table(loader::default_pin_root, name_);
	return r ? "" : r.message();
}

void knobs_table::set(fusebpf_op op, const knob &k)
{
	update(knobs_, static_cast<std::uint32_t>(op), &k);
}

void knobs_table::set(fusebpf_op op, int pre, int post, std::uint32_t flags)
{
	knob k;
	k.pre = pre;
	k.post = post;
	k.flags = flags;
	set(op, k);
}

void knobs_table::set_default(std::uint32_t opcode, int verdict)
{
	knob k;
	k.pre = verdict;
	k.arg = opcode;
	update(knobs_, default_slot, &k);
}

void knobs_table::reset()
{
	const knob none;
	for (std::uint32_t slot = 0; slot <= default_slot; slot++)
		update(knobs_, slot, &none);
	const std::uint64_t zero = 0;
	for (std::uint32_t i = 0; i < call_slots; i++)
		update(calls_, i, &zero);
}

std::uint64_t knobs_table::counter(std::uint32_t index) const
{
	std::uint64_t v = 0;
	if (bpf_map_lookup_elem(calls_.get(), &index, &v) != 0)
		return ~0ull;
	return v;
}

std::uint64_t knobs_table::calls(fusebpf_op op, fusebpf_side side) const
{
	return counter(2 * static_cast<std::uint32_t>(op) + static_cast<std::uint32_t>(side));
}

std::uint64_t knobs_table::default_calls() const
{
	return counter(2 * default_slot);
}

} // namespace fusebpf::test
