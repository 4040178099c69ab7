// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf trace`: print the events a mount's filters put into their ring
// buffers, live, as a table (like opensnoop) or as JSON lines.
//
// Where the events come from: the daemon's `status` says which tables are
// bound on the mount (root and attachments); each table's ring-buffer maps
// are pinned under /sys/fs/bpf/fusebpf/TABLE/maps/ (loader table_info.maps),
// and this command opens them and polls them with libbpf's ring_buffer.
// Records are struct fusebpf_trace_event (filter_abi.h: what fusebpf_trace()
// and FUSEBPF_ERR() of fusebpf.bpf.h write).  A record at least
// sizeof(struct fusebpf_trace_event) + 16 bytes long carries two more u64
// after it, the timed form examples/audit writes:
//	time_ns     bpf_ktime_get_ns() when the op finished (CLOCK_MONOTONIC)
//	latency_ns  the op's latency as the filter measured it
// Plain records get the time they were read and no latency.
//
// Limits: events the ring buffer had no room for are lost (the filter's
// reserve fails), never delayed; a ring buffer has one consumer position,
// so two `fusebpf trace` of one table split its events between them.
#include "cli/command.h"
#include "cli/readable.h"
#include "cli/table_access.h"

#include "common/unique_fd.h"
#include "daemon/filter/op_traits.h"

#include <fusebpf/filter_abi.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace fusebpf::cli {
namespace {

struct trace_args {
	std::string mountpoint;
	std::string table;
	std::string map;
	bool json = false;
	double duration = 0; // seconds, 0: until Ctrl-C
};

// The timed record: a trace event and the two fields after it.
struct timed_tail {
	__u64 time_ns;
	__u64 latency_ns;
};

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int)
{
	stop_requested = 1;
}

void error_line(const std::string &msg)
{
	std::fprintf(stderr, "fusebpf trace: %s\n", msg.c_str());
}

std::int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string op_name(__u32 opcode)
{
	switch (opcode & FUSE_OPCODE_FILTER) {
#define FUSEBPF_TRACE_OPCODE_NAME(code, name, op)                                                  \
	case code:                                                                                 \
		return name;
		FUSEBPF_FILTER_OPCODES(FUSEBPF_TRACE_OPCODE_NAME)
#undef FUSEBPF_TRACE_OPCODE_NAME
	default:
		return "OP" + std::to_string(opcode & FUSE_OPCODE_FILTER);
	}
}

const char *side_name(__u32 opcode)
{
	if (opcode & FUSE_POSTFILTER)
		return "post";
	if (opcode & FUSE_PREFILTER)
		return "pre";
	return "";
}

// "0", "ENOENT", "3" (a verdict).
std::string result_name(__s32 value)
{
	if (value >= 0)
		return std::to_string(value);
	const char *name = strerrorname_np(-value);
	return name ? name : std::to_string(value);
}

// "13:04:05.123456" in local time.
std::string wall_clock(std::int64_t realtime_ns)
{
	time_t secs = static_cast<time_t>(realtime_ns / 1000000000);
	struct tm tm;
	localtime_r(&secs, &tm);
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%06lld", tm.tm_hour, tm.tm_min, tm.tm_sec,
	              static_cast<long long>(realtime_ns % 1000000000 / 1000));
	return buf;
}

std::string bounded(const char *s, size_t max)
{
	return std::string(s, strnlen(s, max));
}

struct printer {
	bool json = false;
	std::int64_t realtime_minus_monotonic = 0;
	unsigned long long events = 0;

	void header() const
	{
		if (!json)
			std::printf("%-15s %-12s %-7s %-6s %-8s %9s  %s\n", "TIME", "OP", "PID",
			            "UID", "RESULT", "LAT(us)", "NAME");
	}

