// SPDX-License-Identifier: GPL-2.0-or-later
//
// run_daemon(): start-up order, the worker threads and shutdown.
//
// Start-up: backing root -> /dev/fuse -> session -> mount(2) -> workers
// (each clones the /dev/fuse fd, which needs the mounted connection) ->
// wait for INIT -> io_uring queues (if INIT agreed FUSE_OVER_IO_URING, see
// uring_transport.h) -> control socket -> ready. The /dev/fuse workers keep
// running with io_uring: INIT, FORGET, INTERRUPT and whatever the kernel
// sends before every queue is registered arrive there.
//
// Shutdown: the main thread waits on a signalfd (SIGTERM, SIGINT, SIGHUP,
// blocked in every thread) and an eventfd a worker pokes when its read
// returns ENODEV (unmounted from outside). It then unmounts (MNT_DETACH,
// for the signal case), flags the workers to stop and wakes them with
// SIGUSR1 (no SA_RESTART, so a blocked read returns EINTR), joins them and
// closes the fds, which ends the FUSE connection. The io_uring queues stop
// the same way (uring_transport::stop()).
#include "daemon/daemon.h"

#include "daemon/control/attach.h"
#include "daemon/fuse/channel.h"
#include "daemon/control/control_commands.h"
#include "daemon/control/control_server.h"
#include "daemon/fuse/limits.h"
#include "daemon/fuse/dispatch.h"
#include "daemon/backing/fd_cache.h"
#include "daemon/fuse/mounter.h"
#include "daemon/session.h"
#include "daemon/control/stale_state.h"
#include "daemon/control/stats_report.h"
#include "daemon/fuse/uring_transport.h"
#include "loader/bpffs.h"

#include <spdlog/spdlog.h>

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fusebpf::daemon {
namespace {

struct worker {
	std::unique_ptr<dev_fuse_channel> chan;
	std::thread thread;
	std::atomic<bool> done{false};
};

struct shared_state {
	session &sess;
	std::atomic<bool> stopping{false};
	unique_fd ended_fd; // eventfd: a worker saw the connection end
};

// Per-thread set-up: own fs_struct (umask), umask 0 (the kernel or the
// caller's umask_scope decides), no supplementary groups (caller_creds
// restores to an empty list), SIGUSR1 deliverable.
void prepare_worker_thread()
{
	if (unshare(CLONE_FS) < 0)
		spdlog::warn("unshare(CLONE_FS) failed: {}; umasks are shared between workers",
		             std::strerror(errno));
	umask(0);
	if (syscall(SYS_setgroups, 0, nullptr) < 0)
		spdlog::warn("cannot drop supplementary groups: {}", std::strerror(errno));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, interrupt_registry::wake_signal);
	pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void worker_main(shared_state &st, worker &w, inflight_slot *&slot_out,
                 std::atomic<bool> &registered)
{
	prepare_worker_thread();
	inflight_slot &slot = st.sess.interrupts().add_worker();
	slot_out = &slot;
	registered.store(true);
	auto buf = std::make_unique<std::byte[]>(request_buffer_size);
	while (!st.stopping.load()) {
		ssize_t n = w.chan->receive({buf.get(), request_buffer_size});
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n < 0) {
			if (n != -ENODEV)
				spdlog::error("reading /dev/fuse: {}",
				              std::strerror(static_cast<int>(-n)));
			st.sess.connection_ended();
			uint64_t one = 1;
			if (write(st.ended_fd.get(), &one, sizeof(one)) < 0)
				spdlog::error("cannot signal the end of the connection");
			break;
		}
		dispatch(st.sess.transport(), st.sess, *w.chan, slot,
		         {buf.get(), static_cast<size_t>(n)});
	}
	w.done.store(true);
}

// The workers. `count` of them start with the mount; while some wait in a
// blocking call (a SETLKW or flock waiting for a conflicting lock, see
// request::interruptible), the pool starts extra workers so that `count`
// are always free to read /dev/fuse: the unlock or INTERRUPT that ends a
// wait must find a worker. Extra workers stay until unmount (at most
// max_workers in all, libfuse's default thread cap is 10; waiting lockers
// are rarely many).
class worker_pool {
public:
	static constexpr unsigned max_workers = 64;

	explicit worker_pool(shared_state &st) : st_(st) {}
	~worker_pool() { stop(); }

	std::optional<std::string> start(int dev_fd, unsigned count)
	{
		dev_fd_ = dev_fd;
		base_ = count;
		std::lock_guard lock(mutex_);
		for (unsigned i = 0; i < count; i++)
			if (auto err = spawn_locked())
				return err;
		return std::nullopt;
	}

	void stop()
	{
		std::vector<std::unique_ptr<worker>> workers;
		std::vector<inflight_slot *> slots;
		{
			std::lock_guard lock(mutex_);
			st_.stopping.store(true);
			workers.swap(workers_);
			slots.swap(slots_);
		}
		for (inflight_slot *slot : slots)
			slot->stop.store(true);
		for (auto &w : workers) {
			if (!w->thread.joinable())
				continue;
			// Keep waking it until it notices (a wake-up can land just
			// before its read() starts).
			while (!w->done.load()) {
				pthread_kill(w->thread.native_handle(),
				             interrupt_registry::wake_signal);
				struct timespec ts = {0, 5 * 1000 * 1000};
				nanosleep(&ts, nullptr);
			}
			w->thread.join();
		}
	}

	// Runs on a worker about to block (true) or back from blocking (false).
	void on_block(bool blocking)
	{
		std::lock_guard lock(mutex_);
		if (!blocking) {
			blocked_--;
			return;
		}
		blocked_++;
		if (st_.stopping.load() || workers_.size() - blocked_ >= base_)
			return;
		if (workers_.size() >= max_workers) {
			if (!warned_cap_)
				spdlog::warn("{} workers wait in blocking calls (locks); no more "
				             "workers are started, new requests wait",
				             blocked_);
			warned_cap_ = true;
			return;
		}
		if (auto err = spawn_locked())
			spdlog::error("cannot start a worker for a blocked one: {}", *err);
		else
			spdlog::debug("started worker {} ({} blocked in lock waits)",
			              workers_.size(), blocked_);
	}

private:
	// Starts one worker on its own clone of the /dev/fuse fd. mutex_ held.
	std::optional<std::string> spawn_locked()
	{
		int err = 0;
		unique_fd fd = dev_fuse_channel::clone_fd(dev_fd_, err);
		if (!fd)
			return std::string("cannot clone the /dev/fuse fd: ") + std::strerror(-err);
		auto w = std::make_unique<worker>();
		w->chan = std::make_unique<dev_fuse_channel>(std::move(fd));
		std::atomic<bool> registered{false};
		inflight_slot *slot = nullptr;
		worker &ref = *w;
		w->thread = std::thread(
		    [this, &ref, &slot, &registered] { worker_main(st_, ref, slot, registered); });
		while (!registered.load())
			std::this_thread::yield();
		slots_.push_back(slot);
		workers_.push_back(std::move(w));
		return std::nullopt;
	}

	shared_state &st_;
	int dev_fd_ = -1;
	unsigned base_ = 0;
	std::mutex mutex_; // protects everything below
	std::vector<std::unique_ptr<worker>> workers_;
	std::vector<inflight_slot *> slots_;
	size_t blocked_ = 0; // workers inside a blocking call
	bool warned_cap_ = false;
};

unsigned worker_count(const daemon_config &cfg)
{
	if (cfg.threads)
		return cfg.threads;
	unsigned n = std::thread::hardware_concurrency();
	return n < 2 ? 2 : n;
}

} // namespace

