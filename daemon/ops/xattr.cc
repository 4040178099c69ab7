// SPDX-License-Identifier: GPL-2.0-or-later
//
// Extended attribute ops: setxattr, getxattr, listxattr, removexattr.
//
// Every call goes to /proc/self/fd/N of the node's O_PATH fd with the
// following (non-l*) xattr calls: the magic link resolves to the node itself
// and is not followed any further, so a symlink node gets the symlink's own
// xattrs and a FIFO or device node is never opened. They run as the caller,
// so the backing fs makes the native checks (user.* needs read/write
// permission and is refused on symlinks and special files, ...).
//
// Size probes (GETXATTR/LISTXATTR with size 0) reply fuse_getxattr_out with
// the size needed; otherwise the value is read into a buffer of the size the
// kernel asked for, and ERANGE tells it the value grew or does not fit.
//
// Privileged namespaces: the caller_creds scope drops only the file system
// capabilities for a non-root caller; CAP_SYS_ADMIN and CAP_SETFCAP stay with
// the daemon thread. So for callers with fsuid != 0 this file applies the
// kernel's own rules (fs/xattr.c: xattr_permission, security/commoncap.c)
// itself: trusted.* cannot be read (ENODATA), written or removed (EPERM) and
// is hidden from the list; security.* cannot be written or removed (EPERM).
// Limit: "privileged" means fsuid 0, as elsewhere in the daemon. Removing
// security.capability is left to the backing fs (do_removexattr()): the
// kernel sends it for any writer of a file with capabilities.
//
// Filters (node_filters.h, docs/filters.md §6): each op runs through the
// filter engine when the node's binding wants it, else it is the plain
// backing op, unchanged. A filtered GETXATTR/LISTXATTR reads the whole value
// (list) from the backing fs whatever size the kernel asked for, so filters
// see it even for a size probe; the kernel's size applies to the final
// answer (ERANGE, or the probe's size, computed from what the filters left).
// The answer is out.value (out.list): its size and bytes; out.xattr.size is
// the backing size, for the filters' information. Values longer than the
// context's buffer (FUSEBPF_XATTR_VALUE_MAX, FUSEBPF_XATTR_LIST_MAX) reach
// filters truncated (FUSEBPF_DATA_TRUNCATED): the original bytes are used
// unless a filter shrank the size into the buffer. A prefilter may rewrite
// the name (any xattr name: 1..255 bytes, no NUL; '/' is allowed) and
// setxattr's value and flags.
//
// Neighbours: ops/attr.cc (mode, owner, size, times). POSIX ACLs reach this
// file only if the kernel passes system.posix_acl_* through as xattrs
// (without FUSE_POSIX_ACL it answers them itself).
#include "daemon/backing/backing.h"
#include "daemon/ops/backing_ops.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/op_path.h"
#include "daemon/ops/ops.h"
#include "daemon/session.h"

#include <sys/fsuid.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::daemon {

