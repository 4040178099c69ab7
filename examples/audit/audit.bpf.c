// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * audit.bpf.c - an audit trail of the mount's metadata ops: one ring-buffer
 * event per op with the time, op, caller (uid, pid), name, result and
 * latency.  `fusebpf trace MOUNTPOINT` prints them live, like opensnoop.
 *
 * Each audited op has a prefilter that stamps bpf_ktime_get_ns() into
 * `starts` under the request's unique id and returns BPF_FUSE_POSTFILTER, and
 * a postfilter that runs after the backing op, subtracts, and submits a
 * struct audit_event to the ring buffer `events`: a struct
 * fusebpf_trace_event (fusebpf.bpf.h's trace format: op, pid, uid, result
 * in `value`, name in `text`) followed by the finish time and the latency,
 * which `fusebpf trace` reads when the record is long enough.
 *
 * Names: ops that carry one (lookup, create, mkdir, unlink, rename...)
 * report it; ops on a node (open, getattr, setattr...) report the name the
 * node was last looked up or created under, kept in the LRU map `names`
 * (nodeid -> name), "/" for the mount root, "" if unknown.
 *
 * READ, WRITE, READDIR, FLUSH, locks and the other data-path ops are not
 * audited: filtering READ or WRITE would take files off kernel passthrough,
 * and they would flood the trace.  Limits: names are cut at 63 bytes; when
 * the ring buffer is full, events are lost (never ops).
 */
#include "fusebpf.bpf.h"

#define AUDIT_NAME_MAX 64

/* The record: fusebpf_trace_event, then the two fields `fusebpf trace` adds. */
struct audit_event {
	struct fusebpf_trace_event trace;
	__u64 time_ns;    /* bpf_ktime_get_ns() when the op finished (CLOCK_MONOTONIC) */
	__u64 latency_ns; /* from the prefilter to the postfilter: the backing op */
};

struct audit_name {
	char name[AUDIT_NAME_MAX];
};

FUSEBPF_EVENTS_DEFINE(events, 256 * 1024);

/* Request unique id -> the prefilter's bpf_ktime_get_ns(). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} starts SEC(".maps");

/* nodeid -> the name it was last looked up or created under. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct audit_name);
} names SEC(".maps");

static __always_inline int audit_start(const struct fusebpf_meta *meta)
{
	__u64 unique = meta->unique;
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&starts, &unique, &now, BPF_ANY);
	return BPF_FUSE_POSTFILTER;
}

/*
 * Submits the event of a finished op.  @name is a NUL-terminated name in the
 * context, or NULL to use the name recorded for meta.nodeid.
 */
static __always_inline int audit_finish(const struct fusebpf_meta *meta, const char *name)
{
	__u64 unique = meta->unique, nodeid = meta->nodeid;
	__u64 now = bpf_ktime_get_ns();
	struct audit_event *e;
	struct audit_name *known;
	__u64 *start;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto out; /* ring full: the event is lost, the op is not */
	e->trace.nodeid = meta->nodeid;
	e->trace.unique = meta->unique;
	e->trace.opcode = meta->opcode;
	e->trace.pid = meta->pid;
	e->trace.uid = meta->uid;
	e->trace.value = meta->error_in;
	__builtin_memset(e->trace.where, 0, sizeof(e->trace.where));
	e->trace.text[0] = '\0';
	if (name) {
		bpf_probe_read_kernel_str(e->trace.text, AUDIT_NAME_MAX, name);
	} else if (nodeid == FUSE_ROOT_ID) {
		e->trace.text[0] = '/';
		e->trace.text[1] = '\0';
	} else {
		known = bpf_map_lookup_elem(&names, &nodeid);
		if (known)
			bpf_probe_read_kernel_str(e->trace.text, AUDIT_NAME_MAX, known->name);
	}
	e->time_ns = now;
	start = bpf_map_lookup_elem(&starts, &unique);
	e->latency_ns = start && now > *start ? now - *start : 0;
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &unique);
	return BPF_FUSE_CONTINUE;
}

/* Remembers that @nodeid (a new entry) is called @name. */
static __always_inline void audit_remember(__u64 nodeid, const char *name)
{
	struct audit_name n;

	if (!nodeid)
		return;
	__builtin_memset(&n, 0, sizeof(n));
	bpf_probe_read_kernel_str(n.name, sizeof(n.name), name);
	bpf_map_update_elem(&names, &nodeid, &n, BPF_ANY);
}

/* The prefilter of every audited op: stamp, then ask for the postfilter. */
#define AUDIT_PRE(op)                                                                              \
	FUSEBPF_PREFILTER(op)                                                                      \
	int audit_##op##_prefilter(struct fusebpf_##op##_ctx *ctx)                                 \
	{                                                                                          \
		return audit_start(&ctx->meta);                                                    \
	}

/* The postfilter of an op on a node: the name comes from `names`. */
#define AUDIT_NODE_OP(op)                                                                          \
	AUDIT_PRE(op)                                                                              \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int audit_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		return audit_finish(&ctx->meta, NULL);                                             \
	}

/* The postfilter of an op with a name (field @field of the context). */
#define AUDIT_NAME_OP(op, field)                                                                   \
	AUDIT_PRE(op)                                                                              \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int audit_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		return audit_finish(&ctx->meta, ctx->field.name);                                  \
	}

/* An op that makes an entry: report its name and remember the new nodeid's. */
#define AUDIT_ENTRY_OP(op)                                                                         \
	AUDIT_PRE(op)                                                                              \
	FUSEBPF_POSTFILTER(op)                                                                     \
	int audit_##op##_postfilter(struct fusebpf_##op##_ctx *ctx)                                \
	{                                                                                          \
		if (ctx->meta.error_in == 0)                                                       \
			audit_remember(ctx->out.entry.nodeid, ctx->name.name);                     \
		return audit_finish(&ctx->meta, ctx->name.name);                                   \
	}

AUDIT_ENTRY_OP(lookup)
AUDIT_ENTRY_OP(create)
AUDIT_ENTRY_OP(mknod)
AUDIT_ENTRY_OP(mkdir)
AUDIT_ENTRY_OP(symlink)
AUDIT_ENTRY_OP(link)
AUDIT_NAME_OP(unlink, name)
AUDIT_NAME_OP(rmdir, name)
AUDIT_NAME_OP(rename, old_name)
AUDIT_NODE_OP(getattr)
AUDIT_NODE_OP(setattr)
AUDIT_NODE_OP(access)
AUDIT_NODE_OP(open)
AUDIT_NODE_OP(opendir)
AUDIT_NODE_OP(release)
AUDIT_NODE_OP(releasedir)
AUDIT_NODE_OP(readlink)
AUDIT_NODE_OP(fsync)
AUDIT_NODE_OP(statfs)
AUDIT_NODE_OP(getxattr)
AUDIT_NODE_OP(setxattr)
AUDIT_NODE_OP(listxattr)
AUDIT_NODE_OP(removexattr)

FUSEBPF_OPS_DEFINE(audit);
char LICENSE[] SEC("license") = "GPL";
