// Availability and slot search: which interview slots are free for one interviewer, a panel
// (everyone at once) or a round-robin pool (any one of them), across time zones.
//
// This is the pure core: it does no I/O and reads nothing but its arguments, so a host can
// run it on its own data. availability_store.hpp fills in the interviews a Store holds.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <date/date.h>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/domain/time_zone.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// A local wall-clock range [start, end) within one day, as time since local midnight:
/// 0 <= start < end <= 24h. `WorkingHours{9h, 17h}` is 09:00-17:00 in the interviewer's zone
/// on whatever UTC instants that is on the day, DST or not.
///
/// Local times become UTC instants by TimeZone::to_utc: a time in a DST gap becomes the first
/// valid instant after the gap, a time in an overlap the earlier of its two instants. A range
/// that lies entirely in a gap is therefore empty.
struct WorkingHours {
  std::chrono::minutes start{0};  ///< local start, from midnight
  std::chrono::minutes end{0};    ///< local end, from midnight (24h: midnight at the day's end)

  friend bool operator==(const WorkingHours&, const WorkingHours&) = default;
};

/// Working hours for each day of the week, several ranges a day allowed (in any order;
/// overlapping or touching ranges merge).
struct WeeklyHours {
  /// Indexed by date::weekday::c_encoding(): Sunday is 0, Saturday 6.
  std::array<std::vector<WorkingHours>, 7> by_weekday;

  /// The same hours Monday to Friday, nothing at the weekend.
  [[nodiscard]] static WeeklyHours monday_to_friday(std::vector<WorkingHours> hours);

  /// The hours of `day`.
  [[nodiscard]] std::vector<WorkingHours>& operator[](date::weekday day) {
    return by_weekday.at(day.c_encoding());
  }
  /// The hours of `day`, read-only.
  [[nodiscard]] const std::vector<WorkingHours>& operator[](date::weekday day) const {
    return by_weekday.at(day.c_encoding());
  }

  friend bool operator==(const WeeklyHours&, const WeeklyHours&) = default;
};

/// Replaces the weekly hours on one local date: no hours is a day off. A date that does not
/// exist in the zone (Pacific/Apia skipped 2011-12-30) simply yields nothing.
struct DateOverride {
  date::local_days date;            ///< the local date it applies to
  std::vector<WorkingHours> hours;  ///< that day's hours instead of the weekly ones

  friend bool operator==(const DateOverride&, const DateOverride&) = default;
};

/// Everything the search needs to know about one interviewer.
///
/// Buffers follow BookingService: two interviews sharing a person must be at least
/// max(buffer_before, buffer_after) apart, so each booked interview blocks that much on both
/// sides. An external busy block needs buffer_before free between its end and an
/// interview's start, and buffer_after between an interview's end and its start. Buffers may
/// fall outside working hours. Use the BookingOptions buffers here for slots that book.
struct InterviewerAvailability {
  InterviewerId id;      ///< who
  TimeZone time_zone;    ///< the zone working hours and dates are in
  WeeklyHours weekly{};  ///< usual working hours
  /// At most one per date; any order.
  std::vector<DateOverride> overrides{};
  /// Slots of the interviewer's interviews (scheduled or confirmed), any order. They block
  /// time, count towards `daily_cap` on the local day they start, and are the load that
  /// round-robin balances. Include the local days the window touches, or caps undercount.
  /// load_booked (availability_store.hpp) fills this from a Store.
  std::vector<TimeRange> booked{};
  /// Busy blocks from the host's calendars (not interviews), any order; they only block time.
  std::vector<TimeRange> busy{};
  std::chrono::seconds buffer_before{0};  ///< free time needed before an interview (see above)
  std::chrono::seconds buffer_after{0};   ///< free time needed after an interview (see above)
  /// At most this many interviews starting on one local day, booked ones included.
  std::optional<std::uint32_t> daily_cap{};
};

/// Whether a slot needs every interviewer or any one of them.
enum class SlotMode : std::uint8_t {
  all,  ///< a panel: every interviewer free at once
  any,  ///< round-robin: one of them, the least loaded in the window
};

/// Names of SlotMode, for to_string and formatting.
template <>
struct EnumNames<SlotMode> {
  static constexpr std::string_view type = "SlotMode";   ///< type name, in "<invalid SlotMode>"
  static constexpr std::string_view noun = "slot mode";  ///< noun in parse errors
  static constexpr std::string_view article = "a";       ///< article before the noun
  using enum SlotMode;
  /// Every mode with its canonical name, in declaration order.
  static constexpr auto table = std::to_array<EnumName<SlotMode>>({{all, "all"}, {any, "any"}});
};
static_assert(names_cover_enum<SlotMode>());