namespace {

constexpr std::string_view trusted_prefix = "trusted.";
constexpr std::string_view security_prefix = "security.";

// Whether the thread runs for a caller with fsuid 0 (setfsuid(-1) only
// reads the current value).
bool caller_is_root()
{
	return setfsuid(static_cast<uid_t>(-1)) == 0;
}

bool has_prefix(std::string_view name, std::string_view prefix)
{
	return name.substr(0, prefix.size()) == prefix;
}

// 0, or the errno the kernel would give a caller without CAP_SYS_ADMIN.
// XATTR_NAME_CAPS: file capabilities.
constexpr std::string_view capability_name = "security.capability";

int check_namespace(std::string_view name, bool write)
{
	if (caller_is_root())
		return 0;
	if (has_prefix(name, trusted_prefix))
		return write ? EPERM : ENODATA;
	if (write && has_prefix(name, security_prefix))
		return EPERM;
	return 0;
}

// XATTR_SIZE_MAX / XATTR_LIST_MAX: the largest value or list the kernel
// accepts (a bigger request is the kernel's bug or a filter's mistake).
constexpr size_t xattr_max = 65536;

// The xattr name a filter context holds now. Unlike filter::name_of() (a
// path component) an xattr name may hold '/' or be "."; it must be 1..255
// bytes without a NUL. Returns 0 or a positive errno.
int xattr_name_of(fusebpf_name &n, std::string_view &out)
{
	if (n.len == 0 || n.len > FUSEBPF_NAME_MAX)
		return n.len == 0 ? EINVAL : ERANGE; // ERANGE: the kernel's "name too long"
	n.name[n.len] = '\0';
	std::string_view v(n.name, n.len);
	if (v.find('\0') != std::string_view::npos)
		return EINVAL;
	out = v;
	return 0;
}

// The node's /proc/self/fd path (the *xattr calls take no AT_EMPTY_PATH),
// valid while pin lives. 0 or a positive errno.
int proc_path_of(const inode &node, pinned_fd &pin, std::string &path)
{
	pin = node.pin();
	if (!pin)
		return pin.error();
	path = proc_fd_path(pin.get());
	return 0;
}

std::span<const std::byte> bytes_of(const std::vector<char> &v)
{
	return std::as_bytes(std::span<const char>(v));
}

// The bytes a filter left in buf, or `original` when it could not rewrite
// them (a truncated buffer it did not shrink: context.h xattr_bytes_of()).
template <class Buf>
std::span<const std::byte> filtered_bytes(const Buf &buf, std::span<const std::byte> original)
{
	std::span<const std::byte> out;
	return filter::xattr_bytes_of(buf, out) ? out : original;
}

// GETXATTR and LISTXATTR answer the same way: for a probe (asked 0) the
// size, else the bytes (ERANGE if they do not fit in what was asked).
void reply_xattr(request &req, uint32_t asked, std::span<const std::byte> bytes)
{
	if (asked == 0) {
		fuse_getxattr_out out = {};
		out.size = static_cast<uint32_t>(bytes.size());
		return req.reply(out);
	}
	if (bytes.size() > asked)
		return req.reply_err(-ERANGE);
	req.reply_bytes(bytes.data(), bytes.size());
}

} // namespace

int do_setxattr(session &, inode &node, const fuse_setxattr_in &in, std::string_view name,
                std::span<const std::byte> value)
{
	std::string n(name);
	if (int err = check_namespace(n, true))
		return err;
	if (value.size() > xattr_max)
		return E2BIG;
	pinned_fd node_fd(EBADF);
	std::string p;
	if (int err = proc_path_of(node, node_fd, p))
		return err;
	// flags: 0, XATTR_CREATE (EEXIST if present) or XATTR_REPLACE (ENODATA
	// if absent), checked by the backing fs.
	if (setxattr(p.c_str(), n.c_str(), value.data(), value.size(), static_cast<int>(in.flags)) <
	    0)
		return errno;
	return 0;
}

// in.size 0: only the size is wanted (value stays empty, size is set).
// Otherwise value gets the bytes, at most in.size of them (else ERANGE).
int do_getxattr(session &, inode &node, const fuse_getxattr_in &in, std::string_view name,
                std::vector<char> &value, uint32_t &size)
{
	std::string n(name);
	if (int err = check_namespace(n, false))
		return err;
	pinned_fd node_fd(EBADF);
	std::string p;
	if (int err = proc_path_of(node, node_fd, p))
		return err;
	size_t want = in.size < xattr_max ? in.size : xattr_max;
	// One buffer per thread: the value is copied out by its size, never
	// the whole xattr_max.
	thread_local std::unique_ptr<char[]> buf(new char[xattr_max]);
	ssize_t got = getxattr(p.c_str(), n.c_str(), want ? buf.get() : nullptr, want);
	if (got < 0)
		return errno;
	size = static_cast<uint32_t>(got);
	value.assign(buf.get(), buf.get() + (want ? got : 0));
	return 0;
}

