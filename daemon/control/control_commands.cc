// SPDX-License-Identifier: GPL-2.0-or-later
//
// control_commands: JSON requests -> attach_registry calls; see
// control_commands.h.
#include "daemon/control/control_commands.h"

#include "common/log.h"
#include "daemon/control/attach.h"
#include "daemon/control/control_server.h"

#include <stdexcept>

namespace fusebpf::daemon {
namespace {

std::string string_field(const nlohmann::json &req, const char *key)
{
	auto it = req.find(key);
	if (it == req.end() || it->is_null())
		return {};
	if (!it->is_string())
		throw std::runtime_error(std::string("\"") + key + "\" must be a string");
	return it->get<std::string>();
}

bool bool_field(const nlohmann::json &req, const char *key)
{
	auto it = req.find(key);
	if (it == req.end() || it->is_null())
		return false;
	if (!it->is_boolean())
		throw std::runtime_error(std::string("\"") + key + "\" must be true or false");
	return it->get<bool>();
}

nlohmann::json or_throw(loader::result<nlohmann::json> r)
{
	if (!r)
		throw std::runtime_error(r.message());
	return std::move(*r);
}

} // namespace

void add_filter_commands(control_server &server, attach_registry &attachments)
{
	server.add_command("attach", [&attachments](const nlohmann::json &req) {
		binding_spec spec;
		spec.filter_object = string_field(req, "filter");
		spec.table_name = string_field(req, "name");
		spec.ops = string_field(req, "ops");
		spec.user_filter = string_field(req, "user_filter");
		spec.user_filter_arg = string_field(req, "user_filter_arg");
		return or_throw(attachments.attach(string_field(req, "path"), spec));
	});
	server.add_command("detach", [&attachments](const nlohmann::json &req) {
		return or_throw(
		    attachments.detach(string_field(req, "path"), bool_field(req, "none")));
	});
	server.add_command("status", [&attachments](const nlohmann::json &) {
		nlohmann::json j = attachments.status();
		j["log"] = log::target(); // "syslog", "stderr" or the log file
		return j;
	});
	server.add_command("invalidate", [&attachments](const nlohmann::json &req) {
		std::optional<uint32_t> id;
		auto it = req.find("table_id");
		if (it != req.end() && !it->is_null()) {
			if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX)
				throw std::runtime_error(
				    "\"table_id\" must be a map ID (a number)");
			id = it->get<uint32_t>();
		}
		return nlohmann::json{{"invalidated", attachments.invalidate(id)}};
	});
}

} // namespace fusebpf::daemon
