// guarded(): calls into a part the host supplied (a Store, a Clock, a RandomSource) and turns
// an exception it should not have thrown into an error value, so that none leaves our API or
// a thread we own. Internal to the library.
#pragma once

#include <exception>
#include <string_view>

#include <fmt/format.h>

#include <interviewkit/domain/error.hpp>
#include <interviewkit/log/action_log.hpp>

namespace interviewkit::detail {

/// `f()`, or Unavailable{"<who> threw: <what>"} if it throws. `f` returns a Result.
template <class F>
auto guarded(std::string_view who, F&& f) noexcept -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    const auto error = std::current_exception();
    try {
      return Unavailable{fmt::format("{} threw: {}", who, describe_exception(error))};
    } catch (...) {  // out of memory while describing it: an error all the same, unnamed
      return Unavailable{std::string()};
    }
  }
}

}  // namespace interviewkit::detail
