// Result<T>: a value or an Error. The library's single value-or-error type.
#pragma once

#include <concepts>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include <interviewkit/domain/error.hpp>

namespace interviewkit {

template <class T>
class Result;

namespace detail {
// Selects a Result's error state even when its value type could be built from an Error
// (Result<std::any>, Result<Result<int>>), where the implicit constructor takes the value.
struct InPlaceError {
  explicit InPlaceError() = default;
};
inline constexpr InPlaceError in_place_error{};

template <class R>
inline constexpr bool is_result = false;
template <class U>
inline constexpr bool is_result<Result<U>> = true;

// The Result<U> holding what `f(args...)` returns, for transform; defined below, once
// Result<void> is complete.
template <class F, class... Args>
auto transformed(F&& f, Args&&... args);

template <class E>
concept ErrorLike =
    std::same_as<std::remove_cvref_t<E>, Error> || std::constructible_from<Error::Detail, E> ||
    std::same_as<std::remove_cvref_t<E>, Error::Detail>;
}  // namespace detail

/// Holds either a T or an Error. Accessing the value of an error result throws
/// ErrorException: that is a programming mistake, not an expected failure.
///
/// Composes like std::expected: `and_then(f)` calls f with the value (f returns a Result),
/// `transform(f)` wraps what f returns, `or_else(f)` calls f with the error (f returns a
/// Result<T>, to recover or to replace the error); each passes the other case through.
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");
  static_assert(!std::same_as<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

 public:
  /// The type of the value held on success.
  using value_type = T;

  /// A success holding `value`. Implicit, so a function returning Result<T> can `return x;`.
  Result(const T& value) : storage_(std::in_place_index<0>, value) {}  // NOLINT
  /// A success holding `value`, moved in.
  Result(T&& value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  /// A failure: from an Error or any failure struct (`return NotFound{id};`). Not offered
  /// when T itself can be built from `E`; use the detail::in_place_error overload then.
  template <detail::ErrorLike E>
  requires(!std::constructible_from<T, E>) Result(E&& error)
      : storage_(std::in_place_index<1>, Error(std::forward<E>(error))) {}  // NOLINT
  /// A failure holding `error`, whatever T is (the tag is detail::in_place_error).
  Result(detail::InPlaceError /*tag*/, Error error)
      : storage_(std::in_place_index<1>, std::move(error)) {}

  /// True on success.
  [[nodiscard]] bool has_value() const noexcept { return storage_.index() == 0; }
  /// has_value(): `if (auto r = f(); !r) return r.error();`.
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; throws ErrorException carrying the error on failure.
  [[nodiscard]] T& value() & {
    check();
    return std::get<0>(storage_);
  }
  /// The value, read-only; throws ErrorException carrying the error on failure.
  [[nodiscard]] const T& value() const& {
    check();
    return std::get<0>(storage_);
  }
  /// The value, moved out; throws ErrorException carrying the error on failure.
  /// By value, not T&&: `for (auto& x : f().value())` must not dangle.
  [[nodiscard]] T value() && {
    check();
    return std::get<0>(std::move(storage_));
  }
  /// The value, or `fallback` converted to T on failure.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(storage_) : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value moved out, or `fallback` converted to T on failure.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) && {
    return has_value() ? std::get<0>(std::move(storage_))
                       : static_cast<T>(std::forward<U>(fallback));
  }

  /// On success `f(value())`, which must return a Result; on failure that Result type
  /// holding this error.
  template <class F>
  auto and_then(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F, const T&>>;
    static_assert(detail::is_result<R>, "and_then: the function must return a Result");
    return has_value() ? std::invoke(std::forward<F>(f), std::get<0>(storage_))
                       : R(detail::in_place_error, std::get<1>(storage_));
  }
  /// As and_then() const&, passing the value moved out.
  template <class F>
  auto and_then(F&& f) && {
    using R = std::remove_cvref_t<std::invoke_result_t<F, T&&>>;
    static_assert(detail::is_result<R>, "and_then: the function must return a Result");
    return has_value() ? std::invoke(std::forward<F>(f), std::get<0>(std::move(storage_)))
                       : R(detail::in_place_error, std::get<1>(std::move(storage_)));
  }
  /// On success a `Result<U>` holding `f(value())` (Result<void> when f returns void); on
  /// failure a `Result<U>` holding this error.
  template <class F>
  auto transform(F&& f) const& {
    using U = std::remove_cv_t<std::invoke_result_t<F, const T&>>;
    if (!has_value())
      return Result<U>(detail::in_place_error, std::get<1>(storage_));
    return detail::transformed(std::forward<F>(f), std::get<0>(storage_));
  }
  /// As transform() const&, passing the value moved out.
  template <class F>
  auto transform(F&& f) && {
    using U = std::remove_cv_t<std::invoke_result_t<F, T&&>>;
    if (!has_value())
      return Result<U>(detail::in_place_error, std::get<1>(std::move(storage_)));
    return detail::transformed(std::forward<F>(f), std::get<0>(std::move(storage_)));
  }
  /// On failure `f(error())`, which must return a Result<T> (to recover, or to replace the
  /// error); on success a copy of this.
  template <class F>
  Result or_else(F&& f) const& {
    if (has_value())
      return *this;
    return std::invoke(std::forward<F>(f), std::get<1>(storage_));
  }
  /// As or_else() const&, moving this on success.
  template <class F>
  Result or_else(F&& f) && {
    if (has_value())
      return std::move(*this);
    return std::invoke(std::forward<F>(f), std::get<1>(storage_));
  }

  /// @{
  /// value(): unlike std::optional, checked (throws ErrorException on failure).
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  /// @}
  /// @{
  /// `&value()`: checked, throws ErrorException on failure.
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// @}

  /// The error. Precondition: !has_value(); throws std::logic_error otherwise.
  [[nodiscard]] const Error& error() const& {
    if (has_value())
      throw std::logic_error("interviewkit::Result::error() called on a value");
    return std::get<1>(storage_);
  }

 private:
  void check() const {
    if (!has_value())
      throw ErrorException(std::get<1>(storage_));
  }
  std::variant<T, Error> storage_;
};

/// Success with no value, or an Error: what an operation that only succeeds or fails
/// returns. The same interface as Result<T>, without a value to read.
template <>
class [[nodiscard]] Result<void> {
 public:
  /// No value on success.
  using value_type = void;