// Removes trusted.* names from a NUL-separated list (a non-root caller must
// not see them, see the header comment).
static void hide_trusted(std::vector<char> &list)
{
	std::vector<char> kept;
	kept.reserve(list.size());
	size_t pos = 0;
	while (pos < list.size()) {
		size_t len = strnlen(list.data() + pos, list.size() - pos);
		std::string_view name(list.data() + pos, len);
		if (!has_prefix(name, trusted_prefix)) {
			kept.insert(kept.end(), name.begin(), name.end());
			kept.push_back('\0');
		}
		pos += len + 1;
	}
	list.swap(kept);
}

// Same contract as do_getxattr(): value is the NUL-separated name list.
int do_listxattr(session &, inode &node, const fuse_getxattr_in &in, std::vector<char> &list,
                 uint32_t &size)
{
	pinned_fd node_fd(EBADF);
	std::string p;
	if (int err = proc_path_of(node, node_fd, p))
		return err;
	bool filter = !caller_is_root();
	if (in.size == 0 && !filter) {
		ssize_t got = listxattr(p.c_str(), nullptr, 0);
		if (got < 0)
			return errno;
		size = static_cast<uint32_t>(got);
		list.clear();
		return 0;
	}
	// A filtered list must be read in full to know its filtered size; it
	// can grow between the probe and the read, so retry on ERANGE.
	for (int attempt = 0; attempt < 8; attempt++) {
		ssize_t need = listxattr(p.c_str(), nullptr, 0);
		if (need < 0)
			return errno;
		list.resize(static_cast<size_t>(need));
		ssize_t got = need ? listxattr(p.c_str(), list.data(), list.size()) : 0;
		if (got < 0 && errno == ERANGE)
			continue;
		if (got < 0)
			return errno;
		list.resize(static_cast<size_t>(got));
		if (filter)
			hide_trusted(list);
		size = static_cast<uint32_t>(list.size());
		if (in.size == 0) {
			list.clear();
			return 0;
		}
		return list.size() > in.size ? ERANGE : 0;
	}
	return ERANGE;
}

int do_removexattr(session &, inode &node, std::string_view name)
{
	std::string n(name);
	// security.capability is the exception: the kernel's VFS already
	// refused a removexattr(2) of it from a caller without CAP_SETFCAP
	// (security_inode_removexattr runs on the FUSE inode before the request
	// is sent), so one from such a caller is the kernel dropping file
	// capabilities before a write, truncate or fallocate (file_remove_privs,
	// which bypasses that check natively too). The daemon thread keeps
	// CAP_SETFCAP, so the backing fs removes it as natively.
	if (n != capability_name)
		if (int err = check_namespace(n, true))
			return err;
	pinned_fd node_fd(EBADF);
	std::string p;
	if (int err = proc_path_of(node, node_fd, p))
		return err;
	if (removexattr(p.c_str(), n.c_str()) < 0)
		return errno;
	return 0;
}

// ---- the op descriptors (op_path.h) ----

