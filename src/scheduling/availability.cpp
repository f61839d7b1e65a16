// Slot search. Per interviewer: working hours expanded to UTC day by day, minus busy time
// widened by the buffers, cut down to the instants at which a slot may start, minus the days
// the daily cap closes. Then those start sets are intersected (panel) or shared out
// (round-robin) and read off on the step grid. Every set is a sorted vector of disjoint
// half-open intervals, so each step is one linear merge.
#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/scheduling/availability.hpp>

namespace interviewkit {

namespace {

using date::local_days;
using date::local_seconds;
using date::sys_seconds;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// [start, end) of UTC instants. Unlike TimeRange it may be empty and is built unchecked,
// which the inner loops want.
struct Interval {
  sys_seconds start;
  sys_seconds end;
};

bool by_start(const Interval& a, const Interval& b) {
  return a.start < b.start;
}

// Local <-> UTC in one zone, remembering the offset period of the last answer: consecutive
// conversions nearly always land in the same period, and asking the tz database is a
// binary search. Answers are exactly TimeZone's.
class ZoneCache {
 public:
  explicit ZoneCache(const TimeZone& zone) : zone_(&zone) {}

  sys_seconds to_utc(local_seconds t) {
    const auto guess = sys_seconds{t.time_since_epoch() - offset_};
    if (well_inside(guess))
      return guess;
    refresh(guess);
    const auto again = sys_seconds{t.time_since_epoch() - offset_};
    if (well_inside(again))
      return again;
    // Close to a transition the local time may be missing or doubled: the exact rule.
    return zone_->to_utc(t);
  }

  local_seconds to_local(sys_seconds t) {
    if (!(begin_ <= t && t < end_))
      refresh(t);
    return local_seconds{t.time_since_epoch() + offset_};
  }

  // Appends the UTC instants whose local date is `day`, in time order. Where the clock runs
  // back over midnight (America/Goose_Bay fell back from 00:01 to 23:01 on 2010-11-07) that
  // is more than one interval, and not [to_utc(day), to_utc(day + 1)): each offset period
  // holds the instants its own clock shows on that day.
  void local_day(local_days day, std::vector<Interval>& out) {
    const auto from = sys_seconds{local_seconds{day}.time_since_epoch()} - margin;
    const auto to = sys_seconds{local_seconds{day + days{1}}.time_since_epoch()} + margin;
    for (auto at = from; at < to; at = end_) {
      refresh(at);
      const Interval on_clock{
          sys_seconds{local_seconds{day}.time_since_epoch() - offset_},
          sys_seconds{local_seconds{day + days{1}}.time_since_epoch() - offset_}};
      const Interval piece{std::max(on_clock.start, begin_), std::min(on_clock.end, end_)};
      if (piece.start < piece.end)
        out.push_back(piece);
    }
  }

 private:
  // A local time maps to an instant this far from both ends of its offset period only
  // through that period's offset: no two UTC offsets ever used differ by this much, so no
  // neighbouring period can claim it too.
  static constexpr seconds margin = hours{36};

  [[nodiscard]] bool well_inside(sys_seconds t) const {
    return begin_ + margin <= t && t + margin < end_;
  }
  void refresh(sys_seconds t) {
    const auto info = zone_->period_at(t);
    begin_ = info.begin;
    end_ = info.end;
    offset_ = info.offset;
  }

