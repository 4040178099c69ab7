// SPDX-License-Identifier: GPL-2.0-or-later
//
// request and arg_reader: argument parsing, name validation and replies.
// The reply path ends here in channel::send(); error replies are counted.
#include "daemon/fuse/request.h"

#include "daemon/fuse/dispatch.h"

#include <spdlog/spdlog.h>

#include <climits>
#include <cstdlib>
#include <vector>

namespace fusebpf::daemon {

int validate_name(std::string_view name)
{
	if (name.empty())
		return EINVAL;
	if (name.size() > NAME_MAX)
		return ENAMETOOLONG;
	if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
		return EINVAL;
	if (name == "." || name == "..")
		return EINVAL;
	return 0;
}

bool arg_reader::string(std::string_view &out)
{
	auto left = rest();
	const char *start = reinterpret_cast<const char *>(left.data());
	const void *nul = std::memchr(start, '\0', left.size());
	if (!nul)
		return false;
	size_t len = static_cast<const char *>(nul) - start;
	out = std::string_view(start, len);
	pos_ += len + 1;
	return true;
}

int arg_reader::name(std::string_view &out)
{
	std::string_view s;
	if (!string(s))
		return EINVAL;
	if (int err = validate_name(s))
		return err;
	out = s;
	return 0;
}

bool arg_reader::bytes(size_t n, std::span<const std::byte> &out)
{
	if (bytes_.size() - pos_ < n)
		return false;
	out = bytes_.subspan(pos_, n);
	pos_ += n;
	return true;
}

request::request(fuse_connection &conn, session &s, channel &ch, inflight_slot &slot,
                 const fuse_in_header &hdr, std::span<const std::byte> args,
                 std::span<const std::byte> ext)
    : conn_(conn), sess_(s), chan_(ch), slot_(slot), hdr_(hdr), args_(args)
{
	// Extensions: a list of fuse_ext_header records, each 8-byte aligned.
	while (ext.size() >= sizeof(fuse_ext_header)) {
		const auto *eh = reinterpret_cast<const fuse_ext_header *>(ext.data());
		if (eh->size < sizeof(fuse_ext_header) || eh->size > ext.size() || eh->size % 8)
			break;
		if (eh->type == FUSE_EXT_GROUPS &&
		    eh->size >= sizeof(fuse_ext_header) + sizeof(fuse_supp_groups)) {
			const auto *g = reinterpret_cast<const fuse_supp_groups *>(eh + 1);
			size_t room =
			    (eh->size - sizeof(fuse_ext_header) - sizeof(fuse_supp_groups)) /
			    sizeof(uint32_t);
			if (g->nr_groups <= room)
				ext_groups_ = std::span<const uint32_t>(g->groups, g->nr_groups);
		}
		ext = ext.subspan(eh->size);
	}
}

void request::reply_err(int err)
{
	if (err > 0) {
		spdlog::error("INTERNAL ERROR: {} (unique {}) replied with a positive errno {}; "
		              "replying EIO",
		              opname(hdr_.opcode), hdr_.unique, err);
		err = -EIO;
	}
	send(err, {});
}

void request::reply_ok()
{
	send(0, {});
}

void request::reply_iov(std::span<const struct iovec> payload)
{
	send(0, payload);
}

void request::reply_none()
{
	if (replied_) {
		spdlog::error("INTERNAL ERROR: {} (unique {}) answered twice", opname(hdr_.opcode),
		              hdr_.unique);
		return;
	}
	replied_ = true;
}

void request::send(int error, std::span<const struct iovec> payload)
{
	if (replied_) {
		spdlog::error("INTERNAL ERROR: {} (unique {}) answered twice; second reply dropped",
		              opname(hdr_.opcode), hdr_.unique);
		return;
	}
	replied_ = true;
	if (error)
		conn_.stats.count_error(hdr_.opcode);

	// Header plus up to a few payload pieces without allocating.
	struct iovec small[8];
	std::vector<struct iovec> big;
	struct iovec *iov = small;
	size_t n = payload.size() + 1;
	if (n > std::size(small)) {
		big.resize(n);
		iov = big.data();
	}
	fuse_out_header out = {};
	size_t len = sizeof(out);
	for (size_t i = 0; i < payload.size(); i++) {
		iov[i + 1] = payload[i];
		len += payload[i].iov_len;
	}
	out.len = static_cast<uint32_t>(len);
	out.error = error;
	out.unique = hdr_.unique;
	iov[0] = {&out, sizeof(out)};
	if (conn_.debug) {
		if (error)
			spdlog::debug("   unique: {}, error: {} ({}), outsize: {}", hdr_.unique,
			              error, std::strerror(-error), len);
		else
			spdlog::debug("   unique: {}, success, outsize: {}", hdr_.unique, len);
	}
	int rc = chan_.send({iov, n});
	if (rc < 0 && rc != -ENOENT)
		spdlog::warn("reply to {} (unique {}) failed: {}", opname(hdr_.opcode), hdr_.unique,
		             std::strerror(-rc));
}

int request::interruptible(const std::function<int()> &fn)
{
	return conn_.interrupts.run_interruptible(slot_, hdr_.unique, fn);
}

bool request::interrupted() const
{
	return slot_.interrupted.load() == hdr_.unique;
}

} // namespace fusebpf::daemon