  /// Success.
  Result() noexcept = default;
  /// A failure: from an Error or any failure struct (`return InvalidInput{"..."};`).
  template <detail::ErrorLike E>
  Result(E&& error) : error_(Error(std::forward<E>(error))) {}  // NOLINT
  /// A failure holding `error` (the tag is detail::in_place_error).
  Result(detail::InPlaceError /*tag*/, Error error) : error_(std::move(error)) {}

  /// True on success.
  [[nodiscard]] bool has_value() const noexcept { return !error_.has_value(); }
  /// has_value().
  explicit operator bool() const noexcept { return has_value(); }
  /// Nothing on success; throws ErrorException carrying the error on failure.
  void value() const {
    if (error_)
      throw ErrorException(*error_);
  }
  /// The error. Precondition: !has_value(); throws std::logic_error otherwise.
  [[nodiscard]] const Error& error() const& {
    if (!error_)
      throw std::logic_error("interviewkit::Result::error() called on a value");
    return *error_;
  }

  /// On success `f()`, which must return a Result; on failure that type holding this error.
  template <class F>
  auto and_then(F&& f) const {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    static_assert(detail::is_result<R>, "and_then: the function must return a Result");
    return has_value() ? std::invoke(std::forward<F>(f)) : R(detail::in_place_error, *error_);
  }
  /// On success a `Result<U>` holding `f()` (Result<void> when f returns void); on failure a
  /// `Result<U>` holding this error.
  template <class F>
  auto transform(F&& f) const {
    using U = std::remove_cv_t<std::invoke_result_t<F>>;
    if (error_)
      return Result<U>(detail::in_place_error, *error_);
    return detail::transformed(std::forward<F>(f));
  }
  /// On failure `f(error())`, which must return a Result<void>; on success a copy of this.
  template <class F>
  Result or_else(F&& f) const {
    if (has_value())
      return *this;
    return std::invoke(std::forward<F>(f), *error_);
  }

 private:
  std::optional<Error> error_;
};

namespace detail {
template <class F, class... Args>
auto transformed(F&& f, Args&&... args) {
  using U = std::remove_cv_t<std::invoke_result_t<F, Args...>>;
  if constexpr (std::is_void_v<U>) {
    std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    return Result<void>();
  } else {
    return Result<U>(std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
  }
}
}  // namespace detail

}  // namespace interviewkit
