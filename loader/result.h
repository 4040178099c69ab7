// SPDX-License-Identifier: GPL-2.0-or-later
//
// result<T>: a value or an error message, the return type of every fallible
// loader function.  The loader is a library a daemon embeds, so it never
// exits and never throws for expected failures (a bad object, a missing
// table); the message is written as a paragraph for a person (what failed,
// why, and what to do), and the CLI prints it as it is.  std::expected would
// do this job but is C++23; this is the subset we need.
#pragma once

#ifdef __BPF__
#error "loader/result.h is for userspace only"
#endif

#include <string>
#include <utility>
#include <variant>

namespace fusebpf::loader {

struct error {
	std::string message;
	int errno_value = 0; // the errno behind it, 0 if none (tests and callers may branch on it)
};

template <typename T> class [[nodiscard]] result {
public:
	result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
	result(error e) : v_(std::in_place_index<1>, std::move(e)) {}

	bool ok() const noexcept { return v_.index() == 0; }
	explicit operator bool() const noexcept { return ok(); }

	T &value() & { return std::get<0>(v_); }
	const T &value() const & { return std::get<0>(v_); }
	T &&value() && { return std::get<0>(std::move(v_)); }
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	const error &err() const & { return std::get<1>(v_); }
	error &&err() && { return std::get<1>(std::move(v_)); }
	const std::string &message() const { return err().message; }

private:
	std::variant<T, error> v_;
};

// The result of a step that has no value.
struct done {};
using status = result<done>;

} // namespace fusebpf::loader
