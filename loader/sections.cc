// SPDX-License-Identifier: GPL-2.0-or-later
//
// Section name parsing for the ops table; see sections.h.
#include "loader/sections.h"

#include <array>
#include <cerrno>

namespace fusebpf::loader {

namespace {

constexpr std::array<const char *, FUSEBPF_OP_COUNT> op_names = FUSEBPF_OP_NAMES;

constexpr std::string_view pre_suffix = "_prefilter";
constexpr std::string_view post_suffix = "_postfilter";
constexpr std::string_view default_section = "default_filter";

std::string known_ops()
{
	std::string list;
	for (const char *name : op_names) {
		if (!list.empty())
			list += ", ";
		list += name;
	}
	return list;
}

} // namespace

std::string_view op_name(int op)
{
	if (op < 0 || op >= FUSEBPF_OP_COUNT)
		return {};
	return op_names[op];
}

enum fusebpf_op op_from_name(std::string_view name)
{
	for (int op = 0; op < FUSEBPF_OP_COUNT; op++)
		if (name == op_names[op])
			return static_cast<enum fusebpf_op>(op);
	return FUSEBPF_OP_NONE;
}

slot_name describe_slot(std::uint32_t slot)
{
	if (slot == FUSEBPF_SLOT_DEFAULT)
		return {slot, "default", ""};
	int op = static_cast<int>((slot - 1) / 2);
	std::string_view name = op_name(op);
	return {slot, name.empty() ? "op" + std::to_string(op) : std::string(name),
	        (slot - 1) % 2 == FUSEBPF_PRE ? "pre" : "post"};
}

result<std::uint32_t> slot_of_section(std::string_view section, std::string_view program)
{
	if (!section.starts_with(section_prefix))
		return error{"program '" + std::string(program) + "' is in section '" +
		                 std::string(section) + "', not in a fuse_ops/ section",
		             EINVAL};
	std::string_view rest = section.substr(section_prefix.size());
	if (rest == default_section)
		return std::uint32_t{FUSEBPF_SLOT_DEFAULT};

	enum fusebpf_side side;
	std::string_view op;
	if (rest.ends_with(pre_suffix)) {
		side = FUSEBPF_PRE;
		op = rest.substr(0, rest.size() - pre_suffix.size());
	} else if (rest.ends_with(post_suffix)) {
		side = FUSEBPF_POST;
		op = rest.substr(0, rest.size() - post_suffix.size());
	} else {
		return error{"program '" + std::string(program) + "' is in section '" +
		                 std::string(section) +
		                 "', which is not fuse_ops/<op>_prefilter, "
		                 "fuse_ops/<op>_postfilter or fuse_ops/default_filter",
		             EINVAL};
	}
	enum fusebpf_op number = op_from_name(op);
	if (number == FUSEBPF_OP_NONE)
		return error{"program '" + std::string(program) + "' is in section '" +
		                 std::string(section) + "': unknown op '" + std::string(op) +
		                 "'. Known ops (FUSEBPF ABI v" +
		                 std::to_string(FUSEBPF_ABI_VERSION) + "): " + known_ops() + ".",
		             EINVAL};
	return fusebpf_slot(number, side);
}

std::string section_of_slot(std::uint32_t slot)
{
	if (slot == FUSEBPF_SLOT_DEFAULT)
		return std::string(section_prefix) + std::string(default_section);
	slot_name n = describe_slot(slot);
	return std::string(section_prefix) + n.op +
	       (n.side == "pre" ? "_prefilter" : "_postfilter");
}

} // namespace fusebpf::loader
