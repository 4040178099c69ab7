// SPDX-License-Identifier: GPL-2.0-or-later
//
// request: one FUSE request as a handler sees it, and the only way to reply.
//
// Lifetime (the contract every handler follows, as in libfuse's
// fuse_lowlevel.h): the dispatcher builds a request from the bytes a worker
// received and calls the op's handler with it. The handler must reply
// exactly once with one of the reply_*() functions, except FORGET,
// BATCH_FORGET and INTERRUPT, which never reply. Everything the request
// points to (header, arguments, names) lives in the worker's buffer and is
// invalid after the handler returns: copy what you keep.
//
// Safety nets (dispatch.cc): a handler that returns without replying, or
// throws, gets "INTERNAL ERROR" logged and the request answered with -EIO;
// a second reply is dropped and logged the same way. The daemon never
// aborts on bad input or a broken invariant.
//
// Arguments are read in wire order with the arg_reader returned by args():
//
//	auto *in = req.args().get<fuse_mknod_in>();	// nullptr if too short
//	if (!in)
//		return req.reply_err(-EINVAL);
//	std::string_view name;				// NUL-terminated in the buffer
//	if (int err = req.args().name(name))		// validated file name
//		return req.reply_err(-err);
//
// Caller credentials: the dispatcher runs every handler inside a
// caller_creds scope (caller_creds.h), so backing syscalls already run with
// the caller's fsuid/fsgid/groups. Handlers don't switch credentials.
#pragma once

#include "daemon/fuse/channel.h"
#include "daemon/fuse/connection.h"
#include "daemon/fuse/interrupts.h"

#include <fusebpf/fuse_wire.h>

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string_view>

namespace fusebpf::daemon {

class session;

// Validates a file name the kernel sent (one path component). Returns 0, or
// the errno to reply: EINVAL for "" or a name with '/' or NUL, ENAMETOOLONG
// beyond NAME_MAX (255), EINVAL for "." and ".." (the kernel resolves those
// itself; letting them through would allow ".." to climb out of the root).
int validate_name(std::string_view name);

// Sequential reader over a request's argument bytes (after fuse_in_header,
// extensions excluded). Every accessor bounds-checks.
class arg_reader {
public:
	explicit arg_reader(std::span<const std::byte> bytes = {}) : bytes_(bytes) {}

	// The next sizeof(T) bytes as a T, or nullptr if fewer remain. The
	// pointer is into the receive buffer, which the worker keeps 8-byte
	// aligned; FUSE pads every argument struct to 8 bytes.
	template <class T> const T *get()
	{
		if (bytes_.size() - pos_ < sizeof(T))
			return nullptr;
		const T *p = reinterpret_cast<const T *>(bytes_.data() + pos_);
		pos_ += sizeof(T);
		return p;
	}

	// Like get<T>(), but accepts a shorter argument of at least min_size bytes
	// (older protocol minors send shorter structs, e.g. fuse_setxattr_in
	// without FUSE_SETXATTR_EXT); the missing tail reads as zero. Copies.
	template <class T> bool get_compat(T &out, size_t min_size)
	{
		size_t left = bytes_.size() - pos_;
		if (left < min_size)
			return false;
		size_t n = left < sizeof(T) ? min_size : sizeof(T);
		std::memset(&out, 0, sizeof(T));
		std::memcpy(&out, bytes_.data() + pos_, n);
		pos_ += n;
		return true;
	}

	// The next NUL-terminated string (not validated; e.g. an xattr name or
	// a symlink target). Returns false if no NUL is left.
	bool string(std::string_view &out);

	// The next NUL-terminated string, validated as a file name with
	// validate_name(). Returns 0 or the errno to reply (EINVAL if missing).
	int name(std::string_view &out);

	// The next n bytes (e.g. an xattr value, WRITE data). Returns false if
	// fewer remain.
	bool bytes(size_t n, std::span<const std::byte> &out);

	// Everything not read yet.
	std::span<const std::byte> rest() const { return bytes_.subspan(pos_); }

private:
	std::span<const std::byte> bytes_;
	size_t pos_ = 0;
};

class request {
public:
	// conn: the transport's state (counters, interrupts, logging); s: the
	// session handlers reach through sess(), which the transport only
	// passes on.
	request(fuse_connection &conn, session &s, channel &ch, inflight_slot &slot,
	        const fuse_in_header &hdr, std::span<const std::byte> args,
	        std::span<const std::byte> ext);
	request(const request &) = delete;
	request &operator=(const request &) = delete;

	session &sess() const { return sess_; }
	const fuse_in_header &header() const { return hdr_; }
	uint32_t opcode() const { return hdr_.opcode; }
	uint64_t unique() const { return hdr_.unique; }
	uint64_t nodeid() const { return hdr_.nodeid; }
	arg_reader &args() { return args_; }

	// Supplementary group sent with FUSE_EXT_GROUPS (creates, with
	// FUSE_CREATE_SUPP_GROUP negotiated), empty if none.
	std::span<const uint32_t> ext_groups() const { return ext_groups_; }

	// ---- replies: call exactly one, once ----

	// Fails the request. err is -errno (-ENOENT, -EACCES, ...), as the
	// kernel writes it; 0 is the same as reply_ok(). A positive value is a
	// daemon bug: it is logged as INTERNAL ERROR and replied as -EIO.
	void reply_err(int err);

	// Success without payload (UNLINK, RMDIR, RELEASE, FLUSH, FSYNC, ...).
	void reply_ok();

	// Success with one wire struct (fuse_entry_out, fuse_attr_out, ...).
	template <class T> void reply(const T &out)
	{
		struct iovec iov = {const_cast<T *>(&out), sizeof(T)};
		reply_iov({&iov, 1});
	}

	// Success with a payload gathered from several pieces (READ data,
	// READDIR buffers, GETXATTR values, CREATE's entry + open pair).
	void reply_iov(std::span<const struct iovec> payload);

	// Success with raw bytes.
	void reply_bytes(const void *data, size_t size)
	{
		struct iovec iov = {const_cast<void *>(data), size};
		reply_iov({&iov, 1});
	}

	// FORGET, BATCH_FORGET and INTERRUPT: no reply is sent.
	void reply_none();

	bool replied() const { return replied_; }

	// ---- blocking calls an INTERRUPT must be able to wake ----

	// Runs fn (a blocking call returning 0 or -errno, e.g. an F_OFD_SETLKW
	// wait) so that a FUSE_INTERRUPT for this request makes it return -EINTR
	// (see interrupts.h). Returns fn's result, or -EINTR if the request was
	// interrupted before or during the call. Reply -EINTR then.
	int interruptible(const std::function<int()> &fn);

	// True once an INTERRUPT named this request.
	bool interrupted() const;

private:
	void send(int error, std::span<const struct iovec> payload);

	fuse_connection &conn_;
	session &sess_;
	channel &chan_;
	inflight_slot &slot_;
	const fuse_in_header &hdr_;
	arg_reader args_;
	std::span<const uint32_t> ext_groups_;
	bool replied_ = false;
};

} // namespace fusebpf::daemon
