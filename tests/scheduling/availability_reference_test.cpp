// The fast search against a brute-force reference on thousands of random schedules.
//
// The reference shares nothing with the search but TimeZone: it expands each local date's
// hours with TimeZone::to_utc, marks every minute that is working, booked or busy, and then
// checks each grid start minute by minute against the documented rules. Random schedules are
// seeded and lean on DST changes, odd offsets, a skipped day, overrides, buffers and caps.
#include <algorithm>
#include <random>

#include "scheduling/availability_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

using date::local_days;
using date::sys_seconds;
using std::chrono::minutes;

// A minute-resolution picture of [origin, origin + size minutes).
struct Minutes {
  sys_seconds origin;
  std::vector<char> marked;

  [[nodiscard]] std::ptrdiff_t index(sys_seconds t) const {
    return std::chrono::duration_cast<minutes>(t - origin).count();
  }
  void mark(sys_seconds from, sys_seconds to) {
    const auto first = std::max<std::ptrdiff_t>(index(from), 0);
    const auto last = std::min<std::ptrdiff_t>(index(to), std::ssize(marked));
    for (auto i = first; i < last; ++i)
      marked[static_cast<std::size_t>(i)] = 1;
  }
  // Whether every minute of [from, to) is marked (`want` true) or unmarked (false).
  [[nodiscard]] bool all(sys_seconds from, sys_seconds to, bool want) const {
    for (auto t = from; t < to; t += minutes{1}) {
      const auto i = index(t);
      const bool is = i >= 0 && i < std::ssize(marked) && marked[static_cast<std::size_t>(i)];
      if (is != want)
        return false;
    }
    return true;
  }
};

std::vector<Slot> reference(const SlotQuery& q,
                            const std::vector<InterviewerAvailability>& people) {
  // Far enough around the window for every buffer the generator makes.
  const auto origin = q.window.start() - 24h;
  const auto extent = std::chrono::duration_cast<minutes>(q.window.duration() + 48h);
  const auto size = static_cast<std::size_t>(extent.count());
  struct Picture {
    Minutes working, booked, busy;
    std::size_t load = 0;
  };
  std::vector<Picture> pictures;
  for (const auto& p : people) {
    Picture pic{{origin, std::vector<char>(size)},
                {origin, std::vector<char>(size)},
                {origin, std::vector<char>(size)}};
    const auto& tz = p.time_zone;
    const auto first = date::floor<date::days>(tz.to_local(origin)) - date::days{2};
    const auto last = date::floor<date::days>(tz.to_local(origin + extent)) + date::days{2};
    for (auto day = first; day <= last; day += date::days{1}) {
      std::vector<WorkingHours> hours = p.weekly[date::weekday{day}];
      for (const auto& o : p.overrides) {
        if (o.date == day)
          hours = o.hours;
      }
      for (const auto& h : hours) {
        pic.working.mark(tz.to_utc(date::local_seconds{day} + h.start),
                         tz.to_utc(date::local_seconds{day} + h.end));
      }
    }
    for (const auto& r : p.booked) {
      pic.booked.mark(r.start(), r.end());
      if (r.overlaps(q.window))
        ++pic.load;
    }
    for (const auto& r : p.busy)
      pic.busy.mark(r.start(), r.end());
    pictures.push_back(std::move(pic));
  }

  const auto free_for = [&](std::size_t k, sys_seconds start) {
    const auto& p = people[k];
    const auto& pic = pictures[k];
    const auto end = start + q.duration;
    const auto widest = std::max(p.buffer_before, p.buffer_after);
    if (!pic.working.all(start, end, true))
      return false;
    if (!pic.booked.all(start - widest, end + widest, false))
      return false;
    if (!pic.busy.all(start - p.buffer_before, end + p.buffer_after, false))
      return false;
    if (p.daily_cap) {
      const auto day = date::floor<date::days>(p.time_zone.to_local(start));
      std::size_t that_day = 0;
      for (const auto& r : p.booked) {
        if (date::floor<date::days>(p.time_zone.to_local(r.start())) == day)
          ++that_day;
      }
      if (that_day >= *p.daily_cap)
        return false;
    }
    return true;
  };

  std::vector<Slot> out;
  for (auto start = q.window.start(); start + q.duration <= q.window.end(); start += q.step) {
    if (start < q.now.value() + q.minimum_notice)
      continue;
    std::optional<std::size_t> owner;
    bool ok = true;
    if (q.mode == SlotMode::all) {
      for (std::size_t k = 0; k < people.size() && ok; ++k)
        ok = free_for(k, start);
    } else {
      for (std::size_t k = 0; k < people.size(); ++k) {
        if (free_for(k, start) && (!owner || pictures[k].load < pictures[*owner].load)) {
          owner = k;
        }
      }
      ok = owner.has_value();
    }
    if (!ok)
      continue;
    std::optional<LocalTimeRange> local;
    if (q.candidate_time_zone) {
      local = LocalTimeRange{q.candidate_time_zone->to_local(start),
                             q.candidate_time_zone->to_local(start + q.duration)};
    }
    out.push_back(Slot{between(start, start + q.duration), owner, local});
  }
  return out;
}

