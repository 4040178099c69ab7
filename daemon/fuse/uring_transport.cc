// SPDX-License-Identifier: GPL-2.0-or-later
//
// uring_transport: the rings, their entries (one channel each) and the
// queue threads. See uring_transport.h for the protocol and the design.
#include "daemon/fuse/uring_transport.h"

#include "daemon/fuse/channel.h"
#include "daemon/fuse/limits.h"
#include "daemon/fuse/dispatch.h"

#include <fusebpf/fuse_wire.h>

#include <liburing.h>
#include <spdlog/spdlog.h>

#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pthread.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

namespace fusebpf::daemon {

namespace {

// The header buffer gets a page of its own (the kernel copies to and from
// user memory; page alignment keeps each entry's header off others' lines).
constexpr size_t header_area = 4096;
static_assert(sizeof(fuse_uring_req_header) <= header_area);

// The payload buffer the kernel requires: at least max(FUSE_MIN_READ_BUFFER,
// max_write, max_pages * PAGE_SIZE); ops/init.cc sets max_pages to
// max_write / 4096.
constexpr size_t payload_size = max_write;
static_assert(payload_size >= FUSE_MIN_READ_BUFFER);

// user_data of the stop eventfd's poll (entries use their address).
constexpr uint64_t stop_token = 0;

// An anonymous mapping, unmapped on destruction.
class mapping {
public:
	mapping() = default;
	mapping(const mapping &) = delete;
	mapping &operator=(const mapping &) = delete;
	~mapping()
	{
		if (addr_)
			munmap(addr_, size_);
	}
	bool map(size_t size)
	{
		void *p =
		    mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return false;
		addr_ = p;
		size_ = size;
		return true;
	}
	std::byte *data() const { return static_cast<std::byte *>(addr_); }

private:
	void *addr_ = nullptr;
	size_t size_ = 0;
};

// The calling thread's queue, and whether it holds the queue's serve lock.
thread_local uring_queue *tl_queue = nullptr;
thread_local bool tl_serving = false;

} // namespace

// One ring entry: its buffers, the request it holds, and the channel its
// reply goes through.
struct ring_entry final : channel {
	uring_queue *queue = nullptr;
	mapping mem;               // header_area + payload_size
	struct iovec bufs[2] = {}; // header, payload: what REGISTER hands over
	uint32_t last_cmd = FUSE_IO_URING_CMD_REGISTER;
	uint64_t commit_id = 0;      // the unique of the request it holds
	bool awaiting_reply = false; // set on receipt, cleared by send()

	fuse_uring_req_header *header() const
	{
		return reinterpret_cast<fuse_uring_req_header *>(mem.data());
	}
	std::byte *payload() const { return mem.data() + header_area; }

	int send(std::span<const struct iovec> iov) override;
};

struct uring_queue {
	uring_transport &t;
	unsigned qid;
	struct io_uring ring = {};
	bool ring_ok = false;
	unique_fd stop_fd; // eventfd polled by the ring: written by stop()
	std::vector<std::unique_ptr<ring_entry>> entries;

	std::mutex sq_mutex;              // the ring's submission side
	std::mutex serve_mutex;           // held by the thread reaping completions
	std::atomic<unsigned> waiting{0}; // threads waiting for serve_mutex
	std::mutex threads_mutex;         // protects threads, slots and warned_cap
	std::vector<std::thread> threads;
	std::vector<inflight_slot *> slots; // of the threads that reached serving
	bool warned_cap = false;
	std::atomic<unsigned> live{0}; // threads not yet returned

	uring_queue(uring_transport &tr, unsigned q) : t(tr), qid(q) {}
	~uring_queue()
	{
		if (ring_ok)
			io_uring_queue_exit(&ring);
	}