int run_daemon(const daemon_config &cfg, const ready_fn &ready)
{
	auto fail = [&](const std::string &msg) {
		spdlog::error("{}", msg);
		ready(msg);
		return 1;
	};

	// Signals are read from a signalfd by this thread only: block them
	// before any thread starts, so every worker inherits the mask.
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGHUP);
	sigset_t blocked = stop_signals;
	sigaddset(&blocked, SIGPIPE);
	sigaddset(&blocked, interrupt_registry::wake_signal);
	pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
	unique_fd sig_fd(signalfd(-1, &stop_signals, SFD_CLOEXEC));
	if (!sig_fd)
		return fail(std::string("signalfd: ") + std::strerror(errno));

	// Open files and cached O_PATH fds (fd_cache.h) count against the
	// soft limit; the default max_fds is half of it.
	raise_fd_limit();
	unique_fd root_fd;
	struct stat root_st;
	if (auto err = open_backing_root(cfg, root_fd, root_st))
		return fail(*err);
	unique_fd dev_fd;
	if (auto err = open_dev_fuse(dev_fd))
		return fail(*err);

	// What daemons killed before left behind (stale_state.h).
	swept_state swept = sweep_stale(std::string(loader::default_pin_root));
	for (const auto &t : swept.tables)
		spdlog::info("unpinned table {} of a daemon that is gone", t);
	for (const auto &p : swept.sockets)
		spdlog::info("removed control socket {} of a daemon that is gone", p);
	for (const auto &p : swept.logs)
		spdlog::info("removed log file {} of a daemon that is gone", p);
	for (const auto &e : swept.errors)
		spdlog::warn("cannot remove state of a daemon that is gone: {}", e);

	session sess(cfg, std::move(root_fd), root_st);
	if (sess.proc_self_fd() < 0)
		return fail(std::string("cannot open /proc/self/fd: ") + std::strerror(errno));
	sess.set_dev_fd(dev_fd.get());
	// The mount's binding, before mounting: a table or library that cannot
	// be loaded fails the mount. Declared after the session (it gives its
	// lookup references back to it) and before the workers (which stop
	// first); it unloads what it loaded when run_daemon() returns.
	attach_registry attachments(sess);
	binding_spec root_spec;
	root_spec.ops = cfg.ops_table;
	root_spec.filter_object = cfg.filter_object;
	root_spec.table_name = cfg.filter_name;
	root_spec.user_filter = cfg.user_filter;
	root_spec.user_filter_arg = cfg.user_filter_arg;
	if (!root_spec.empty()) {
		auto attached = attachments.attach("", root_spec, false);
		if (!attached)
			return fail(attached.message());
		spdlog::info("root bound to {}",
		             (*attached)["binding"]["description"].get<std::string>());
	}

	shared_state st{sess};
	st.ended_fd.reset(eventfd(0, EFD_CLOEXEC));
	if (!st.ended_fd)
		return fail(std::string("eventfd: ") + std::strerror(errno));

	// Mount first: FUSE_DEV_IOC_CLONE needs a mounted connection. INIT waits
	// in the kernel's queue until a worker reads it.
	mount_guard mounted;
	if (auto err = mount_fuse(cfg, dev_fd.get(), root_st.st_mode, mounted))
		return fail(*err);
	worker_pool pool(st);
	// A worker about to block in a lock wait: a ring queue's thread hands
	// its queue on, a /dev/fuse worker makes sure another one reads.
	sess.interrupts().set_block_hook([&pool](bool blocking) {
		if (!uring_transport::thread_blocks(blocking))
			pool.on_block(blocking);
	});
	if (auto err = pool.start(dev_fd.get(), worker_count(cfg)))
		return fail(*err);
	if (!sess.wait_init(10000)) {
		if (sess.ended()) {
			// Unmounted from outside before INIT: a normal end (exit 0),
			// though the foreground `fusebpf mount` reports it.
			mounted.release();
			std::string msg = cfg.mountpoint + " was unmounted during start-up";
			spdlog::info("{}", msg);
			ready(msg);
			return 0;
		}
		return fail("the kernel did not complete the FUSE handshake (INIT) within 10 s");
	}

	// The transport: io_uring when INIT agreed it (ops/init.cc asks unless
	// --transport dev), else /dev/fuse, with one line saying why.
	std::unique_ptr<uring_transport> uring;
	transport_kind want = cfg.opts.transport;
	if (want != transport_kind::dev) {
		std::optional<std::string> why;
		if (sess.conn().has(FUSE_OVER_IO_URING)) {
			uring = std::make_unique<uring_transport>(
			    sess.transport(), sess, dev_fd.get(), prepare_worker_thread);
			if ((why = uring->start()))
				uring.reset();
		} else {
			why = uring_unavailable_reason().value_or(
			    "the kernel did not offer FUSE_OVER_IO_URING in INIT");
		}
		if (why && want == transport_kind::uring)
			return fail("--transport uring: " + *why);
		if (why)
			spdlog::info("transport /dev/fuse, not io_uring: {}", *why);
	}
	std::string transport = uring ? "io_uring (" + std::to_string(uring->queues()) +
	                                    " queues x " + std::to_string(uring->depth()) +
	                                    " entries)"
	                              : std::string("/dev/fuse");

	struct stat mnt_st;
	if (stat(cfg.mountpoint.c_str(), &mnt_st) < 0)
		return fail("mountpoint " + cfg.mountpoint +
		            " after mounting: " + std::strerror(errno));
	unsigned conn = minor(mnt_st.st_dev);
	control_server control;
	control.add_command("stats", [&sess, &uring, transport](const nlohmann::json &) {
		auto report = stats_report(sess, uring ? "uring" : "dev", transport);
		report["uring_requests"] = uring ? uring->requests() : 0;
		return report;
	});
	add_filter_commands(control, attachments);
	if (auto err = control.start(conn))
		return fail(*err);

	spdlog::info("mounted {} on {} (connection {}, transport {}, {} /dev/fuse workers, "
	             "passthrough {})",
	             cfg.backing_dir, cfg.mountpoint, conn, transport, worker_count(cfg),
	             sess.passthrough_enabled() ? "on" : "off");
	ready("");

	// Serve until a stop signal or the end of the connection.
	bool by_signal = false;
	for (;;) {
		struct pollfd fds[2] = {{sig_fd.get(), POLLIN, 0}, {st.ended_fd.get(), POLLIN, 0}};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			spdlog::error("poll: {}", std::strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sig_fd.get(), &si, sizeof(si)) == sizeof(si))
				spdlog::info("signal {} received: unmounting {}", si.ssi_signo,
				             cfg.mountpoint);
			by_signal = true;
			break;
		}
		if (fds[1].revents & POLLIN) {
			spdlog::info("{} was unmounted", cfg.mountpoint);
			break;
		}
	}
	if (by_signal) {
		if (int err = mounted.unmount())
			spdlog::warn("unmounting {}: {}", cfg.mountpoint, std::strerror(err));
	} else {
		mounted.release();
	}
	if (uring)
		uring->stop();
	pool.stop();
	control.stop();
	return 0;
}

} // namespace fusebpf::daemon
