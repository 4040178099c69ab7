// SPDX-License-Identifier: GPL-2.0-or-later
//
// binding, binding_point, binding_tree; see binding.h.
#include "daemon/filter/binding.h"

namespace fusebpf::filter {

namespace {
std::atomic<std::uint64_t> next_generation{1};
} // namespace

binding_ptr binding::make(std::shared_ptr<const loader::ops_table> table,
                          std::shared_ptr<user_filter> user)
{
	std::shared_ptr<binding> b(new binding());
	b->generation_ = next_generation.fetch_add(1, std::memory_order_relaxed);
	for (int i = 0; i < FUSEBPF_OP_COUNT; i++) {
		auto op = static_cast<fusebpf_op>(i);
		int implicit = BPF_FUSE_CONTINUE;
		bool wants = false;
		if (table) {
			wants = table->has_program(op, FUSEBPF_PRE) || table->has_default();
		} else if (user) {
			implicit = user->verdict_without_table(op);
			wants = implicit != BPF_FUSE_CONTINUE;
		}
		b->implicit_[i] = implicit;
		if (wants)
			b->wants_mask_ |= 1ull << i;
	}
	if (table)
		b->description_ =
		    "table " + table->name() + " (map ID " + std::to_string(table->id()) + ")";
	if (user)
		b->description_ += (b->description_.empty() ? "user " : " + user ") + user->name();
	if (b->description_.empty())
		b->description_ = "none";
	b->table_ = std::move(table);
	b->user_ = std::move(user);
	return b;
}

binding_ptr binding::none()
{
	static const binding_ptr empty = make(nullptr, nullptr);
	return empty;
}

binding_ptr binding_point::resolve() const
{
	// Read the epoch before walking: a change during the walk leaves a cache
	// entry tagged with the old epoch, which the next call throws away.
	std::uint64_t epoch = tree_.epoch();
	if (auto c = cache_.load(); c && c->epoch == epoch)
		return c->resolved;
	binding_ptr found;
	// hold keeps the point being looked at alive even if a concurrent
	// reparent() drops the only other reference to it.
	std::shared_ptr<binding_point> hold;
	for (const binding_point *p = this; p; p = hold.get()) {
		found = p->own_.load();
		if (found)
			break;
		hold = p->parent_.load();
	}
	if (!found)
		found = binding::none();
	cache_.store(std::make_shared<const cached>(cached{epoch, found}));
	return found;
}

void binding_point::set(binding_ptr b)
{
	own_.store(b ? std::move(b) : binding::none());
	tree_.bump();
}

void binding_point::clear()
{
	own_.store(nullptr);
	tree_.bump();
}

void binding_point::reparent(std::shared_ptr<binding_point> new_parent)
{
	parent_.store(std::move(new_parent));
	tree_.bump();
}

binding_tree::binding_tree() : root_(std::make_shared<binding_point>(*this, nullptr))
{}

std::shared_ptr<binding_point> binding_tree::make_child(std::shared_ptr<binding_point> parent)
{
	return std::make_shared<binding_point>(*this, std::move(parent));
}

} // namespace fusebpf::filter