  const TimeZone* zone_;
  sys_seconds begin_{};
  sys_seconds end_{};
  seconds offset_{0};
};

constexpr std::array<std::string_view, 7> weekday_names{
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

std::string clock_text(minutes m) {
  if (m < minutes{0} || m > hours{24})
    return fmt::format("{} min", m.count());
  return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60);
}

Result<void> check_hours(const InterviewerAvailability& person,
                         std::span<const WorkingHours> ranges, const std::string& when) {
  for (const auto& r : ranges) {
    if (!(minutes{0} <= r.start && r.start < r.end && r.end <= hours{24})) {
      return InvalidInput{fmt::format(
          "interviewer {}: working hours {}-{} on {} must start before they end, within "
          "00:00-24:00 local time",
          person.id, clock_text(r.start), clock_text(r.end), when)};
    }
  }
  return {};
}

// One interviewer's buffers and working hours (weekly and per date) are within a day.
Result<void> check_interviewer(const InterviewerAvailability& person) {
  for (const auto buffer : {person.buffer_before, person.buffer_after}) {
    if (buffer < seconds{0} || buffer > max_interview_length) {
      return InvalidInput{fmt::format("interviewer {}: buffer {} s must be between 0 and {} hours",
                                      person.id, buffer.count(), max_interview_length.count())};
    }
  }
  for (unsigned d = 0; d < 7; ++d) {
    const auto& day = person.weekly.by_weekday.at(d);
    if (auto ok = check_hours(person, day, std::string(weekday_names.at(d))); !ok)
      return ok;
  }
  for (const auto& o : person.overrides) {
    if (auto ok = check_hours(person, o.hours, date::format("%F", o.date)); !ok)
      return ok;
  }
  return {};
}

// The limits keep one search bounded in time and memory whatever a caller passes.
Result<void> check_query(const SlotQuery& query,
                         std::span<const InterviewerAvailability> interviewers) {
  if (interviewers.empty())
    return InvalidInput{"a slot search needs at least one interviewer"};
  if (query.duration <= seconds{0} || query.duration > max_interview_length) {
    return InvalidInput{fmt::format("slot duration {} s must be positive and at most {} hours",
                                    query.duration.count(), max_interview_length.count())};
  }
  if (query.step < min_slot_step) {
    return InvalidInput{fmt::format("slot step {} s must be at least {} s", query.step.count(),
                                    seconds{min_slot_step}.count())};
  }
  if (query.window.duration() > max_search_window) {
    return InvalidInput{fmt::format("search window {} is longer than {} days", query.window,
                                    max_search_window.count())};
  }
  if (query.minimum_notice < seconds{0}) {
    return InvalidInput{
        fmt::format("minimum notice {} s must not be negative", query.minimum_notice.count())};
  }
  if (query.candidate_buffer < seconds{0} || query.candidate_buffer > max_interview_length) {
    return InvalidInput{fmt::format("candidate buffer {} s must be between 0 and {} hours",
                                    query.candidate_buffer.count(), max_interview_length.count())};
  }
  for (const auto& person : interviewers) {
    if (auto ok = check_interviewer(person); !ok)
      return ok;
  }
  return {};
}

// Merges overlapping and touching intervals of a vector sorted by start, in place.
void coalesce(std::vector<Interval>& v) {
  if (v.empty())
    return;
  std::size_t out = 0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i].start <= v[out].end) {
      v[out].end = std::max(v[out].end, v[i].end);
    } else {
      v[++out] = v[i];
    }
  }
  v.resize(out + 1);
}

// out = a minus b; both sorted and disjoint.
void subtract(std::span<const Interval> a, std::span<const Interval> b,
              std::vector<Interval>& out) {
  out.clear();
  std::size_t j = 0;
  for (const auto& piece : a) {
    auto from = piece.start;
    while (j < b.size() && b[j].end <= from)
      ++j;
    for (auto k = j; k < b.size() && b[k].start < piece.end; ++k) {
      if (b[k].start > from)
        out.push_back({from, b[k].start});
      from = std::max(from, b[k].end);
      if (from >= piece.end)
        break;
    }
    if (from < piece.end)
      out.push_back({from, piece.end});
  }
}

// out = a intersected with b; both sorted and disjoint.
void intersect(std::span<const Interval> a, std::span<const Interval> b,
               std::vector<Interval>& out) {
  out.clear();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const auto start = std::max(a[i].start, b[j].start);
    const auto end = std::min(a[i].end, b[j].end);
    if (start < end)
      out.push_back({start, end});
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
}

}  // namespace

std::string_view to_string(SlotMode mode) noexcept {
  return enum_name(mode);
}

WeeklyHours WeeklyHours::monday_to_friday(std::vector<WorkingHours> hours) {
  WeeklyHours weekly;
  for (unsigned d = 1; d <= 5; ++d)
    weekly.by_weekday.at(d) = hours;
  return weekly;
}