// Random schedules. Everything is on whole minutes, which the reference relies on.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(1, 100) <= percent; }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[static_cast<std::size_t>(uniform(0, static_cast<int>(from.size()) - 1))];
  }

  std::vector<WorkingHours> hours(int max_ranges) {
    std::vector<WorkingHours> out;
    for (int n = uniform(chance(85) ? 1 : 0, max_ranges); n > 0; --n) {
      if (chance(60)) {
        // A working day on quarter hours.
        const int a = uniform(6 * 4, 12 * 4) * 15;
        out.push_back({minutes{a}, minutes{std::min(a + uniform(4 * 4, 12 * 4) * 15, 24 * 60)}});
        continue;
      }
      // Any minute: around midnight, or in the small hours where DST changes happen.
      const int a = uniform(0, 24 * 60 - 1);
      out.push_back({minutes{a}, minutes{std::min(a + uniform(1, 10 * 60), 24 * 60)}});
    }
    return out;
  }

  std::vector<TimeRange> intervals(sys_seconds around, int max_count) {
    std::vector<TimeRange> out;
    for (int n = uniform(0, max_count); n > 0; --n) {
      const auto start = around + minutes{uniform(-24 * 60 / 5, 72 * 60 / 5) * 5};
      out.push_back(between(start, start + minutes{uniform(1, 36) * 5}));
    }
    return out;
  }

  std::pair<SlotQuery, std::vector<InterviewerAvailability>> schedule() {
    static const std::vector<std::string> zones{
        "America/New_York", "Europe/London",  "Australia/Lord_Howe", "Asia/Kathmandu",
        "Pacific/Apia",     "Europe/Moscow",  "Asia/Pyongyang",      "Europe/Berlin",
        "Etc/UTC",          "Pacific/Chatham"};
    // Days with something to say: DST changes in both directions, rule changes, the skip.
    static const std::vector<date::year_month_day> days{
        date::year{2024} / 3 / 9,   date::year{2024} / 11 / 2,  date::year{2024} / 3 / 30,
        date::year{2024} / 10 / 26, date::year{2024} / 4 / 6,   date::year{2024} / 10 / 5,
        date::year{2011} / 12 / 29, date::year{2014} / 10 / 25, date::year{2015} / 8 / 14,
        date::year{2024} / 6 / 12,  date::year{2024} / 9 / 28};
    const auto start = date::sys_days{pick(days)} + minutes{uniform(-12 * 4, 12 * 4) * 15};
    const auto window = between(start, start + minutes{uniform(6, 48) * 60});

    std::vector<InterviewerAvailability> people;
    for (int n = uniform(1, 3); n > 0; --n) {
      // Panels across random zones rarely meet: half the time, share the first one's zone.
      const auto where = people.empty() || chance(50) ? zone(pick(zones)) : people[0].time_zone;
      InterviewerAvailability p{.id = InterviewerId::make(fmt::format("i-{}", n)).value(),
                                .time_zone = where};
      for (auto& day : p.weekly.by_weekday)
        day = hours(chance(20) ? 3 : 1);
      const auto local_start = date::floor<date::days>(p.time_zone.to_local(start));
      for (int d = -1; d <= 2; ++d) {
        if (chance(20))
          p.overrides.push_back({local_start + date::days{d}, hours(2)});
      }
      p.booked = intervals(start, 5);
      p.busy = intervals(start, 5);
      if (chance(40)) {
        p.buffer_before = minutes{uniform(0, 6) * 5};
        p.buffer_after = minutes{uniform(0, 6) * 5};
      }
      if (chance(30))
        p.daily_cap = static_cast<std::uint32_t>(chance(10) ? 0 : uniform(1, 3));
      people.push_back(std::move(p));
    }

    static const std::vector<int> steps{5, 10, 15, 15, 20, 30, 30, 45, 60};
    SlotQuery q{.mode = chance(50) ? SlotMode::all : SlotMode::any,
                .window = window,
                .duration = minutes{uniform(1, 18) * 5},
                .step = minutes{pick(steps)},
                .now = start + minutes{uniform(-60, 240)}};
    if (chance(30))
      q.minimum_notice = minutes{uniform(0, 16) * 15};
    if (chance(30))
      q.candidate_time_zone = zone(pick(zones));
    return {q, people};
  }

 private:
  std::mt19937_64 rng_;
};