	int print(const void *data, size_t size)
	{
		if (size < sizeof(fusebpf_trace_event))
			return 0; // not ours: too short to read
		fusebpf_trace_event e;
		std::memcpy(&e, data, sizeof(e));
		bool timed = size >= sizeof(e) + sizeof(timed_tail);
		timed_tail tail{};
		if (timed)
			std::memcpy(&tail, static_cast<const char *>(data) + sizeof(e),
			            sizeof(tail));
		std::int64_t when =
		    timed ? static_cast<std::int64_t>(tail.time_ns) + realtime_minus_monotonic
		          : clock_ns(CLOCK_REALTIME);
		std::string name = bounded(e.text, sizeof(e.text));
		std::string where = bounded(e.where, sizeof(e.where));
		events++;
		if (json) {
			nlohmann::json j = {{"time", wall_clock(when)},
			                    {"time_ns", when},
			                    {"op", op_name(e.opcode)},
			                    {"side", side_name(e.opcode)},
			                    {"pid", e.pid},
			                    {"uid", e.uid},
			                    {"result", e.value},
			                    {"result_name", result_name(e.value)},
			                    {"latency_us", nullptr},
			                    {"name", name},
			                    {"where", where},
			                    {"nodeid", e.nodeid},
			                    {"unique", e.unique}};
			if (timed)
				j["latency_us"] = static_cast<double>(tail.latency_ns) / 1000.0;
			std::printf("%s\n", j.dump().c_str());
			return 0;
		}
		char lat[32] = "-";
		if (timed)
			std::snprintf(lat, sizeof(lat), "%.1f",
			              static_cast<double>(tail.latency_ns) / 1000.0);
		if (!where.empty())
			name += (name.empty() ? "[" : " [") + where + "]";
		std::printf("%-15s %-12s %-7u %-6u %-8s %9s  %s\n", wall_clock(when).c_str(),
		            op_name(e.opcode).c_str(), e.pid, e.uid, result_name(e.value).c_str(),
		            lat, name.c_str());
		return 0;
	}
};

int on_event(void *ctx, void *data, size_t size)
{
	return static_cast<printer *>(ctx)->print(data, size);
}

struct ring_deleter {
	void operator()(struct ring_buffer *rb) const { ring_buffer__free(rb); }
};

int run_trace(const trace_args &a)
{
	if (a.mountpoint.empty() == a.table.empty()) {
		error_line("give a MOUNTPOINT or --table NAME|ID (one of them)");
		return exit_usage;
	}
	std::vector<loader::table_info> tables;
	if (!a.mountpoint.empty()) {
		auto t = tables_of_mount(a.mountpoint);
		if (!t) {
			error_line(t.message());
			return exit_failure;
		}
		tables = std::move(*t);
		if (tables.empty()) {
			error_line(a.mountpoint +
			           ": no ops table is bound on this mount, so no "
			           "filter emits events (fusebpf status " +
			           a.mountpoint + ")");
			return exit_failure;
		}
	} else {
		auto t = find_table(a.table);
		if (!t) {
			error_line(t.message());
			return exit_failure;
		}
		tables.push_back(std::move(*t));
	}

	printer out;
	out.json = a.json;
	out.realtime_minus_monotonic = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	std::vector<unique_fd> fds;
	std::unique_ptr<struct ring_buffer, ring_deleter> rb;
	std::string opened;
	for (const auto &t : tables)
		for (const auto &m : t.maps) {
			if (m.type != "ringbuf" || (!a.map.empty() && m.name != a.map))
				continue;
			unique_fd fd(bpf_obj_get(m.pin.c_str()));
			if (fd.get() < 0) {
				error_line(m.pin + ": " + std::strerror(errno));
				return exit_failure;
			}
			int err = 0;
			if (!rb) {
				rb.reset(ring_buffer__new(fd.get(), on_event, &out, nullptr));
				err = rb ? 0 : -errno;
			} else {
				err = ring_buffer__add(rb.get(), fd.get(), on_event, &out);
			}
			if (err) {
				error_line(m.pin +
				           ": cannot read the ring buffer: " + std::strerror(-err));
				return exit_failure;
			}
			opened += (opened.empty() ? "" : ", ") + t.name + "/" + m.name;
			fds.push_back(std::move(fd));
		}
	if (!rb) {
		std::string names;
		for (const auto &t : tables)
			names += (names.empty() ? "" : ", ") + t.name;
		error_line("table " + names + " has no ring buffer" +
		           (a.map.empty() ? "" : " named '" + a.map + "'") +
		           ": its filters emit no events (declare one with FUSEBPF_EVENTS_DEFINE() "
		           "and call fusebpf_trace(), see bpf/fusebpf.bpf.h)");
		return exit_failure;
	}

	std::setvbuf(stdout, nullptr, _IOLBF, 0); // a line per event, also into pipes
	struct sigaction sa {};
	sa.sa_handler = on_signal; // no SA_RESTART: the poll returns at once
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
	if (!a.json)
		std::fprintf(stderr, "fusebpf trace: reading %s; %s\n", opened.c_str(),
		             a.duration > 0 ? ("for " + seconds_text(a.duration) + " s").c_str()
		                            : "Ctrl-C to stop");
	out.header();

	std::int64_t deadline =
	    a.duration > 0 ? clock_ns(CLOCK_MONOTONIC) + static_cast<std::int64_t>(a.duration * 1e9)
	                   : 0;
	std::int64_t next_mount_check = clock_ns(CLOCK_MONOTONIC) + 1000000000;
	while (!stop_requested) {
		std::int64_t now = clock_ns(CLOCK_MONOTONIC);
		if (deadline && now >= deadline)
			break;
		int timeout_ms = 100;
		if (deadline)
			timeout_ms = static_cast<int>(
			    std::min<std::int64_t>(timeout_ms, (deadline - now) / 1000000 + 1));
		int n = ring_buffer__poll(rb.get(), timeout_ms);
		if (n < 0 && n != -EINTR) {
			error_line(std::string("polling the ring buffer: ") + std::strerror(-n));
			return exit_failure;
		}
		// A traced mount that went away ends the trace (its tables are unloaded).
		if (!a.mountpoint.empty() && now >= next_mount_check) {
			next_mount_check = now + 1000000000;
			auto mounts = fusebpf_mounts();
			char buf[PATH_MAX];
			if (!realpath(a.mountpoint.c_str(), buf) ||
			    std::find(mounts.begin(), mounts.end(), buf) == mounts.end()) {
				ring_buffer__consume(rb.get());
				std::fprintf(stderr, "fusebpf trace: %s was unmounted\n",
				             a.mountpoint.c_str());
				break;
			}
		}
	}
	ring_buffer__consume(rb.get()); // what is left
	if (!a.json)
		std::fprintf(stderr, "fusebpf trace: %s events\n", count_text(out.events).c_str());
	return exit_ok;
}

} // namespace

