// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_harness: the daemon's real dispatcher and op handlers on a backing
// directory, without a mount, without /dev/fuse and without root.
//
// The harness builds a daemon::session over a backing directory the caller
// owns (passthrough off: FUSE_DEV_IOC_BACKING_OPEN needs a real connection),
// hands it raw requests exactly as the kernel writes them (fuse_in_header,
// then the op's arguments in wire order, then extensions) through
// daemon::dispatch(), and collects what the daemon sends back through an
// in-memory daemon::channel (fuse_out_header, then the payload). Requests
// carry uid 0 and gid 0, for which caller_creds switches nothing
// (caller_creds.h), so backing syscalls run with the harness process's own
// credentials, root or not; the pid is the harness process's.
//
//	test::temp_dir dir("harness");
//	test::op_harness h(dir.path());
//	h.init();                                       // INIT, protocol 7.40
//	auto r = h.call(FUSE_MKDIR, FUSE_ROOT_ID,
//	                test::fuse_args().add(fuse_mkdir_in{0755, 0}).str("d"));
//	ASSERT_EQ(r.error(), 0);
//	auto entry = r.as<fuse_entry_out>();            // nullopt if too short
//
// Only the public entry points of the FUSE layer are used (session,
// dispatch, channel), so the harness does not depend on how op handlers are
// written. Not thread-safe: one request at a time from one thread.
#pragma once

#include "daemon/fuse/channel.h"
#include "daemon/fuse/interrupts.h"
#include "daemon/session.h"

#include <fusebpf/fuse_wire.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::test {

// One reply the daemon sent: its header and the bytes after it.
struct fuse_reply {
	fuse_out_header hdr{};
	std::vector<std::byte> payload;
	size_t wire_size = 0; // bytes the daemon wrote, header included

	// What the kernel checks before it takes a reply (fuse_dev_do_write):
	// the length field matches, the error is 0 or above -512, and an error
	// reply carries no payload. The harness channel fails the send (as the
	// kernel fails the write) when this is false, but keeps the reply.
	bool well_formed() const
	{
		return hdr.len == wire_size && hdr.error <= 0 && hdr.error > -512 &&
		       (hdr.error == 0 || payload.empty());
	}

	// 0 or a negative errno, as on the wire.
	int error() const { return hdr.error; }

	// The payload's first sizeof(T) bytes as a T, or nullopt if shorter.
	template <class T> std::optional<T> as(size_t offset = 0) const
	{
		if (payload.size() < offset || payload.size() - offset < sizeof(T))
			return std::nullopt;
		T out;
		std::memcpy(&out, payload.data() + offset, sizeof(T));
		return out;
	}

	// The payload as text (READ data, READLINK targets, xattr values).
	std::string text() const
	{
		return std::string(reinterpret_cast<const char *>(payload.data()), payload.size());
	}
};

// A request's argument bytes, appended in wire order.
class fuse_args {
public:
	// A wire struct, byte for byte.
	template <class T> fuse_args &add(const T &v)
	{
		const auto *p = reinterpret_cast<const std::byte *>(&v);
		bytes_.insert(bytes_.end(), p, p + sizeof(T));
		return *this;
	}
	// A string and its terminating NUL (names, symlink targets, xattr names).
	fuse_args &str(std::string_view s);
	// Raw bytes without a NUL (WRITE data, xattr values).
	fuse_args &raw(std::string_view s);

	std::span<const std::byte> bytes() const { return bytes_; }

private:
	std::vector<std::byte> bytes_;
};

class op_harness {
public:
	// backing_dir must exist and outlive the harness. passthrough stays off.
	explicit op_harness(const std::string &backing_dir);
	~op_harness();
	op_harness(const op_harness &) = delete;
	op_harness &operator=(const op_harness &) = delete;

	// False if the backing dir could not be opened; error() says why.
	explicit operator bool() const { return sess_ != nullptr; }
	const std::string &error() const { return error_; }

	daemon::session &sess() { return *sess_; }

	// INIT as a 7.40 kernel sends it, offering every flag (flags and flags2).
	fuse_reply init(uint32_t minor = 40);

	// One request: header {len, opcode, next unique, nodeid, uid 0, gid 0, own pid}
	// + args. Returns every reply the daemon sent for it, in order (none for
	// FORGET, BATCH_FORGET and an answered INTERRUPT).
	std::vector<fuse_reply> send(uint32_t opcode, uint64_t nodeid, const fuse_args &args = {});

	// send() for an op that answers: the one reply, or a reply with error
	// INT32_MIN when the daemon sent none or more than one.
	fuse_reply call(uint32_t opcode, uint64_t nodeid, const fuse_args &args = {});

	// Hands `bytes` to the dispatcher unchanged (header included, which may
	// lie about its length) and returns every reply sent meanwhile.
	std::vector<fuse_reply> send_raw(std::span<const std::byte> bytes);

	// The unique the next send() uses.
	uint64_t next_unique() const { return unique_; }

	// Shorthands for the common sequences; each asserts nothing and
	// returns the daemon's reply.
	fuse_reply lookup(uint64_t parent, std::string_view name);
	fuse_reply getattr(uint64_t nodeid);

private:
	class capture_channel;

	std::string error_;
	std::unique_ptr<daemon::session> sess_;
	std::unique_ptr<capture_channel> chan_;
	daemon::inflight_slot *slot_ = nullptr;
	uint64_t unique_ = 2;
	std::vector<uint64_t> buf_; // 8-byte aligned request buffer
};

} // namespace fusebpf::test