std::string describe(const SlotQuery& q, const std::vector<InterviewerAvailability>& people) {
  std::string out = fmt::format("mode {} window {} duration {} s step {} s now {} notice {} s\n",
                                q.mode, q.window, q.duration.count(), q.step.count(),
                                format_utc(q.now.value()), q.minimum_notice.count());
  for (const auto& p : people) {
    out += fmt::format("  {} in {}: buffers {}/{} s cap {}\n", p.id, p.time_zone,
                       p.buffer_before.count(), p.buffer_after.count(),
                       p.daily_cap ? fmt::format("{}", *p.daily_cap) : "none");
    for (unsigned d = 0; d < 7; ++d) {
      for (const auto& h : p.weekly.by_weekday.at(d))
        out += fmt::format("    weekday {} {}-{} min\n", d, h.start.count(), h.end.count());
    }
    for (const auto& o : p.overrides) {
      out += fmt::format("    override {}:", date::format("%F", o.date));
      for (const auto& h : o.hours)
        out += fmt::format(" {}-{} min", h.start.count(), h.end.count());
      out += '\n';
    }
    for (const auto& r : p.booked)
      out += fmt::format("    booked {}\n", r);
    for (const auto& r : p.busy)
      out += fmt::format("    busy {}\n", r);
  }
  return out;
}

std::string listing(const std::vector<Slot>& slots) {
  std::string out;
  for (const auto& s : slots) {
    out += fmt::format(
        "  {} by {}{}\n", s.range, s.interviewer ? fmt::format("{}", *s.interviewer) : "all",
        s.candidate_local ? " local " + date::format("%F %R", s.candidate_local->start) : "");
  }
  return out;
}

}  // namespace

TEST_CASE("the fast search agrees with a minute-by-minute reference on random schedules",
          "[availability][dst]") {
  constexpr int schedules = 2000;
  SlotSearch reused;  // one search for all, so stale scratch state would show
  std::size_t slots_seen = 0;
  std::size_t empty = 0;
  for (int seed = 1; seed <= schedules; ++seed) {
    Generator gen(static_cast<std::uint64_t>(seed));
    const auto [q, people] = gen.schedule();
    const auto fast = reused.find(q, people);
    REQUIRE(fast);
    const std::vector<Slot> got(fast->begin(), fast->end());
    const auto want = reference(q, people);
    if (got != want) {
      FAIL_CHECK(fmt::format("seed {}:\n{}fast:\n{}reference:\n{}", seed, describe(q, people),
                             listing(got), listing(want)));
    }
    slots_seen += want.size();
    empty += want.empty() ? 1 : 0;
  }
  // The schedules must exercise something: plenty of slots, and plenty of empty answers.
  CHECK(slots_seen > 10 * schedules);
  CHECK(empty > schedules / 20);
  CHECK(empty < schedules * 2 / 5);
}

namespace {

// One interviewer in `zone_name`, capped at one interview a day, working `hours` on each of
// two consecutive weekdays, with one booked 15-minute interview at `booked`.
InterviewerAvailability capped(std::string_view zone_name, date::weekday first,
                               std::vector<WorkingHours> first_hours,
                               std::vector<WorkingHours> second_hours, sys_seconds booked) {
  auto person = working("cat", zone_name, {});
  person.weekly = {};
  person.weekly[first] = std::move(first_hours);
  person.weekly[first + date::days{1}] = std::move(second_hours);
  person.booked = {between(booked, booked + 15min)};
  person.daily_cap = 1;
  return person;
}

// The search's 15-minute slots, checked against the reference before they are returned.
std::vector<std::string> capped_starts(sys_seconds from, sys_seconds to,
                                       const InterviewerAvailability& person) {
  const auto q = query(between(from, to), 15min, 15min);
  const std::vector people{person};
  const auto got = search(q, people);
  CHECK(got == reference(q, people));
  return starts(got);
}

}  // namespace