void add_trace_commands(CLI::App &root, command_list &commands)
{
	auto a = std::make_shared<trace_args>();
	CLI::App *trace = root.add_subcommand(
	    "trace", "Print the events a mount's filters emit, live (like opensnoop).\n\n"
	             "Reads the ring buffers (FUSEBPF_EVENTS_DEFINE() in fusebpf.bpf.h) of every\n"
	             "table bound on MOUNTPOINT, as the daemon's status reports them, or of one\n"
	             "table (--table). Columns: TIME (when the op finished, or when the event was\n"
	             "read), OP (the FUSE op), PID and UID of the caller, RESULT (0, an errno\n"
	             "name, or the value the filter recorded), LAT(us) (the latency the filter\n"
	             "measured, '-' if it records none), NAME (the name the filter recorded; for\n"
	             "FUSEBPF_ERR() events with [file:line]). examples/audit emits one event per\n"
	             "metadata op. Runs until Ctrl-C, SIGTERM, -d SECONDS or the unmount.");
	trace->add_option("MOUNTPOINT", a->mountpoint, "A fusebpf mount.");
	trace->add_option("--table", a->table, "Read one loaded table instead (name or map ID).")
	    ->option_text("NAME|ID");
	trace->add_option("--map", a->map, "Only the ring buffer with this map name.")
	    ->option_text("NAME");
	trace->add_flag("--json", a->json,
	                "One JSON object per event and line: time, time_ns, op, side, pid, uid,\n"
	                "result, result_name, latency_us (null if none), name, where, nodeid,\n"
	                "unique.");
	trace->add_option("-d,--duration", a->duration, "Stop after SECONDS.")
	    ->check(CLI::PositiveNumber)
	    ->option_text("SECONDS");
	trace->footer("EXAMPLES:\n"
	              "  fusebpf trace /mnt/data                  # until Ctrl-C\n"
	              "  fusebpf trace -d 10 --json /mnt/data > events.jsonl\n"
	              "  fusebpf trace --table audit --map events");
	commands.push_back({trace, [a] { return run_trace(*a); }});
}

} // namespace fusebpf::cli