struct SlotSearch::Scratch {
  // Per interviewer, rebuilt for each one.
  std::vector<Interval> booked;
  std::vector<Interval> external;
  std::vector<Interval> busy;
  std::vector<Interval> working;
  std::vector<Interval> free;
  std::vector<Interval> own_starts;
  std::vector<Interval> capped;
  std::vector<local_days> booked_days;
  std::vector<const DateOverride*> overrides;
  std::vector<WorkingHours> day_hours;
  // Per search.
  std::vector<Interval> candidate_blocked;
  std::vector<Interval> starts;  // every interviewer's start set, one after the other
  std::vector<std::pair<std::size_t, std::size_t>> starts_of;  // offset, count
  std::vector<Interval> merged;
  std::vector<Interval> spare;
  std::vector<std::size_t> priority;
  std::vector<std::size_t> load;
  std::vector<std::size_t> cursor;
  std::vector<Slot> slots;

  Result<void> add_starts(const SlotQuery& query, const InterviewerAvailability& person,
                          Interval bounds);
  void working_hours(const InterviewerAvailability& person, Interval bounds, ZoneCache& zone);
  void busy_time(const InterviewerAvailability& person, Interval bounds);
  void close_capped_days(const InterviewerAvailability& person, Interval bounds, ZoneCache& zone);
  void panel(const SlotQuery& query, std::size_t count);
  void round_robin(const SlotQuery& query, std::span<const InterviewerAvailability> interviewers);
  void drop_candidate_busy(const SlotQuery& query);
  void emit(const SlotQuery& query, std::span<const Interval> set, bool round_robin);
};

// Booked interviews widened by the larger buffer on both sides, busy blocks by the buffers
// that face them; only what reaches into `bounds` matters.
void SlotSearch::Scratch::busy_time(const InterviewerAvailability& person, Interval bounds) {
  const auto widest = std::max(person.buffer_before, person.buffer_after);
  const auto collect = [&](const std::vector<TimeRange>& from, seconds before, seconds after,
                           std::vector<Interval>& into) {
    into.clear();
    bool sorted = true;
    for (const auto& r : from) {
      const Interval widened{r.start() - before, r.end() + after};
      if (widened.end <= bounds.start || widened.start >= bounds.end)
        continue;
      if (!into.empty() && widened.start < into.back().start)
        sorted = false;
      into.push_back(widened);
    }
    if (!sorted)
      std::sort(into.begin(), into.end(), by_start);
  };
  collect(person.booked, widest, widest, booked);
  collect(person.busy, person.buffer_after, person.buffer_before, external);
  busy.resize(booked.size() + external.size());
  std::merge(booked.begin(), booked.end(), external.begin(), external.end(), busy.begin(),
             by_start);
  coalesce(busy);
}

// Working hours as UTC intervals within `bounds`, day by day in local time.
void SlotSearch::Scratch::working_hours(const InterviewerAvailability& person, Interval bounds,
                                        ZoneCache& zone) {
  working.clear();
  // One local day either side: a day's hours may reach into the bounds from across a date
  // line jump or a DST change.
  const auto first_day = date::floor<days>(zone.to_local(bounds.start)) - days{1};
  const auto last_day = date::floor<days>(zone.to_local(bounds.end - seconds{1})) + days{1};
  auto next_override =
      std::lower_bound(overrides.begin(), overrides.end(), first_day,
                       [](const DateOverride* o, local_days day) { return o->date < day; });
  for (auto day = first_day; day <= last_day; day += days{1}) {
    std::span<const WorkingHours> hours = person.weekly[date::weekday{day}];
    if (next_override != overrides.end() && (*next_override)->date == day) {
      hours = (*next_override)->hours;
      ++next_override;
    }
    if (hours.empty())
      continue;
    if (!std::is_sorted(hours.begin(), hours.end(),
                        [](const auto& a, const auto& b) { return a.start < b.start; })) {
      day_hours.assign(hours.begin(), hours.end());
      std::sort(day_hours.begin(), day_hours.end(),
                [](const auto& a, const auto& b) { return a.start < b.start; });
      hours = day_hours;
    }
    // to_utc never runs backwards, so intervals come out sorted by start.
    for (const auto& range : hours) {
      const auto start = std::max(zone.to_utc(local_seconds{day} + range.start), bounds.start);
      const auto end = std::min(zone.to_utc(local_seconds{day} + range.end), bounds.end);
      if (start >= end)
        continue;
      if (!working.empty() && start <= working.back().end) {
        working.back().end = std::max(working.back().end, end);
      } else {
        working.push_back({start, end});
      }
    }
  }
}

