// SPDX-License-Identifier: GPL-2.0-or-later
//
// slot_table<T>: hands out 64-bit ids for shared objects, never pointers.
//
// The FUSE kernel echoes back whatever id we gave it (a nodeid in an entry
// reply, an fh in an open reply). libfuse's passthrough_hp casts those ids
// back to pointers, so a stale or bogus id is a use-after-free. Here an id is
// (generation << 32) | slot: a slot is reused only with a new generation, so
// an old id no longer matches and get() returns nullptr instead of someone
// else's object. The inode table (nodeids) and the open file/dir tables (fh)
// are built on this.
//
// Concurrency: every member function takes the table's mutex; objects are
// handed out as shared_ptr, so an object stays alive while a handler uses it
// even if a concurrent FORGET/RELEASE erased its slot.
//
// Limits: at most 2^32 - 1 live objects; generations wrap after 2^32 reuses
// of one slot (far beyond any kernel cache lifetime).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace fusebpf::daemon {

template <class T> class slot_table {
public:
	// Ids below first_slot are never handed out (slot 0: 0 is "no id" for
	// FUSE; the inode table reserves slot 1 for the root, FUSE_ROOT_ID).
	explicit slot_table(uint32_t first_slot = 1) : slots_(first_slot) {}

	slot_table(const slot_table &) = delete;
	slot_table &operator=(const slot_table &) = delete;

	// Stores obj and returns its id (never 0).
	uint64_t insert(std::shared_ptr<T> obj)
	{
		std::lock_guard lock(mutex_);
		uint32_t index;
		if (!free_.empty()) {
			index = free_.back();
			free_.pop_back();
		} else {
			index = static_cast<uint32_t>(slots_.size());
			slots_.emplace_back();
		}
		slot &s = slots_[index];
		s.generation++;
		if (s.generation == 0) // wrapped: 0 is kept for fixed ids
			s.generation = 1;
		s.obj = std::move(obj);
		count_++;
		return make_id(index, s.generation);
	}

	// Stores obj under a fixed id with generation 0 (the root nodeid 1).
	// The slot must be below first_slot and is never freed by erase().
	void insert_fixed(uint32_t index, std::shared_ptr<T> obj)
	{
		std::lock_guard lock(mutex_);
		if (index >= slots_.size())
			slots_.resize(index + 1);
		slots_[index].obj = std::move(obj);
		slots_[index].generation = 0;
		fixed_++;
	}

	// The object with this id, or nullptr for an unknown or stale id.
	std::shared_ptr<T> get(uint64_t id) const
	{
		std::lock_guard lock(mutex_);
		const slot *s = find(id);
		return s ? s->obj : nullptr;
	}

	// Removes the object and returns it (nullptr for an unknown id).
	std::shared_ptr<T> erase(uint64_t id)
	{
		std::lock_guard lock(mutex_);
		slot *s = const_cast<slot *>(find(id));
		if (!s || s->generation == 0)
			return nullptr;
		std::shared_ptr<T> obj = std::move(s->obj);
		s->obj.reset();
		free_.push_back(static_cast<uint32_t>(id & 0xffffffffu));
		count_--;
		return obj;
	}

	// Live objects, fixed ones excluded.
	size_t size() const
	{
		std::lock_guard lock(mutex_);
		return count_;
	}

	// Every live object, fixed ones included (a copy: the caller may take
	// other locks while it walks them).
	std::vector<std::shared_ptr<T>> live() const
	{
		std::lock_guard lock(mutex_);
		std::vector<std::shared_ptr<T>> objs;
		objs.reserve(count_ + fixed_);
		for (const slot &s : slots_)
			if (s.obj)
				objs.push_back(s.obj);
		return objs;
	}

	static uint64_t make_id(uint32_t index, uint32_t generation)
	{
		return (static_cast<uint64_t>(generation) << 32) | index;
	}

private:
	struct slot {
		std::shared_ptr<T> obj;
		uint32_t generation = 0;
	};

	const slot *find(uint64_t id) const
	{
		uint32_t index = static_cast<uint32_t>(id & 0xffffffffu);
		uint32_t generation = static_cast<uint32_t>(id >> 32);
		if (index >= slots_.size())
			return nullptr;
		const slot &s = slots_[index];
		if (!s.obj || s.generation != generation)
			return nullptr;
		return &s;
	}

	mutable std::mutex mutex_;
	// A deque, not a vector: it grows without copying or over-allocating
	// (the inode table holds one slot per inode the kernel knows).
	std::deque<slot> slots_;     // protected by mutex_
	std::vector<uint32_t> free_; // protected by mutex_
	size_t count_ = 0;           // protected by mutex_
	size_t fixed_ = 0;           // protected by mutex_
};

} // namespace fusebpf::daemon
