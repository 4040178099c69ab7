// SPDX-License-Identifier: GPL-2.0-or-later
//
// loader_fuzz: the BPF object loader's front end, the steps "open" and
// "check" of `fusebpf load` (loader::check_filter(), load.h): is it a BPF
// ELF relocatable, does libbpf open it, does it record a fusebpf ABI
// version and a valid table name, do its fuse_ops/ sections name table
// slots. Nothing reaches the kernel.
//
// Input: the object file's bytes (written to a memfd, opened by path as
// `fusebpf load FILE` would). Checked: a success names the slots of
// distinct programs inside the table and a table name check_table_name()
// accepts; a failure has a message. The corpus starts from real filter
// objects (fuzz/corpus/loader/).
#include "loader/bpffs.h"
#include "loader/load.h"

#include <bpf/libbpf.h>
#include <fusebpf/filter_abi.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace {

void check(bool ok, const char *what)
{
	if (!ok) {
		std::fprintf(stderr, "loader_fuzz: %s\n", what);
		std::abort();
	}
}

int quiet(enum libbpf_print_level, const char *, va_list)
{
	return 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once = [] {
		(void)fusebpf::loader::check_filter("/dev/null"); // installs its print callback
		libbpf_set_print(quiet);
		return 0;
	}();
	(void)once;
	int fd = memfd_create("loader_fuzz", MFD_CLOEXEC);
	check(fd >= 0, "memfd_create");
	check(write(fd, data, size) == static_cast<ssize_t>(size), "write");
	std::string path = "/proc/self/fd/" + std::to_string(fd);
	auto r = fusebpf::loader::check_filter(path);
	close(fd);
	if (!r) {
		check(!r.message().empty(), "a failure without a message");
		return 0;
	}
	check(static_cast<bool>(fusebpf::loader::check_table_name(r->name)),
	      "a table name load would refuse");
	check(!r->slots.empty(), "success without a program");
	std::set<uint32_t> seen;
	for (uint32_t slot : r->slots) {
		check(slot < FUSEBPF_SLOT_COUNT, "a slot outside the table");
		check(seen.insert(slot).second, "two programs in one slot");
	}
	return 0;
}
