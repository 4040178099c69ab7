// SPDX-License-Identifier: GPL-2.0-or-later
//
// report: see report.h. Column widths come from the cell texts, never from
// hand-counted constants.
#include "bench/daemon/report.h"

#include "bench/daemon/filter_tables.h"

#include <algorithm>
#include <string>
#include <vector>

namespace fusebpf::bench {

namespace {

// 1234567.8 -> "1,234,568"; small values keep a decimal or two.
std::string format_value(double v)
{
	char buf[64];
	if (v < 10) {
		std::snprintf(buf, sizeof(buf), "%.2f", v);
		return buf;
	}
	if (v < 100) {
		std::snprintf(buf, sizeof(buf), "%.1f", v);
		return buf;
	}
	std::snprintf(buf, sizeof(buf), "%.0f", v);
	std::string digits = buf, out;
	for (size_t i = 0; i < digits.size(); i++) {
		if (i > 0 && (digits.size() - i) % 3 == 0)
			out += ',';
		out += digits[i];
	}
	return out;
}

std::string format_fixed(double v, int decimals)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return buf;
}

// The cell of column `name` for workload w, if there is a good one.
const cell *reference_cell(const bench_result &r, size_t w, const char *name)
{
	for (auto &col : r.columns)
		if (col.spec.name == name && w < col.cells.size() && col.cells[w].ok())
			return &col.cells[w];
	return nullptr;
}

const cell *native_cell(const bench_result &r, size_t w)
{
	return reference_cell(r, w, "native");
}

// The plain fusebpf mount (no table): the reference of the filter columns.
const cell *no_table_cell(const bench_result &r, size_t w)
{
	return reference_cell(r, w, "fusebpf");
}

bool has_filter_columns(const bench_result &r)
{
	for (auto &col : r.columns)
		if (is_table_config(col.spec.base))
			return true;
	return false;
}

std::string cell_text(const bench_result &r, const column &col, size_t w)
{
	if (w >= col.cells.size())
		return "-";
	auto &c = col.cells[w];
	if (!c.ok())
		return "FAILED";
	std::string text = format_value(c.median());
	if (auto *n = native_cell(r, w); n && n->median() > 0)
		text += " (" + format_fixed(c.median() / n->median(), 2) + ")";
	return text;
}

void print_row(std::FILE *out, const std::vector<std::string> &row,
               const std::vector<size_t> &widths)
{
	for (size_t i = 0; i < row.size(); i++) {
		// First column left-aligned, numbers right-aligned.
		int width = static_cast<int>(widths[i]);
		if (i == 0)
			std::fprintf(out, "%-*s", width, row[i].c_str());
		else
			std::fprintf(out, "  %*s", width, row[i].c_str());
	}
	std::fputc('\n', out);
}

void print_table(std::FILE *out, const std::vector<std::vector<std::string>> &rows)
{
	std::vector<size_t> widths(rows.front().size(), 0);
	for (auto &row : rows)
		for (size_t i = 0; i < row.size(); i++)
			widths[i] = std::max(widths[i], row[i].size());
	for (auto &row : rows)
		print_row(out, row, widths);
}

// The filter columns' rates as ratios to the plain fusebpf column: what a
// table costs on top of the mount itself. Columns: every fusebpf-based one
// but the reference.
void print_no_table_ratios(const bench_result &r, std::FILE *out)
{
	std::vector<const column *> cols;
	for (auto &col : r.columns)
		if (col.spec.base.starts_with("fusebpf-"))
			cols.push_back(&col);
	std::vector<std::vector<std::string>> rows;
	std::vector<std::string> header{"workload"};
	for (auto *col : cols)
		header.push_back(col->spec.name);
	rows.push_back(header);
	for (size_t w = 0; w < r.workloads.size(); w++) {
		std::vector<std::string> row{r.workloads[w]->name};
		auto *ref = no_table_cell(r, w);
		for (auto *col : cols) {
			if (w >= col->cells.size() || !col->cells[w].ok())
				row.push_back("FAILED");
			else if (!ref || ref->median() <= 0)
				row.push_back("-");
			else
				row.push_back(
				    format_fixed(col->cells[w].median() / ref->median(), 2));
		}
		rows.push_back(row);
	}
	std::fprintf(out, "\nRatio to fusebpf (the same mount with no table; 1.00 = no cost):\n");
	print_table(out, rows);
}

// "4 = LOOKUP 1, CREATE 1, FLUSH 1, RELEASE 1": requests per unit of work,
// biggest first, three significant digits (an OPENDIR per 10,000 entries
// shows as 0.0001, not as 0).
std::string count_summary(const cell &c, const std::map<std::string, uint64_t> &counts)
{
	if (c.units <= 0)
		return "";
	auto per_unit = [&](uint64_t n) {
		char buf[32];
		std::snprintf(buf, sizeof(buf), "%.3g", static_cast<double>(n) / c.units);
		return std::string(buf);
	};
	std::vector<std::pair<uint64_t, std::string>> ops;
	uint64_t total = 0;
	for (auto &[name, n] : counts) {
		ops.emplace_back(n, name);
		total += n;
	}
	std::sort(ops.begin(), ops.end(), [](auto &a, auto &b) {
		return a.first != b.first ? a.first > b.first : a.second < b.second;
	});
	std::string text = per_unit(total);
	std::string sep = " = ";
	for (auto &[n, name] : ops) {
		text += sep + name + " " + per_unit(n);
		sep = ", ";
	}
	return text;
}

} // namespace

