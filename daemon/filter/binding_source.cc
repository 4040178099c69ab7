// SPDX-License-Identifier: GPL-2.0-or-later
//
// binding_source: tables by name or ID, child decisions, descriptions; see
// binding_source.h.
#include "daemon/filter/binding_source.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

namespace fusebpf::filter {

loader::result<std::shared_ptr<const loader::ops_table>> open_table(std::string_view name_or_id,
                                                                    std::string_view pin_root)
{
	if (name_or_id.empty())
		return loader::error{"no table given (a table name or map ID is expected)", EINVAL};
	bool digits = std::all_of(name_or_id.begin(), name_or_id.end(), [](char c) {
		return std::isdigit(static_cast<unsigned char>(c));
	});
	auto opened = [&]() -> loader::result<loader::ops_table> {
		if (!digits)
			return loader::ops_table::open_by_name(name_or_id, pin_root);
		std::uint32_t id = 0;
		auto [end, ec] =
		    std::from_chars(name_or_id.data(), name_or_id.data() + name_or_id.size(), id);
		if (ec != std::errc() || end != name_or_id.data() + name_or_id.size())
			return loader::error{
			    "map ID " + std::string(name_or_id) + " is out of range", ERANGE};
		return loader::ops_table::open_by_id(id);
	}();
	if (!opened)
		return std::move(opened).err();
	return std::make_shared<const loader::ops_table>(std::move(*opened));
}

loader::result<binding_ptr> binding_for(const child_decision &d, std::shared_ptr<user_filter> user,
                                        std::string_view pin_root)
{
	switch (d.table) {
	case child_decision::table_action::inherit:
		return binding_ptr{};
	case child_decision::table_action::remove:
		return binding::none();
	case child_decision::table_action::replace:
		break;
	}
	auto table = open_table(d.table_ref, pin_root);
	if (!table)
		return std::move(table).err();
	return binding::make(std::move(*table), std::move(user));
}

nlohmann::json describe(const binding &b)
{
	nlohmann::json j;
	j["description"] = b.description();
	j["generation"] = b.generation();
	if (const loader::ops_table *t = b.table())
		j["table"] = {{"name", t->name()}, {"id", t->id()}};
	else
		j["table"] = nullptr;
	if (const user_filter *u = b.user())
		j["user_filter"] = u->name();
	else
		j["user_filter"] = nullptr;
	nlohmann::json ops = nlohmann::json::array();
	for (int i = 0; i < FUSEBPF_OP_COUNT; i++)
		if (b.wants(static_cast<fusebpf_op>(i)))
			ops.push_back(op_name(static_cast<fusebpf_op>(i)));
	j["ops"] = std::move(ops);
	return j;
}

} // namespace fusebpf::filter