// Removes from own_starts every start on a local day that already has `daily_cap`
// interviews starting on it: every instant whose local clock reads that date, which is the
// day a booking counts towards too.
void SlotSearch::Scratch::close_capped_days(const InterviewerAvailability& person, Interval bounds,
                                            ZoneCache& zone) {
  if (!person.daily_cap)
    return;
  if (*person.daily_cap == 0) {
    own_starts.clear();
    return;
  }
  // A local day is at most a couple of days of UTC wide, even across a date line jump.
  const auto near = days{3};
  booked_days.clear();
  for (const auto& r : person.booked) {
    if (r.start() >= bounds.start - near && r.start() < bounds.end + near)
      booked_days.push_back(date::floor<days>(zone.to_local(r.start())));
  }
  if (!std::is_sorted(booked_days.begin(), booked_days.end()))
    std::sort(booked_days.begin(), booked_days.end());
  capped.clear();
  for (std::size_t i = 0; i < booked_days.size();) {
    std::size_t j = i;
    while (j < booked_days.size() && booked_days[j] == booked_days[i])
      ++j;
    if (j - i >= *person.daily_cap)
      zone.local_day(booked_days[i], capped);
    i = j;
  }
  if (capped.empty())
    return;
  // Days whose clocks cross each other interleave; as instants they stay disjoint.
  std::sort(capped.begin(), capped.end(), by_start);
  coalesce(capped);
  subtract(own_starts, capped, free);
  own_starts.swap(free);
}

Result<void> SlotSearch::Scratch::add_starts(const SlotQuery& query,
                                             const InterviewerAvailability& person,
                                             Interval bounds) {
  overrides.clear();
  for (const auto& o : person.overrides)
    overrides.push_back(&o);
  std::sort(overrides.begin(), overrides.end(),
            [](const DateOverride* a, const DateOverride* b) { return a->date < b->date; });
  const auto twice = std::adjacent_find(
      overrides.begin(), overrides.end(),
      [](const DateOverride* a, const DateOverride* b) { return a->date == b->date; });
  if (twice != overrides.end()) {
    return InvalidInput{fmt::format("interviewer {}: more than one override for {}", person.id,
                                    date::format("%F", (*twice)->date))};
  }

  ZoneCache zone(person.time_zone);
  working_hours(person, bounds, zone);
  busy_time(person, bounds);
  subtract(working, busy, free);
  // A slot may start anywhere from a free interval's start up to its end less the duration;
  // instants are whole seconds, so that closed range is [start, end - duration + 1 s).
  own_starts.clear();
  for (const auto& f : free) {
    if (f.end - f.start >= query.duration)
      own_starts.push_back({f.start, f.end - query.duration + seconds{1}});
  }
  close_capped_days(person, bounds, zone);
  starts_of.emplace_back(starts.size(), own_starts.size());
  starts.insert(starts.end(), own_starts.begin(), own_starts.end());
  return {};
}

// Appends a slot at every grid instant in `set`. Round-robin: the owner of each is the first
// interviewer in priority order whose own start set has it.
void SlotSearch::Scratch::emit(const SlotQuery& query, std::span<const Interval> set,
                               bool round_robin) {
  std::optional<ZoneCache> candidate;
  if (query.candidate_time_zone)
    candidate.emplace(*query.candidate_time_zone);
  const auto origin = query.window.start();
  const auto step = query.step;
  for (const auto& piece : set) {
    // Every set lies inside the window, so piece.start >= origin.
    const auto steps = (piece.start - origin + step - seconds{1}) / step;
    for (auto at = origin + steps * step; at < piece.end; at += step) {
      std::optional<std::size_t> owner;
      if (round_robin) {
        for (const auto k : priority) {
          const auto [offset, count] = starts_of[k];
          auto& c = cursor[k];
          while (c < count && starts[offset + c].end <= at)
            ++c;
          if (c < count && starts[offset + c].start <= at) {
            owner = k;
            break;
          }
        }
      }
      std::optional<LocalTimeRange> local;
      if (candidate) {
        local = LocalTimeRange{candidate->to_local(at), candidate->to_local(at + query.duration)};
      }
      slots.push_back(Slot{TimeRange::make(at, query.duration).value(), owner, local});
    }
  }
}

