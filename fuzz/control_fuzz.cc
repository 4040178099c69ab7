// SPDX-License-Identifier: GPL-2.0-or-later
//
// control_fuzz: the control socket's protocol (control_server.h) with the
// commands a mount registers (control_commands.h and "stats"), over a
// session on a scratch backing dir.
//
// Input: what a client writes to the socket. It is cut into lines at '\n'
// as serve_client() does, and each line goes through handle_line(). Every
// reply must be one JSON object with a boolean "ok" and, when false, an
// "error" string, and must be one line (the framing the CLI reads).
//
// The target runs as nobody (scratch.h): an "attach" naming an object,
// table or library reaches the real loader, which the kernel refuses
// without root, so nothing is loaded or pinned.
#include "daemon/control/attach.h"
#include "daemon/control/control_commands.h"
#include "daemon/control/control_server.h"
#include "daemon/control/stats_report.h"
#include "daemon/session.h"
#include "fuzz/scratch.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace d = fusebpf::daemon;

void check(bool ok, const char *what, const std::string &line)
{
	if (!ok) {
		std::fprintf(stderr, "control_fuzz: %s: %s\n", what, line.c_str());
		std::abort();
	}
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fusebpf::fuzz::drop_privileges();
	spdlog::set_level(spdlog::level::off);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fusebpf::fuzz::scratch_tree tree;
	fusebpf::unique_fd root(::open(tree.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
	struct stat st {};
	check(root && fstat(root.get(), &st) == 0, "cannot open the scratch tree", tree.path());
	d::daemon_config cfg;
	cfg.backing_dir = cfg.mountpoint = tree.path();
	cfg.passthrough = false;
	d::session sess(cfg, std::move(root), st);
	d::attach_registry attachments(sess);
	d::control_server server;
	server.add_command("stats", [&sess](const nlohmann::json &) {
		return d::stats_report(sess, "dev", "dev");
	});
	d::add_filter_commands(server, attachments);

	std::string_view input(reinterpret_cast<const char *>(data), size);
	while (!input.empty()) {
		size_t nl = input.find('\n');
		std::string line(input.substr(0, nl));
		input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
		std::string reply = server.handle_line(line);
		check(reply.find('\n') == std::string::npos, "a reply of more than one line",
		      reply);
		auto j = nlohmann::json::parse(reply, nullptr, false);
		check(j.is_object(), "a reply that is not a JSON object", reply);
		check(j.contains("ok") && j["ok"].is_boolean(), "a reply without \"ok\"", reply);
		if (!j["ok"].get<bool>())
			check(j.contains("error") && j["error"].is_string(),
			      "a failure without \"error\"", reply);
	}
	return 0;
}