/// The canonical lowercase name: "all" or "any".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(SlotMode mode) noexcept;

/// The longest window one search covers, and the finest step: together they bound a result
/// to about half a million slots.
/// @{
inline constexpr std::chrono::days max_search_window{366};
inline constexpr std::chrono::minutes min_slot_step{1};
/// @}

/// What to search for: SlotSearch::find and find_slots.
struct SlotQuery {
  SlotMode mode = SlotMode::all;  ///< a panel (all) or round-robin (any)
  /// The slots offered lie entirely inside this window. Slot starts are on the grid
  /// window.start() + k * step, so a window starting on a round time gives round slots.
  TimeRange window;
  std::chrono::seconds duration{std::chrono::minutes{45}};  ///< length of each slot, whole seconds
  /// Whole seconds, at least min_slot_step.
  std::chrono::seconds step{std::chrono::minutes{15}};
  /// Slots start no earlier than now + minimum_notice. Unset: the system clock's time when
  /// the search runs, so a query that forgets it never offers slots in the past.
  std::optional<date::sys_seconds> now{};
  std::chrono::seconds minimum_notice{0};  ///< how far ahead of `now` the earliest slot starts
  /// If set, each slot also carries its local times in this zone, for display.
  std::optional<TimeZone> candidate_time_zone{};
  /// The slots of the candidate's own interviews (those holding one), any order: no slot is
  /// offered closer to one than `candidate_buffer`, in either mode. find_slots(store, ...)
  /// fills this from the store when `candidate` is set.
  std::vector<TimeRange> candidate_booked{};
  /// Free time kept between a slot and each of `candidate_booked`. For slots that book, the
  /// larger of BookingOptions::buffer_before and buffer_after (the booking rule). Not negative.
  std::chrono::seconds candidate_buffer{0};
  /// For the store layer (load_candidate_booked, find_slots(store, ...)): whose interviews
  /// fill `candidate_booked`. The pure search ignores it.
  std::optional<CandidateId> candidate{};
  /// For the store layer: an interview whose own slot blocks nobody, neither its
  /// interviewers nor its candidate (the interview being rescheduled). The pure search
  /// ignores it.
  std::optional<InterviewId> excluding{};
};

/// Local wall-clock times, for display only.
struct LocalTimeRange {
  date::local_seconds start;  ///< local start
  date::local_seconds end;    ///< local end

  friend bool operator==(const LocalTimeRange&, const LocalTimeRange&) = default;
};

/// One free slot found by the search.
struct Slot {
  TimeRange range;  ///< the slot, in UTC
  /// SlotMode::any: the position, in the interviewers passed to the search, of the one who
  /// takes this slot. Empty for SlotMode::all (everyone does).
  std::optional<std::size_t> interviewer;
  /// The range in the query's candidate_time_zone, when it has one.
  std::optional<LocalTimeRange> candidate_local;

  friend bool operator==(const Slot&, const Slot&) = default;
};

/// The slot search, with scratch buffers it reuses: after the first few queries a search
/// allocates nothing. Not thread-safe: give each thread its own (they are cheap to keep).
///
/// The result, for SlotMode::all: every grid start at which each interviewer has the whole
/// slot inside working hours, clear of booked interviews and busy blocks with their buffers,
/// under their daily cap. For SlotMode::any: every grid start at which at least one has; the
/// slot goes to the one with the fewest booked interviews overlapping the window, ties to the
/// one listed first. Slots are in time order. Each is bookable through BookingService::book
/// when the buffers match BookingOptions, unless something else books it first (book then
/// reports SlotConflict).
class INTERVIEWKIT_EXPORT SlotSearch {
 public:
  SlotSearch();
  ~SlotSearch();
  /// Takes over the other search's buffers.
  SlotSearch(SlotSearch&&) noexcept;
  /// Takes over the other search's buffers.
  SlotSearch& operator=(SlotSearch&&) noexcept;
  SlotSearch(const SlotSearch&) = delete;
  SlotSearch& operator=(const SlotSearch&) = delete;

  /// The free slots, or InvalidInput naming what is wrong with the query or an interviewer.
  /// The span points into this object and is valid until its next call.
  [[nodiscard]] Result<std::span<const Slot>> find(
      const SlotQuery& query, std::span<const InterviewerAvailability> interviewers);

 private:
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
};

/// One search, returning its own copy of the slots.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::vector<Slot>> find_slots(
    const SlotQuery& query, std::span<const InterviewerAvailability> interviewers);

}  // namespace interviewkit