void print_report(const bench_result &r, std::FILE *out)
{
	auto &o = r.opts;
	std::fprintf(out,
	             "fusebpf-bench: kernel %s, %d CPUs online (%s), backing fs %s, "
	             "FUSE over io_uring enabled: %s, fd limit %lu\n",
	             r.sys.kernel.c_str(), r.sys.cpus_online, r.sys.cpu_model.c_str(),
	             r.sys.backing_fs.c_str(), r.sys.fuse_uring.c_str(), r.sys.fd_limit);
	std::fprintf(out,
	             "files %d, file size %llu MiB, %d repetitions (median shown), "
	             "random reads %.1f s per repetition\n",
	             o.files, static_cast<unsigned long long>(o.file_size >> 20), o.reps,
	             o.seconds);
	std::fprintf(out, "run started %s, took %.0f s; load average at start %s, at end %s\n\n",
	             r.sys.started.c_str(), r.seconds, r.sys.loadavg.c_str(),
	             r.loadavg_end.c_str());

	std::vector<std::vector<std::string>> rows;
	std::vector<std::string> header{"workload (unit)"};
	for (auto &col : r.columns)
		header.push_back(col.spec.name);
	rows.push_back(header);
	for (size_t w = 0; w < r.workloads.size(); w++) {
		std::vector<std::string> row{r.workloads[w]->name + " (" + r.workloads[w]->unit +
		                             ")"};
		for (auto &col : r.columns)
			row.push_back(cell_text(r, col, w));
		rows.push_back(row);
	}
	print_table(out, rows);
	std::fprintf(out, "(value, and in parentheses the ratio to native; higher is better)\n");
	if (has_filter_columns(r))
		print_no_table_ratios(r, out);

	bool any_requests = false;
	for (auto &col : r.columns)
		for (auto &c : col.cells)
			any_requests |= c.ok() && c.have_requests;
	if (any_requests) {
		std::fprintf(out, "\nRequests that reached the fusebpf daemon per unit of work "
		                  "(file, entry, read or MiB), from `fusebpf stats`:\n");
		for (size_t w = 0; w < r.workloads.size(); w++)
			for (auto &col : r.columns) {
				if (w >= col.cells.size())
					continue;
				auto &c = col.cells[w];
				if (!c.ok() || !c.have_requests)
					continue;
				std::string runs;
				if (!c.bpf_runs.empty())
					runs = "; BPF runs " + count_summary(c, c.bpf_runs);
				std::fprintf(out, "  %-17s %-20s %s%s\n",
				             r.workloads[w]->name.c_str(), col.spec.name.c_str(),
				             count_summary(c, c.requests).c_str(), runs.c_str());
			}
	}

	std::fprintf(out, "\nConfigurations:\n");
	for (auto &col : r.columns) {
		std::fprintf(out, "  %-20s %s\n", col.spec.name.c_str(), col.about.c_str());
		if (!col.command.empty())
			std::fprintf(out, "  %-20s   $ %s\n", "", col.command.c_str());
	}
	std::fprintf(out, "Workloads:\n");
	for (auto *w : r.workloads)
		std::fprintf(out, "  %-17s %s\n", w->name.c_str(), w->about.c_str());

	bool header_done = false;
	for (auto &col : r.columns) {
		auto note = [&](const std::string &what, const std::string &why) {
			if (!header_done)
				std::fprintf(out, "\nFailures:\n");
			header_done = true;
			// Multi-line reasons (daemon output) are indented under their line.
			std::string text = why;
			for (size_t at = 0; (at = text.find('\n', at)) != std::string::npos;
			     at += 5)
				text.replace(at, 1, "\n    ");
			while (!text.empty() && (text.back() == ' ' || text.back() == '\n'))
				text.pop_back();
			std::fprintf(out, "  %s %s: %s\n", col.spec.name.c_str(), what.c_str(),
			             text.c_str());
		};
		if (!col.error.empty()) {
			note("(configuration)", col.error);
			continue;
		}
		for (size_t w = 0; w < col.cells.size() && w < r.workloads.size(); w++)
			if (!col.cells[w].ok())
				note(r.workloads[w]->name, col.cells[w].error);
		if (!col.ended.empty() && col.ended != "exit 0")
			note("(daemon)", "ended with " + col.ended);
	}
}