TEST_CASE("a daily cap closes the instants whose local clock shows that day, across midnight",
          "[availability][dst][timezone]") {
  using date::year;
  SECTION("America/Goose_Bay fell back from 00:01 ADT to 23:01 AST on 2010-11-07") {
    // Saturday 6 is 03:00Z (day before) to 03:00Z in ADT, then again 03:01Z-04:00Z in AST;
    // Sunday 7 is 03:00Z-03:01Z in ADT, then from 04:00Z in AST. Hours Saturday 22:00-24:00
    // (01:00Z-03:00Z) and Sunday 00:00-02:00 (03:00Z-06:00Z).
    const auto from = utc(year{2010} / 11 / 7);
    const auto to = utc(year{2010} / 11 / 7, 7h);
    const std::vector<WorkingHours> late{{22h, 24h}};
    const std::vector<WorkingHours> early{{0h, 2h}};
    // Booked Saturday 22:00 ADT: Saturday's repeated 23:xx AST is closed too.
    const auto saturday_full = capped("America/Goose_Bay", date::Saturday, late, early, from + 1h);
    CHECK(capped_starts(from, to, saturday_full) ==
          std::vector<std::string>{"2010-11-07 03:00", "2010-11-07 04:00", "2010-11-07 04:15",
                                   "2010-11-07 04:30", "2010-11-07 04:45", "2010-11-07 05:00",
                                   "2010-11-07 05:15", "2010-11-07 05:30", "2010-11-07 05:45"});
    // Booked Sunday 01:00 AST: Saturday's repeated 23:xx AST stays open.
    const auto sunday_full = capped("America/Goose_Bay", date::Saturday, late, early, from + 5h);
    CHECK(capped_starts(from, to, sunday_full) ==
          std::vector<std::string>{"2010-11-07 01:00", "2010-11-07 01:15", "2010-11-07 01:30",
                                   "2010-11-07 01:45", "2010-11-07 02:00", "2010-11-07 02:15",
                                   "2010-11-07 02:30", "2010-11-07 02:45", "2010-11-07 03:15",
                                   "2010-11-07 03:30", "2010-11-07 03:45"});
  }
  SECTION("Antarctica/Casey went from +11 at 02:00 back to +08 at 23:00 on 2010-03-05") {
    // Thursday 4 is 13:00Z (day before) to 13:00Z at +11, then again 15:00Z-16:00Z at +08;
    // Friday 5 is 13:00Z-15:00Z at +11, then from 16:00Z at +08. Hours Thursday 20:00-24:00
    // (09:00Z-13:00Z) and Friday 00:00-04:00 (13:00Z-20:00Z).
    const auto from = utc(year{2010} / 3 / 4, 8h);
    const auto to = utc(year{2010} / 3 / 4, 21h);
    const std::vector<WorkingHours> late{{20h, 24h}};
    const std::vector<WorkingHours> early{{0h, 4h}};
    // Booked Thursday 20:00 +11 (09:00Z): Thursday's repeated 23:xx at +08 is closed too.
    const auto thursday_full = capped("Antarctica/Casey", date::Thursday, late, early, from + 1h);
    std::vector<std::string> want;
    for (const auto* t : {"13:00", "13:15", "13:30", "13:45", "14:00", "14:15", "14:30", "14:45",
                          "16:00", "16:15", "16:30", "16:45", "17:00", "17:15", "17:30", "17:45",
                          "18:00", "18:15", "18:30", "18:45", "19:00", "19:15", "19:30", "19:45"})
      want.push_back(fmt::format("2010-03-04 {}", t));
    CHECK(capped_starts(from, to, thursday_full) == want);
    // Booked Friday 03:00 +08 (19:00Z): Thursday's repeated 23:xx at +08 stays open.
    const auto friday_full = capped("Antarctica/Casey", date::Thursday, late, early, from + 11h);
    want.clear();
    for (const auto* t :
         {"09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00", "11:15",
          "11:30", "11:45", "12:00", "12:15", "12:30", "12:45", "15:00", "15:15", "15:30", "15:45"})
      want.push_back(fmt::format("2010-03-04 {}", t));
    CHECK(capped_starts(from, to, friday_full) == want);
  }
}
