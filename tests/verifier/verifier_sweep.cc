// SPDX-License-Identifier: GPL-2.0-or-later
//
// fusebpf-verifier-sweep: every BPF object the tree builds, through the
// kernel verifier, reported per object and per program like veristat.
//
//	fusebpf-verifier-sweep OBJECTS EXPECTED_FAILURES
//
// OBJECTS has one line per object, "<name> <path>": every
// fusebpf_add_filter() of the build (cmake/FusebpfFilter.cmake collects
// them). EXPECTED_FAILURES lists the objects that must not load, as
// "<name> <stage> <text>" (see expected_failures.txt).
//
// Each object goes through two passes:
//   load     loader::load_filter(), what `fusebpf load` does (open, check,
//            load, table, pin) into a private pin root, then unloaded. Its
//            verdict is the object's.
//   verify   each program alone (the others' autoload off), loaded with
//            BPF_LOG_STATS: the kernel's verdict, the instructions it
//            processed and its verification time. A rejected program is
//            loaded once more with the full log for the verifier's message.
//
// An object not in EXPECTED_FAILURES must load, and each of its programs
// must verify. An expected failure must fail at its stage with its text in
// the message: stage `verifier` in the load pass and in at least one
// program's own log, stage `loader` in the load pass (the loader's checks)
// while every program still verifies. An expected failure naming no built
// object is an error too. Exit status 0 only if everything is as expected;
// the table is printed either way.
#include "loader/bpffs.h"
#include "loader/libbpf_setup.h"
#include "loader/load.h"
#include "loader/tables.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace ld = fusebpf::loader;

