// The interview lifecycle as one transition table: from + event -> to.
//
// Everything that depends on lifecycle (which operations are legal, which notifications go
// out) is derived from this table, never from status checks at call sites. What each event is
// logged as (ActionType) and announced as (NotificationKind) is in the lifecycle table beside
// it, notify/lifecycle.hpp: domain/ cannot see those enums.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

#include <fmt/core.h>

#include <interviewkit/domain/status.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// What happens to an interview. Each event names one BookingService operation.
enum class InterviewEvent : std::uint8_t {
  book,
  confirm,
  reschedule,
  cancel,
  complete,
  mark_no_show,
};

/// Names of InterviewEvent, for to_string, parse_interview_event and formatting.
template <>
struct EnumNames<InterviewEvent> {
  static constexpr std::string_view type =
      "InterviewEvent";  ///< type name, in "<invalid InterviewEvent>"
  static constexpr std::string_view noun = "interview event";  ///< noun in parse errors
  static constexpr std::string_view article = "an";            ///< article before the noun
  using enum InterviewEvent;
  /// Every event with its canonical name, in declaration order.
  static constexpr auto table = std::to_array<EnumName<InterviewEvent>>({
      {book, "book"},
      {confirm, "confirm"},
      {reschedule, "reschedule"},
      {cancel, "cancel"},
      {complete, "complete"},
      {mark_no_show, "mark_no_show"},
  });
};
static_assert(names_cover_enum<InterviewEvent>());

/// Every InterviewEvent, in declaration order.
inline constexpr std::array<InterviewEvent, 6> all_interview_events = enum_values<InterviewEvent>();

/// The canonical lowercase name: "book", "confirm", ..., "mark_no_show".
[[nodiscard]] constexpr std::string_view to_string(InterviewEvent event) noexcept {
  return enum_name(event);
}

/// Strict parse of a canonical name; the error names the input and lists the valid values.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<InterviewEvent> parse_interview_event(
    std::string_view text);

/// The status an event leads to, whatever it starts from.
[[nodiscard]] constexpr InterviewStatus target_of(InterviewEvent event) noexcept {
  switch (event) {
    case InterviewEvent::book:
    case InterviewEvent::reschedule:
      return InterviewStatus::scheduled;
    case InterviewEvent::confirm:
      return InterviewStatus::confirmed;
    case InterviewEvent::cancel:
      return InterviewStatus::cancelled;
    case InterviewEvent::complete:
      return InterviewStatus::completed;
    case InterviewEvent::mark_no_show:
      return InterviewStatus::no_show;
  }
  return InterviewStatus::pending;
}

/// One row of the lifecycle: `event` applied in status `from` leads to status `to`.
struct Transition {
  InterviewStatus from;  ///< status before
  InterviewEvent event;  ///< what happens
  InterviewStatus to;    ///< status after (always target_of(event))

  friend constexpr bool operator==(const Transition&, const Transition&) = default;
};

// clang-format off
/// The whole lifecycle. completed, cancelled and no_show are terminal: no row leaves them.
inline constexpr std::array<Transition, 11> transition_table{{
    // from                        event                          to
    {InterviewStatus::pending,   InterviewEvent::book,         InterviewStatus::scheduled},
    {InterviewStatus::pending,   InterviewEvent::cancel,       InterviewStatus::cancelled},
    {InterviewStatus::scheduled, InterviewEvent::confirm,      InterviewStatus::confirmed},
    {InterviewStatus::scheduled, InterviewEvent::reschedule,   InterviewStatus::scheduled},
    {InterviewStatus::scheduled, InterviewEvent::cancel,       InterviewStatus::cancelled},
    {InterviewStatus::scheduled, InterviewEvent::complete,     InterviewStatus::completed},
    {InterviewStatus::scheduled, InterviewEvent::mark_no_show, InterviewStatus::no_show},
    {InterviewStatus::confirmed, InterviewEvent::reschedule,   InterviewStatus::scheduled},  // needs confirming again
    {InterviewStatus::confirmed, InterviewEvent::complete,     InterviewStatus::completed},
    {InterviewStatus::confirmed, InterviewEvent::cancel,       InterviewStatus::cancelled},
    {InterviewStatus::confirmed, InterviewEvent::mark_no_show, InterviewStatus::no_show},
}};
// clang-format on

/// The row for `event` applied in status `from`, or nullopt if the table has none.
[[nodiscard]] constexpr std::optional<Transition> find_transition(InterviewStatus from,
                                                                  InterviewEvent event) noexcept {
  const auto* it =
      std::find_if(transition_table.begin(), transition_table.end(),
                   [&](const Transition& t) { return t.from == from && t.event == event; });
  if (it == transition_table.end())
    return std::nullopt;
  return *it;
}

/// True when some event leads from `from` to `to`.
[[nodiscard]] constexpr bool can_transition(InterviewStatus from, InterviewStatus to) noexcept {
  return std::any_of(transition_table.begin(), transition_table.end(),
                     [&](const Transition& t) { return t.from == from && t.to == to; });
}

static_assert(std::none_of(transition_table.begin(), transition_table.end(),
                           [](const Transition& t) { return is_terminal(t.from); }),
              "terminal statuses must have no outgoing transitions");
static_assert(std::all_of(transition_table.begin(), transition_table.end(),
                          [](const Transition& t) { return t.to == target_of(t.event); }),
              "every row must lead to its event's target status");

/// Writes the canonical name.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, InterviewEvent event);
/// Writes "scheduled --confirm--> confirmed", as the fmt formatter does.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const Transition& transition);

}  // namespace interviewkit

/// Formats a Transition as "from --event--> to".
template <>
struct fmt::formatter<interviewkit::Transition> : fmt::formatter<std::string_view> {
  /// Writes "scheduled --confirm--> confirmed".
  template <class FormatContext>
  auto format(const interviewkit::Transition& t, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "{} --{}--> {}", t.from, t.event, t.to);
  }
};
