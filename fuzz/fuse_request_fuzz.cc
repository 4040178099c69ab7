// SPDX-License-Identifier: GPL-2.0-or-later
//
// fuse_request_fuzz: raw bytes -> the daemon's dispatcher and every op's
// decoding and backing step, on a scratch backing dir (op_harness.h).
//
// Input: one or more requests as the kernel frames them, back to back. Each
// starts with a fuse_in_header; its len field (clamped to what is left, and
// at least a header) says where the next one starts (rounded up to 8
// bytes). So the fuzzer mutates headers, arguments, names and extension
// records alike, and a sequence can LOOKUP a name and then use the nodeid.
//
// Every input starts from the same state: a fresh scratch tree
// (scratch.h), a fresh session, INIT answered, then LOOKUP of f, d, l and
// d/g (nodeids 2, 3, 4, 5 as the inode table hands them out), OPEN of f and
// OPENDIR of d, so file and dir handles exist for the fuzzer to hit.
//
// What the kernel never sends is rewritten, not fuzzed: uid and gid are 0
// (caller_creds then switches nothing, the target runs as nobody), SETLKW
// becomes SETLK (a conflicting wait could only end by an INTERRUPT from
// another thread), and MKNOD of a FIFO or device makes a regular file (the
// kernel opens special files itself and never sends OPEN for them; an OPEN
// of a FIFO would block the one thread).
//
// Checked on every reply: the kernel would accept it (fuse_reply::
// well_formed()) and it answers the request's unique; a request gets at
// most one reply; FORGET and BATCH_FORGET get none. ASan and UBSan check
// the rest.
//
// FUSEBPF_FUZZ_VERBOSE=1 in the environment prints one line per request
// (opcode, nodeid, the reply's error), to read what an input does.
#include "fuzz/scratch.h"
#include "daemon/fuse/dispatch.h"
#include "tests/op_harness/op_harness.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using fusebpf::test::fuse_args;
using fusebpf::test::fuse_reply;
using fusebpf::test::op_harness;

bool verbose = false; // FUSEBPF_FUZZ_VERBOSE is set

void check(bool ok, const char *what)
{
	if (!ok) {
		std::fprintf(stderr, "fuse_request_fuzz: %s\n", what);
		std::abort();
	}
}

void check_replies(const std::vector<fuse_reply> &replies, const fuse_in_header &hdr)
{
	check(replies.size() <= 1, "more than one reply to a request");
	if (hdr.opcode == FUSE_FORGET || hdr.opcode == FUSE_BATCH_FORGET)
		check(replies.empty(), "a reply to FORGET or BATCH_FORGET");
	for (const auto &r : replies) {
		check(r.well_formed(), "a reply the kernel would refuse");
		check(r.hdr.unique == hdr.unique, "a reply to another unique");
	}
}

void rewrite_what_the_kernel_never_sends(std::byte *frame, size_t len)
{
	fuse_in_header hdr;
	std::memcpy(&hdr, frame, sizeof(hdr));
	hdr.uid = 0;
	hdr.gid = 0;
	if (hdr.opcode == FUSE_SETLKW)
		hdr.opcode = FUSE_SETLK;
	std::memcpy(frame, &hdr, sizeof(hdr));
	if (hdr.opcode == FUSE_MKNOD && len >= sizeof(hdr) + sizeof(fuse_mknod_in)) {
		fuse_mknod_in in;
		std::memcpy(&in, frame + sizeof(hdr), sizeof(in));
		mode_t type = in.mode & S_IFMT;
		if (type == S_IFIFO || type == S_IFCHR || type == S_IFBLK) {
			in.mode = (in.mode & ~S_IFMT) | S_IFREG;
			in.rdev = 0;
		}
		std::memcpy(frame + sizeof(hdr), &in, sizeof(in));
	}
}

void prepare(op_harness &h)
{
	check(h.init().error() == 0, "INIT failed");
	uint64_t ids[3] = {};
	const char *names[3] = {"f", "d", "l"};
	for (int i = 0; i < 3; i++) {
		auto e = h.lookup(FUSE_ROOT_ID, names[i]).as<fuse_entry_out>();
		check(e.has_value(), "setup LOOKUP failed");
		ids[i] = e->nodeid;
	}
	check(h.lookup(ids[1], "g").error() == 0, "setup LOOKUP of d/g failed");
	check(h.call(FUSE_OPEN, ids[0], fuse_args().add(fuse_open_in{O_RDWR, 0})).error() == 0,
	      "setup OPEN failed");
	check(h.call(FUSE_OPENDIR, ids[1], fuse_args().add(fuse_open_in{O_RDONLY, 0})).error() == 0,
	      "setup OPENDIR failed");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	verbose = std::getenv("FUSEBPF_FUZZ_VERBOSE") != nullptr;
	fusebpf::fuzz::drop_privileges();
	spdlog::set_level(spdlog::level::off);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fusebpf::fuzz::scratch_tree tree;
	op_harness h(tree.path());
	check(static_cast<bool>(h), "cannot open the scratch tree");
	prepare(h);

	std::vector<std::byte> frame;
	size_t pos = 0;
	while (size - pos >= sizeof(fuse_in_header)) {
		fuse_in_header hdr;
		std::memcpy(&hdr, data + pos, sizeof(hdr));
		size_t left = size - pos;
		size_t len = hdr.len < sizeof(hdr) ? sizeof(hdr) : hdr.len > left ? left : hdr.len;
		frame.assign(reinterpret_cast<const std::byte *>(data + pos),
		             reinterpret_cast<const std::byte *>(data + pos + len));
		rewrite_what_the_kernel_never_sends(frame.data(), frame.size());
		std::memcpy(&hdr, frame.data(), sizeof(hdr));
		auto replies = h.send_raw(frame);
		if (verbose)
			std::fprintf(stderr, "%s nodeid %#llx -> %s\n",
			             fusebpf::daemon::opname(hdr.opcode),
			             static_cast<unsigned long long>(hdr.nodeid),
			             replies.empty() ? "no reply"
			                             : std::to_string(replies[0].error()).c_str());
		check_replies(replies, hdr);
		pos += (len + 7) & ~size_t(7);
		if (pos > size)
			break;
	}
	return 0;
}