	std::optional<std::string> setup(int dev_fd, unsigned depth);
	// Submits e's next command (REGISTER or COMMIT_AND_FETCH). Any thread.
	int submit(ring_entry &e, uint32_t cmd);
	// Scans the completions without consuming them: the first failed
	// REGISTER, as a message.
	std::optional<std::string> registration_error();
	void serve(std::promise<std::optional<std::string>> *started);
	void handle(ring_entry &e, inflight_slot &slot, std::byte *buf);
	// Starts a thread for this queue (a spare that takes over serving).
	// threads_mutex held.
	void spawn_locked(std::promise<std::optional<std::string>> *started);
};

std::optional<std::string> uring_queue::setup(int dev_fd, unsigned depth)
{
	stop_fd.reset(eventfd(0, EFD_CLOEXEC));
	if (!stop_fd)
		return std::string("eventfd: ") + std::strerror(errno);
	struct io_uring_params params = {};
	params.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE;
	// Every entry has at most one command in flight, plus the stop poll.
	params.cq_entries = 2 * (depth + 1);
	int rc = io_uring_queue_init_params(depth + 1, &ring, &params);
	if (rc < 0)
		return std::string("io_uring_setup: ") + std::strerror(-rc);
	ring_ok = true;
	rc = io_uring_register_files(&ring, &dev_fd, 1);
	if (rc < 0)
		return std::string("registering /dev/fuse with io_uring: ") + std::strerror(-rc);
	for (unsigned i = 0; i < depth; i++) {
		auto e = std::make_unique<ring_entry>();
		e->queue = this;
		if (!e->mem.map(header_area + payload_size))
			return std::string("cannot map ring buffers: ") + std::strerror(errno);
		e->bufs[0] = {e->header(), sizeof(fuse_uring_req_header)};
		e->bufs[1] = {e->payload(), payload_size};
		entries.push_back(std::move(e));
	}
	return std::nullopt;
}

int uring_queue::submit(ring_entry &e, uint32_t cmd)
{
	std::lock_guard lock(sq_mutex);
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	if (!sqe) {
		// Cannot happen (one SQE slot per entry), but never lose a reply.
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
		if (!sqe)
			return -EBUSY;
	}
	// By hand: liburing 2.3 has no helper for IORING_OP_URING_CMD. An SQE128
	// is two io_uring_sqe slots; the command lives in the second half (cmd).
	std::memset(static_cast<void *>(sqe), 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0; // fixed file 0: /dev/fuse
	sqe->cmd_op = cmd;
	sqe->user_data = reinterpret_cast<uintptr_t>(&e);
	if (cmd == FUSE_IO_URING_CMD_REGISTER) {
		sqe->addr = reinterpret_cast<uintptr_t>(e.bufs);
		sqe->len = 2;
	}
	auto *req = reinterpret_cast<fuse_uring_cmd_req *>(sqe->cmd);
	req->qid = static_cast<uint16_t>(qid);
	req->commit_id = cmd == FUSE_IO_URING_CMD_COMMIT_AND_FETCH ? e.commit_id : 0;
	e.last_cmd = cmd;
	int rc = io_uring_submit(&ring);
	return rc < 0 ? rc : 0;
}

std::optional<std::string> uring_queue::registration_error()
{
	struct io_uring_cqe *cqe;
	unsigned head;
	io_uring_for_each_cqe(&ring, head, cqe)
	{
		if (cqe->user_data != stop_token && cqe->res < 0)
			return "registering ring entries of queue " + std::to_string(qid) + ": " +
			       std::strerror(-cqe->res);
	}
	return std::nullopt;
}

int ring_entry::send(std::span<const struct iovec> iov)
{
	if (iov.empty() || iov[0].iov_len != sizeof(fuse_out_header))
		return -EINVAL;
	fuse_uring_req_header *h = header();
	fuse_out_header out;
	std::memcpy(&out, iov[0].iov_base, sizeof(out));
	size_t len = 0;
	for (size_t i = 1; i < iov.size(); i++) {
		if (iov[i].iov_len > payload_size - len) {
			spdlog::error("INTERNAL ERROR: a reply of more than {} bytes; replying EIO",
			              payload_size);
			out.error = -EIO;
			len = 0;
			break;
		}
		if (iov[i].iov_len) // an empty piece may have no base
			std::memcpy(payload() + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	out.len = static_cast<uint32_t>(sizeof(out) + len);
	std::memcpy(h->in_out, &out, sizeof(out));
	h->ring_ent_in_out.payload_sz = static_cast<uint32_t>(len);
	awaiting_reply = false;
	return queue->submit(*this, FUSE_IO_URING_CMD_COMMIT_AND_FETCH);
}

void uring_queue::handle(ring_entry &e, inflight_slot &slot, std::byte *buf)
{
	const fuse_uring_req_header *h = e.header();
	fuse_in_header in;
	std::memcpy(&in, h->in_out, sizeof(in));
	e.commit_id = h->ring_ent_in_out.commit_id;
	e.awaiting_reply = true;
	t.requests_.fetch_add(1, std::memory_order_relaxed);
	size_t payload = h->ring_ent_in_out.payload_sz;
	// fuse_in_header.len counts the op struct (op_in), which the kernel does
	// not size otherwise, and the payload.
	if (in.len > request_buffer_size || in.len < sizeof(in) + payload ||
	    in.len - sizeof(in) - payload > FUSE_URING_OP_IN_OUT_SZ || payload > payload_size) {
		spdlog::error("malformed ring request (unique {}, opcode {}, len {}, payload {}); "
		              "replying EIO",
		              in.unique, in.opcode, in.len, payload);
		fuse_out_header out = {sizeof(fuse_out_header), -EIO, in.unique};
		struct iovec iov = {&out, sizeof(out)};
		e.send({&iov, 1});
		return;
	}
	size_t op_size = in.len - sizeof(in) - payload;
	std::memcpy(buf, &in, sizeof(in));
	std::memcpy(buf + sizeof(in), h->op_in, op_size);
	std::memcpy(buf + sizeof(in) + op_size, e.payload(), payload);
	dispatch(t.conn_, t.sess_, e, slot, {buf, in.len});
	if (e.awaiting_reply) {
		// FORGET and INTERRUPT take /dev/fuse; an op that never replies
		// must still give its entry back.
		fuse_out_header out = {sizeof(fuse_out_header), -ENOSYS, in.unique};
		struct iovec iov = {&out, sizeof(out)};
		e.send({&iov, 1});
	}
}

void uring_queue::serve(std::promise<std::optional<std::string>> *started)
{
	t.thread_setup_();
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(qid, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
		spdlog::debug("queue {}: cannot pin its thread to CPU {}: {}", qid, qid,
		              std::strerror(errno));
	inflight_slot &slot = t.conn_.interrupts.add_worker();
	{
		std::lock_guard lock(threads_mutex);
		slots.push_back(&slot);
	}
	tl_queue = this;
	auto buf = std::make_unique<std::byte[]>(request_buffer_size);

	if (started) {
		// The first thread registers the entries, so their completion work
		// runs on this CPU's thread.
		std::optional<std::string> err;
		for (auto &e : entries)
			if (int rc = submit(*e, FUSE_IO_URING_CMD_REGISTER)) {
				err = "registering ring entries of queue " + std::to_string(qid) +
				      ": " + std::strerror(-rc);
				break;
			}
		if (!err) {
			struct io_uring_sqe *sqe;
			{
				std::lock_guard lock(sq_mutex);
				sqe = io_uring_get_sqe(&ring);
				if (sqe) {
					io_uring_prep_poll_add(sqe, stop_fd.get(), POLLIN);
					sqe->user_data = stop_token;
					io_uring_submit(&ring);
				}
			}
			if (!sqe)
				err = "no submission slot for the stop poll of queue " +
				      std::to_string(qid);
		}
		if (!err)
			err = registration_error();
		bool failed = err.has_value();
		started->set_value(std::move(err));
		if (failed)
			return;
	}

	while (!t.stopping_.load()) {
		waiting++;
		serve_mutex.lock();
		waiting--;
		tl_serving = true;
		while (tl_serving) {
			if (t.stopping_.load()) {
				tl_serving = false;
				serve_mutex.unlock();
				break;
			}
			struct io_uring_cqe *cqe;
			int rc = io_uring_wait_cqe(&ring, &cqe);
			if (rc == -EINTR || rc == -EAGAIN)
				continue;
			if (rc < 0) {
				spdlog::error("queue {}: waiting for ring completions: {}", qid,
				              std::strerror(-rc));
				tl_serving = false;
				serve_mutex.unlock();
				return;
			}
			uint64_t token = cqe->user_data;
			int res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			if (token == stop_token)
				continue; // stop() wrote the eventfd: the loop checks stopping_
			auto &e = *reinterpret_cast<ring_entry *>(token);
			if (res == -EAGAIN || res == -EINTR) {
				submit(e, e.last_cmd);
				continue;
			}
			if (res == -ENOTCONN || res == -ECANCELED || res == -ECONNABORTED)
				continue; // the connection ended: wait for stop()
			if (res < 0) {
				// The kernel no longer knew the request (aborted): the
				// entry is lost to it, register the buffers anew.
				spdlog::warn("queue {}: ring command {} failed: {}; re-registering "
				             "the entry",
				             qid, e.last_cmd, std::strerror(-res));
				submit(e, FUSE_IO_URING_CMD_REGISTER);
				continue;
			}
			handle(e, slot, buf.get());
		}
		// Here either stopping, or a handler of this thread gave the queue
		// to another thread while it blocked: wait to serve again.
	}
}

void uring_queue::spawn_locked(std::promise<std::optional<std::string>> *started)
{
	live++;
	threads.emplace_back([this, started] {
		serve(started);
		live--;
	});
}

uring_transport::uring_transport(fuse_connection &conn, session &s, int dev_fd,
                                 std::function<void()> thread_setup, unsigned depth)
    : conn_(conn), sess_(s), dev_fd_(dev_fd), thread_setup_(std::move(thread_setup)), depth_(depth)
{}

uring_transport::~uring_transport()
{
	stop();
}

std::optional<std::string> uring_transport::start()
{
	// The kernel has a queue per possible CPU and switches to the rings only
	// when every one of them has an entry.
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	if (ncpu < 1)
		ncpu = 1;
	std::vector<std::future<std::optional<std::string>>> started;
	std::vector<std::promise<std::optional<std::string>>> promises(ncpu);
	std::optional<std::string> err;
	for (long q = 0; q < ncpu && !err; q++) {
		auto queue = std::make_unique<uring_queue>(*this, static_cast<unsigned>(q));
		if ((err = queue->setup(dev_fd_, depth_)))
			break;
		started.push_back(promises[q].get_future());
		{
			std::lock_guard lock(queue->threads_mutex);
			queue->spawn_locked(&promises[q]);
		}
		queues_.push_back(std::move(queue));
	}
	for (auto &f : started) {
		auto e = f.get();
		if (e && !err)
			err = std::move(e);
	}
	if (err) {
		stop();
		return err;
	}
	return std::nullopt;
}

void uring_transport::stop()
{
	stopping_.store(true);
	for (auto &q : queues_) {
		uint64_t one = 1;
		if (q->stop_fd && write(q->stop_fd.get(), &one, sizeof(one)) < 0)
			spdlog::error("cannot wake ring queue {}: {}", q->qid,
			              std::strerror(errno));
	}
	// Handlers blocked in lock waits: flag their slots and signal them until
	// every thread has returned (interrupts.h: run_interruptible).
	for (auto &q : queues_) {
		while (q->live.load() > 0) {
			{
				std::lock_guard lock(q->threads_mutex);
				for (inflight_slot *slot : q->slots) {
					slot->stop.store(true);
					if (slot->blocking.load())
						pthread_kill(slot->thread,
						             interrupt_registry::wake_signal);
				}
			}
			struct timespec ts = {0, 5 * 1000 * 1000};
			nanosleep(&ts, nullptr);
		}
	}
	for (auto &q : queues_) {
		// Threads a blocked handler starts meanwhile see stopping_ at once.
		for (;;) {
			std::vector<std::thread> threads;
			{
				std::lock_guard lock(q->threads_mutex);
				threads.swap(q->threads);
			}
			if (threads.empty())
				break;
			for (auto &th : threads)
				th.join();
		}
	}
	queues_.clear();
}

bool uring_transport::thread_blocks(bool blocking)
{
	uring_queue *q = tl_queue;
	if (!q)
		return false;
	if (!blocking || !tl_serving)
		return true;
	tl_serving = false;
	q->serve_mutex.unlock();
	if (q->t.stopping_.load() || q->waiting.load() > 0)
		return true;
	std::lock_guard lock(q->threads_mutex);
	if (q->threads.size() >= max_threads_per_queue) {
		if (!q->warned_cap)
			spdlog::warn("queue {}: {} threads wait in blocking calls (locks); new "
			             "requests of CPU {} wait",
			             q->qid, q->threads.size(), q->qid);
		q->warned_cap = true;
		return true;
	}
	q->spawn_locked(nullptr);
	spdlog::debug("queue {}: started thread {} (a handler blocks in a lock wait)", q->qid,
	              q->threads.size());
	return true;
}

} // namespace fusebpf::daemon
