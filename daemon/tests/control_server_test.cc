// SPDX-License-Identifier: GPL-2.0-or-later
//
// control_server::handle_line(): the JSON line protocol without a socket.
#include "daemon/control/control_server.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace fusebpf::daemon;
using nlohmann::json;

TEST(ControlServer, CommandsByName)
{
	control_server s;
	s.add_command("echo", [](const json &req) { return json{{"got", req.value("x", 0)}}; });
	json r = json::parse(s.handle_line(R"({"cmd": "echo", "x": 5})"));
	EXPECT_EQ(r["ok"], true);
	EXPECT_EQ(r["got"], 5);
}

TEST(ControlServer, ErrorsAreReplies)
{
	control_server s;
	s.add_command("fail", [](const json &) -> json { throw std::runtime_error("nope"); });
	json r = json::parse(s.handle_line(R"({"cmd": "fail"})"));
	EXPECT_EQ(r["ok"], false);
	EXPECT_EQ(r["error"], "nope");
	r = json::parse(s.handle_line(R"({"cmd": "missing"})"));
	EXPECT_EQ(r["ok"], false);
	EXPECT_NE(r["error"].get<std::string>().find("missing"), std::string::npos);
	r = json::parse(s.handle_line("not json"));
	EXPECT_EQ(r["ok"], false);
	r = json::parse(s.handle_line(R"([1, 2])"));
	EXPECT_EQ(r["ok"], false);
}

// Bytes that are not UTF-8 in a request (here inside the parser's message
// and inside a command's error) still give one JSON reply; found by
// fuzz/control_fuzz (corpus/control/regression-invalid-utf8).
TEST(ControlServer, InvalidUtf8GetsAReply)
{
	control_server s;
	s.add_command("fail", [](const json &) -> json {
		throw std::runtime_error("no such path '\xe5\xff'");
	});
	for (const char *line : {"{\"cmd\": \"sta\xe5\xe5\"", "\xe5\xe5", R"({"cmd": "fail"})"}) {
		json r = json::parse(s.handle_line(line), nullptr, false);
		ASSERT_TRUE(r.is_object()) << line;
		EXPECT_EQ(r["ok"], false);
		EXPECT_TRUE(r["error"].is_string());
	}
}
