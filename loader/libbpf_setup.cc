// SPDX-License-Identifier: GPL-2.0-or-later
//
// libbpf's global setup; see libbpf_setup.h.
//
// Why the handler marks programs sleepable: the kernel (checked on 6.18)
// refuses a non-sleepable syscall program at load ("Syscall programs can only
// be sleepable"), which is also why libbpf's own SEC("syscall") sets
// BPF_F_SLEEPABLE.  The price is that filters cannot tail-call; they never
// need to, since the daemon picks the program from the table itself.
#include "loader/libbpf_setup.h"

#include "loader/sections.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace fusebpf::loader {

namespace {

int mark_sleepable(struct bpf_program *prog, long /*cookie*/)
{
	return bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_SLEEPABLE);
}

// libbpf messages go to spdlog: warnings always, the rest at debug (-v).
// Verifier logs arrive as warnings too; the loader captures them into the
// error it returns (see load.cc), so here they are demoted to debug instead
// of being printed twice.
int print_to_spdlog(enum libbpf_print_level level, const char *format, va_list args)
{
	char buf[1024];
	va_list copy;
	va_copy(copy, args);
	int n = std::vsnprintf(buf, sizeof(buf), format, copy);
	va_end(copy);
	std::string line;
	if (n >= static_cast<int>(sizeof(buf))) {
		line.resize(static_cast<std::size_t>(n) + 1);
		std::vsnprintf(line.data(), line.size(), format, args);
		line.resize(static_cast<std::size_t>(n));
	} else if (n > 0) {
		line.assign(buf, static_cast<std::size_t>(n));
	}
	while (!line.empty() && line.back() == '\n')
		line.pop_back();

	bool verifier_log = line.find("PROG LOAD LOG") != std::string::npos;
	if (level == LIBBPF_WARN && !verifier_log)
		spdlog::warn("{}", line);
	else
		spdlog::debug("{}", line);
	return n;
}

int handler_status = 0;

} // namespace

int setup_libbpf()
{
	static std::once_flag once;
	std::call_once(once, [] {
		libbpf_set_print(print_to_spdlog);
		libbpf_prog_handler_opts opts{};
		opts.sz = sizeof(opts);
		opts.prog_setup_fn = mark_sleepable;
		std::string prefix(section_prefix);
		int id = libbpf_register_prog_handler(prefix.c_str(), BPF_PROG_TYPE_SYSCALL,
		                                      static_cast<enum bpf_attach_type>(0), &opts);
		handler_status = id < 0 ? id : 0;
	});
	return handler_status;
}

} // namespace fusebpf::loader