namespace {

// The kernel's BPF_LOG_STATS (include/linux/bpf_verifier.h, not in the uapi):
// the verification time and processed instructions, without the trace.
constexpr __u32 log_stats = 4;

struct object_entry {
	std::string name, path;
};

struct expected_failure {
	std::string stage; // "verifier" or "loader"
	std::string text;  // must appear in the message
	bool seen = false;
};

struct program_row {
	std::string name;
	bool verified = false;
	std::optional<unsigned long> insns;   // processed by the verifier
	std::optional<unsigned long> time_us; // the verifier's own measure
	std::string message;                  // the verifier's words, if rejected
};

struct object_closer {
	void operator()(bpf_object *obj) const { bpf_object__close(obj); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

std::optional<unsigned long> log_number(const std::string &log, const std::regex &re)
{
	std::smatch m;
	if (!std::regex_search(log, m, re))
		return std::nullopt;
	return std::stoul(m[1].str());
}

// The last lines of a verifier log before its statistics: the rejection.
std::string rejection_of(const std::string &log)
{
	std::vector<std::string> lines;
	std::istringstream in(log);
	for (std::string line; std::getline(in, line);) {
		if (line.starts_with("processed ") || line.starts_with("verification time") ||
		    line.starts_with("stack depth"))
			continue;
		if (!line.empty())
			lines.push_back(line);
	}
	std::string out;
	std::size_t from = lines.size() > 3 ? lines.size() - 3 : 0;
	for (std::size_t i = from; i < lines.size(); i++)
		out += (out.empty() ? "" : " | ") + lines[i];
	return out;
}

// Loads program `index` of `path` alone with a verifier log of `level`.
// Returns libbpf's error (0 on success) and fills `log`; "" in `why` unless
// the object could not even be opened.
int load_one(const std::string &path, std::size_t index, __u32 level, std::string &log,
             std::string &why)
{
	object_ptr obj(bpf_object__open_file(path.c_str(), nullptr));
	if (!obj) {
		why = "libbpf cannot open " + path;
		return -1;
	}
	std::vector<char> buf(16 << 20);
	buf[0] = '\0';
	std::size_t i = 0;
	bpf_program *prog;
	bpf_object__for_each_program(prog, obj.get())
	{
		bool mine = i++ == index;
		bpf_program__set_autoload(prog, mine);
		if (mine) {
			bpf_program__set_log_buf(prog, buf.data(), buf.size());
			bpf_program__set_log_level(prog, level);
		}
	}
	int err = bpf_object__load(obj.get());
	log.assign(buf.data());
	return err;
}

// The verify pass: each program of the object alone.
std::vector<program_row> verify_programs(const std::string &path, std::string &why)
{
	static const std::regex processed(R"(processed (\d+) insns)");
	static const std::regex time(R"(verification time (\d+) usec)");
	std::vector<std::string> names;
	{
		object_ptr obj(bpf_object__open_file(path.c_str(), nullptr));
		if (!obj) {
			why = "libbpf cannot open " + path;
			return {};
		}
		bpf_program *prog;
		bpf_object__for_each_program(prog, obj.get())
		    names.emplace_back(bpf_program__name(prog));
	}
	std::vector<program_row> rows;
	for (std::size_t i = 0; i < names.size(); i++) {
		program_row row;
		row.name = names[i];
		std::string log;
		int err = load_one(path, i, log_stats, log, why);
		if (!why.empty())
			return rows;
		row.verified = err == 0;
		row.insns = log_number(log, processed);
		row.time_us = log_number(log, time);
		if (!row.verified) {
			std::string full;
			(void)load_one(path, i, 1 | log_stats, full, why);
			row.message = rejection_of(full.empty() ? log : full);
			if (row.message.empty())
				row.message =
				    "rejected (" + std::to_string(err) + "), no verifier log";
		}
		rows.push_back(std::move(row));
	}
	return rows;
}

std::vector<object_entry> read_objects(const std::string &file, std::string &why)
{
	std::ifstream in(file);
	if (!in) {
		why = "cannot read " + file;
		return {};
	}
	std::vector<object_entry> out;
	for (std::string line; std::getline(in, line);) {
		std::istringstream fields(line);
		object_entry e;
		if (fields >> e.name >> e.path)
			out.push_back(std::move(e));
	}
	std::sort(out.begin(), out.end(),
	          [](const object_entry &a, const object_entry &b) { return a.path < b.path; });
	return out;
}

std::map<std::string, expected_failure> read_expected(const std::string &file, std::string &why)
{
	std::ifstream in(file);
	if (!in) {
		why = "cannot read " + file;
		return {};
	}
	std::map<std::string, expected_failure> out;
	for (std::string line; std::getline(in, line);) {
		if (line.empty() || line[0] == '#')
			continue;
		std::istringstream fields(line);
		std::string name;
		expected_failure f;
		fields >> name >> f.stage;
		std::getline(fields >> std::ws, f.text);
		if (name.empty() || (f.stage != "verifier" && f.stage != "loader") ||
		    f.text.empty()) {
			why = file + ": not '<name> verifier|loader <text>': '" + line + "'";
			return {};
		}
		out[name] = f;
	}
	return out;
}

// Removes the sweep's pin root (and whatever a failed unload left) on exit.
class pin_root_guard {
public:
	explicit pin_root_guard(std::string root) : root_(std::move(root)) {}
	pin_root_guard(const pin_root_guard &) = delete;
	pin_root_guard &operator=(const pin_root_guard &) = delete;
	~pin_root_guard()
	{
		if (auto tables = ld::list_tables(root_))
			for (const auto &t : *tables)
				(void)ld::unload_table(root_, t.name);
		::rmdir(root_.c_str());
	}
	const std::string &path() const { return root_; }

private:
	std::string root_;
};

std::string number_or_dash(const std::optional<unsigned long> &n)
{
	return n ? std::to_string(*n) : "-";
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s OBJECTS EXPECTED_FAILURES\n", argv[0]);
		return 2;
	}
	std::string why;
	auto objects = read_objects(argv[1], why);
	std::map<std::string, expected_failure> expected;
	if (why.empty())
		expected = read_expected(argv[2], why);
	if (!why.empty() || objects.empty()) {
		std::fprintf(stderr, "fusebpf-verifier-sweep: %s\n",
		             why.empty() ? "no object to sweep" : why.c_str());
		return 1;
	}
	// libbpf's warnings repeat the rejections the table shows.
	spdlog::set_level(spdlog::level::err);
	if (int err = ld::setup_libbpf(); err < 0) {
		std::fprintf(stderr, "fusebpf-verifier-sweep: libbpf setup failed: %d\n", err);
		return 1;
	}
	pin_root_guard pins(std::string(ld::bpffs_mount_point) + "/fusebpf-verifier-sweep-" +
	                    std::to_string(getpid()));

	std::vector<std::string> problems;
	std::size_t programs = 0, failures_expected = 0;
	std::printf("%-32s %-40s %-9s %8s %9s\n", "OBJECT", "PROGRAM", "VERDICT", "INSNS",
	            "TIME(us)");
	for (const auto &obj : objects) {
		auto exp = expected.find(obj.name);
		expected_failure *want = exp == expected.end() ? nullptr : &exp->second;
		struct stat st {};
		if (::stat(obj.path.c_str(), &st) != 0) {
			problems.push_back(obj.name + ": " + obj.path + " was not built");
			continue;
		}

		// load: the object's verdict, as `fusebpf load` gives it.
		ld::load_options opts;
		opts.name = obj.name;
		opts.pin_root = pins.path();
		auto start = std::chrono::steady_clock::now();
		auto table = ld::load_filter(obj.path, opts);
		auto took = std::chrono::duration_cast<std::chrono::microseconds>(
		    std::chrono::steady_clock::now() - start);
		std::string load_message = table ? "" : table.message();
		if (table) {
			if (auto st_unload = ld::unload_table(pins.path(), obj.name); !st_unload)
				problems.push_back(obj.name +
				                   ": unload failed: " + st_unload.message());
		}
		std::printf("%-32s %-40s %-9s %8s %9lld\n", obj.name.c_str(), "(fusebpf load)",
		            table ? "success" : "failure", "-",
		            static_cast<long long>(took.count()));

		// verify: each program alone.
		std::string open_why;
		auto rows = verify_programs(obj.path, open_why);
		if (!open_why.empty())
			problems.push_back(obj.name + ": " + open_why);
		bool a_program_failed_with_text = false, a_program_failed = false;
		for (const auto &r : rows) {
			programs++;
			std::printf("%-32s %-40s %-9s %8s %9s\n", "", r.name.c_str(),
			            r.verified ? "success" : "failure",
			            number_or_dash(r.insns).c_str(),
			            number_or_dash(r.time_us).c_str());
			if (!r.verified) {
				std::printf("%-32s   %s\n", "", r.message.c_str());
				a_program_failed = true;
				if (want && r.message.find(want->text) != std::string::npos)
					a_program_failed_with_text = true;
			}
		}
		if (rows.empty() && open_why.empty())
			problems.push_back(obj.name + ": no program in " + obj.path);

		if (!want) {
			if (!table)
				problems.push_back(obj.name + ": fusebpf load failed:\n" +
				                   load_message);
			if (a_program_failed)
				problems.push_back(obj.name + ": a program failed the verifier");
			continue;
		}
		want->seen = true;
		failures_expected++;
		if (table) {
			problems.push_back(obj.name + ": loaded, but it is listed to fail at the " +
			                   want->stage + " stage");
			continue;
		}
		if (load_message.find(want->text) == std::string::npos)
			problems.push_back(obj.name + ": fusebpf load failed without '" +
			                   want->text + "':\n" + load_message);
		if (want->stage == "verifier") {
			if (load_message.find("the kernel verifier rejected program") ==
			    std::string::npos)
				problems.push_back(obj.name +
				                   ": failed, but not in the verifier:\n" +
				                   load_message);
			if (!a_program_failed_with_text)
				problems.push_back(obj.name + ": no program's verifier log says '" +
				                   want->text + "'");
		} else if (a_program_failed) {
			problems.push_back(obj.name + ": listed to fail the loader's checks, but a "
			                              "program failed the verifier");
		}
	}
	for (const auto &[name, f] : expected)
		if (!f.seen)
			problems.push_back(name +
			                   ": listed as an expected failure, but no such object "
			                   "is built");

	std::printf("\n%zu objects, %zu programs, %zu expected failures, %zu problems\n",
	            objects.size(), programs, failures_expected, problems.size());
	for (const auto &p : problems)
		std::printf("PROBLEM: %s\n", p.c_str());
	return problems.empty() ? 0 : 1;
}
