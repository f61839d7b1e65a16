#include <ostream>

#include <fmt/format.h>

#include <interviewkit/domain/error.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

namespace interviewkit {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

std::string_view to_string(ErrorKind kind) noexcept {
  return enum_name(kind);
}

std::string Error::message() const {
  return std::visit(
      Overloaded{
          [](const InvalidInput& e) { return fmt::format("invalid input: {}", e.what); },
          [](const IllegalTransition& e) {
            return fmt::format(
                "illegal transition: cannot {} an interview that is {} (would be {})", e.event,
                e.from, e.to);
          },
          [](const SlotConflict& e) {
            return fmt::format("slot conflict: {} already holds interview {} at that time",
                               e.person, e.other);
          },
          [](const NotFound& e) { return fmt::format("not found: no interview {}", e.id); },
          [](const StaleVersion& e) {
            return fmt::format("stale version: interview {} is at version {}, caller saw {}", e.id,
                               e.actual, e.expected);
          },
          [](const Unavailable& e) { return fmt::format("unavailable: {}", e.what); },
      },
      detail_);
}

std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.message();
}

ErrorException::ErrorException(Error error)
    : std::runtime_error(error.message()), error_(std::move(error)) {}

}  // namespace interviewkit