SlotSearch::SlotSearch() : scratch_(std::make_unique<Scratch>()) {}
SlotSearch::~SlotSearch() = default;
SlotSearch::SlotSearch(SlotSearch&&) noexcept = default;
SlotSearch& SlotSearch::operator=(SlotSearch&&) noexcept = default;

// Phases: check the query; build each interviewer's set of possible starts (working hours
// in their zone, minus busy time and capped days); combine the sets (intersection for a
// panel, union with an owner for round-robin); cut them into slots.
Result<std::span<const Slot>> SlotSearch::find(
    const SlotQuery& query, std::span<const InterviewerAvailability> interviewers) {
  if (auto ok = check_query(query, interviewers); !ok)
    return ok.error();
  auto& s = *scratch_;
  s.slots.clear();
  s.starts.clear();
  s.starts_of.clear();

  const auto now =
      query.now.value_or(date::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  const Interval bounds{std::max(query.window.start(), now + query.minimum_notice),
                        query.window.end()};
  const bool possible = bounds.end - bounds.start >= query.duration;
  for (const auto& person : interviewers) {
    // Still built when nothing fits, so that a bad override is reported all the same.
    if (auto ok = s.add_starts(query, person, possible ? bounds : Interval{bounds.end, bounds.end});
        !ok) {
      return ok.error();
    }
  }
  if (possible && query.mode == SlotMode::all)
    s.panel(query, interviewers.size());
  else if (possible)
    s.round_robin(query, interviewers);
  return std::span<const Slot>(s.slots);
}

// A panel needs everyone at once: the intersection of every interviewer's starts.
void SlotSearch::Scratch::panel(const SlotQuery& query, std::size_t count) {
  const auto own = [&](std::size_t k) {
    const auto [offset, size] = starts_of[k];
    return std::span<const Interval>(starts).subspan(offset, size);
  };
  merged.assign(own(0).begin(), own(0).end());
  for (std::size_t k = 1; k < count && !merged.empty(); ++k) {
    intersect(merged, own(k), spare);
    merged.swap(spare);
  }
  drop_candidate_busy(query);
  emit(query, merged, false);
}

// Round-robin needs anyone: the union of the starts, each slot owned by the least loaded
// interviewer free then (booked interviews overlapping the window), ties in the order the
// host listed them.
void SlotSearch::Scratch::round_robin(const SlotQuery& query,
                                      std::span<const InterviewerAvailability> interviewers) {
  load.assign(interviewers.size(), 0);
  for (std::size_t k = 0; k < interviewers.size(); ++k) {
    for (const auto& r : interviewers[k].booked) {
      if (r.overlaps(query.window))
        ++load[k];
    }
  }
  priority.resize(interviewers.size());
  std::iota(priority.begin(), priority.end(), std::size_t{0});
  std::sort(priority.begin(), priority.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(load[a], a) < std::pair(load[b], b);
  });
  cursor.assign(interviewers.size(), 0);
  merged.assign(starts.begin(), starts.end());
  std::sort(merged.begin(), merged.end(), by_start);
  coalesce(merged);
  drop_candidate_busy(query);
  emit(query, merged, true);
}

// The candidate takes part whoever interviews, so their own interviews remove starts from
// the combined set. BookingService refuses a slot closer than the buffer to one of them
// (half-open slots: touching is fine), so a slot [at, at + duration) is out when
// at - buffer < end and at + duration + buffer > start: starts in
// [start - buffer - duration + 1 s, end + buffer), in whole seconds.
void SlotSearch::Scratch::drop_candidate_busy(const SlotQuery& query) {
  if (query.candidate_booked.empty())
    return;
  const auto gap = query.candidate_buffer;
  candidate_blocked.clear();
  for (const auto& r : query.candidate_booked)
    candidate_blocked.push_back({r.start() - gap - query.duration + seconds{1}, r.end() + gap});
  std::sort(candidate_blocked.begin(), candidate_blocked.end(), by_start);
  coalesce(candidate_blocked);
  subtract(merged, candidate_blocked, spare);
  merged.swap(spare);
}

Result<std::vector<Slot>> find_slots(const SlotQuery& query,
                                     std::span<const InterviewerAvailability> interviewers) {
  SlotSearch search;
  auto slots = search.find(query, interviewers);
  if (!slots)
    return slots.error();
  return std::vector<Slot>(slots->begin(), slots->end());
}

}  // namespace interviewkit