nlohmann::json to_json(const bench_result &r)
{
	auto &o = r.opts;
	nlohmann::json j;
	j["system"] = to_json(r.sys);
	j["params"] = {{"files", o.files},
	               {"file_size", o.file_size},
	               {"reps", o.reps},
	               {"seconds", o.seconds},
	               {"statistic", "median"},
	               {"threads", o.threads},
	               {"fusebpf_opts", o.fusebpf_opts}};
	j["seconds"] = r.seconds;
	j["loadavg_end"] = r.loadavg_end;
	j["configs"] = nlohmann::json::array();
	for (auto &col : r.columns)
		j["configs"].push_back({{"name", col.spec.name},
		                        {"base", col.spec.base},
		                        {"pin_cpu", col.spec.pin_cpu},
		                        {"about", col.about},
		                        {"command", col.command},
		                        {"error", col.error},
		                        {"daemon_ended", col.ended}});
	j["results"] = nlohmann::json::array();
	for (size_t w = 0; w < r.workloads.size(); w++) {
		auto *n = native_cell(r, w);
		auto *plain = no_table_cell(r, w);
		for (auto &col : r.columns) {
			if (w >= col.cells.size())
				continue;
			auto &c = col.cells[w];
			nlohmann::json e = {{"workload", r.workloads[w]->name},
			                    {"unit", r.workloads[w]->unit},
			                    {"config", col.spec.name},
			                    {"samples", c.rates}};
			if (c.ok()) {
				e["median"] = c.median();
				e["best"] = c.best();
				if (n && n->median() > 0)
					e["ratio_to_native"] = c.median() / n->median();
				if (plain && plain->median() > 0 && col.spec.base != "native")
					e["ratio_to_fusebpf"] = c.median() / plain->median();
			} else {
				e["error"] = c.error;
			}
			if (c.have_requests) {
				e["daemon_requests"] = c.requests;
				e["work_units"] = c.units;
				if (!c.bpf_runs.empty())
					e["bpf_runs"] = c.bpf_runs;
			}
			j["results"].push_back(e);
		}
	}
	return j;
}

} // namespace fusebpf::bench