namespace {

// The next argument as an xattr name into a context name: non-empty
// (EINVAL), at most 255 bytes (ERANGE, the kernel's "name too long").
int decode_xattr_name(request &req, fusebpf_name &dst)
{
	std::string_view name;
	if (!req.args().string(name) || name.empty())
		return -EINVAL;
	if (name.size() > FUSEBPF_NAME_MAX)
		return -ERANGE;
	return -filter::set_name(dst, name);
}

// Xattr ops on the request's node whose name is in ctx.name.
template <class Ctx> class on_xattr : public on_node<Ctx> {
public:
	// The usual decode: the fixed-size input (if any), the name (if any),
	// the node.
	int decode(request &req, Ctx &ctx)
	{
		if constexpr (requires { ctx.in; })
			if (int e = decode_fixed(req, ctx.in))
				return e;
		if constexpr (requires { ctx.name; })
			if (int e = decode_xattr_name(req, ctx.name))
				return e;
		return this->decode_node(req);
	}

protected:
	// The name as the context holds it now (a prefilter may rewrite it).
	static int name(Ctx &c, std::string_view &n) { return -xattr_name_of(c.name, n); }
};

// A prefilter may rewrite the value (value.size and data) unless it was
// truncated in the context; the backing step then sets the kernel's.
class setxattr_op : public on_xattr<fusebpf_setxattr_ctx> {
public:
	int decode(request &req, context &ctx)
	{
		// Without FUSE_SETXATTR_EXT the kernel sends the 8-byte compat struct.
		bool ext = req.sess().conn().has(FUSE_SETXATTR_EXT);
		if (!req.args().get_compat(ctx.in,
		                           ext ? sizeof(ctx.in) : FUSE_COMPAT_SETXATTR_IN_SIZE))
			return -EINVAL;
		if (int e = decode_xattr_name(req, ctx.name))
			return e;
		if (!req.args().bytes(ctx.in.size, value_))
			return -EINVAL;
		filter::set_xattr_bytes(ctx.value, value_);
		return decode_node(req);
	}

	int backing(op_env &env, context &c)
	{
		std::string_view n;
		if (int e = name(c, n))
			return e;
		return -do_setxattr(env.s, *node_, c.in, n, filtered_bytes(c.value, value_));
	}

	void reply(op_env &env, int err, context &) { reply_status(env, err); }

private:
	std::span<const std::byte> value_;
};

// GETXATTR and LISTXATTR: the backing step reads the whole value (name
// list), so a postfilter sees it whatever size the caller asked for; the
// reply answers the caller's question. Out: the context's output buffer.
template <class Ctx, auto Out> class xattr_read_op : public on_xattr<Ctx> {
public:
	void prepare(op_env &, const Ctx &ctx) { asked_ = ctx.in.size; }

	void reply(op_env &env, int err, Ctx &ctx)
	{
		if (err)
			return env.req.reply_err(err);
		reply_xattr(env.req, asked_, filtered_bytes(ctx.out.*Out, bytes_of(bytes_)));
	}

protected:
	// The caller's input, asking for all of it.
	static fuse_getxattr_in whole(fuse_getxattr_in in)
	{
		in.size = xattr_max;
		return in;
	}

	// A backing read's result (0 or a positive errno) into the context.
	int read(int err, uint32_t size, Ctx &c)
	{
		if (err)
			return -err;
		c.out.xattr.size = size;
		filter::set_xattr_bytes(c.out.*Out, bytes_of(bytes_));
		return 0;
	}

	std::vector<char> bytes_;
	uint32_t asked_ = 0;
};

class getxattr_op
    : public xattr_read_op<fusebpf_getxattr_ctx, &decltype(fusebpf_getxattr_ctx::out)::value> {
public:
	int backing(op_env &env, context &c)
	{
		std::string_view n;
		if (int e = name(c, n))
			return e;
		uint32_t size = 0;
		return read(do_getxattr(env.s, *node_, whole(c.in), n, bytes_, size), size, c);
	}
};

class listxattr_op
    : public xattr_read_op<fusebpf_listxattr_ctx, &decltype(fusebpf_listxattr_ctx::out)::list> {
public:
	int backing(op_env &env, context &c)
	{
		uint32_t size = 0;
		return read(do_listxattr(env.s, *node_, whole(c.in), bytes_, size), size, c);
	}
};

class removexattr_op : public on_xattr<fusebpf_removexattr_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		std::string_view n;
		if (int e = name(c, n))
			return e;
		return -do_removexattr(env.s, *node_, n);
	}

	void reply(op_env &env, int err, context &) { reply_status(env, err); }
};

} // namespace

const op_handler op_setxattr = serve_op<setxattr_op>;
const op_handler op_getxattr = serve_op<getxattr_op>;
const op_handler op_listxattr = serve_op<listxattr_op>;
const op_handler op_removexattr = serve_op<removexattr_op>;

} // namespace fusebpf::daemon
