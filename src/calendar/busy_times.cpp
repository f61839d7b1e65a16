// read_busy_times: an interviewer's events as busy intervals.
//
// libical parses the text and steps through RRULEs; everything else is done here, because
// libical 3.0's own expansion (icalcomponent_foreach_recurrence) gets cases wrong that real
// calendars contain: all-day spans, an RDATE with its own TZID, local times that do not exist,
// floating times and overrides. So a rule is stepped in the event's local wall-clock time,
// with no zone attached, and each local start is turned into UTC here, by the tz database
// (TimeZone) for IANA zones and by libical only for a VTIMEZONE that names no IANA zone.
//
// Reading is per event: whatever is wrong with one (thrown as Unreadable inside this file)
// skips that event and is recorded; no exception leaves read_busy_times.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <libical/ical.h>

#include <interviewkit/calendar/busy_times.hpp>

namespace interviewkit {

namespace {

using std::chrono::seconds;

struct ComponentDeleter {
  void operator()(icalcomponent* c) const noexcept { icalcomponent_free(c); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

struct IteratorDeleter {
  void operator()(icalrecur_iterator* i) const noexcept { icalrecur_iterator_free(i); }
};
using IteratorPtr = std::unique_ptr<icalrecur_iterator, IteratorDeleter>;

// Why an event is skipped.
struct Unreadable {
  std::string reason;
};

// Time the rules of one object may take to expand in all (500 ordinary events take about
// 15 ms); past it, the events whose rules are still being stepped are skipped.
constexpr std::chrono::seconds max_reading_time{5};

// The longest event read: ten years. A longer one is a mistake or an attack (a DURATION of
// millions of weeks), not a meeting.
constexpr std::int64_t max_event_days = 3660;

// Far enough around the window that no occurrence overlapping it is missed, whatever the
// offsets between local and UTC time (at most about a day).
constexpr seconds local_margin = std::chrono::hours{48};

// The zone of a local time: IANA rules, or else the object's own VTIMEZONE.
struct Zone {
  std::optional<TimeZone> iana;
  icaltimezone* vtimezone = nullptr;  // owned by the parsed object
};

// RFC 5545 section 3.3.5: a local time in a gap has the offset in force before the gap; an
// ambiguous one is its first occurrence. TimeZone::to_utc resolves a gap to the first
// instant after it instead, which is how a gap is recognised.
date::sys_seconds iana_to_utc(const TimeZone& zone, date::local_seconds local) {
  const auto earliest = zone.to_utc(local);
  if (zone.to_local(earliest) == local)
    return earliest;
  const auto before = zone.period_at(earliest - seconds{1}).offset;
  return date::sys_seconds{local.time_since_epoch() - before};
}

// A time value as written: its wall-clock reading and the zone it is read in.
date::sys_seconds to_utc(const Zone& zone, date::local_seconds local);

struct Moment {
  date::local_seconds local;
  Zone zone;
  bool is_date = false;

  [[nodiscard]] date::sys_seconds utc() const { return to_utc(zone, local); }
};

date::local_seconds local_of(const icaltimetype& t) {
  const date::year_month_day ymd{date::year{t.year}, date::month{static_cast<unsigned>(t.month)},
                                 date::day{static_cast<unsigned>(t.day)}};
  if (!ymd.ok() || t.year < 1 || t.year > 9999 || t.hour < 0 || t.hour > 23 || t.minute < 0 ||
      t.minute > 59 || t.second < 0 || t.second > 60) {
    throw Unreadable{fmt::format("the time {:04}-{:02}-{:02}T{:02}:{:02}:{:02} does not exist",
                                 t.year, t.month, t.day, t.hour, t.minute, t.second)};
  }
  const auto day = date::local_days{ymd};
  if (t.is_date)
    return date::local_seconds{day};
  // A leap second (60) is read as the next minute's first, as most calendars do.
  return date::local_seconds{day} + std::chrono::hours{t.hour} + std::chrono::minutes{t.minute} +
         seconds{t.second};
}

icaltimetype ical_of(date::local_seconds local, bool is_date) {
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss tod{local - day};
  icaltimetype t = icaltime_null_time();
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  if (is_date) {
    t.is_date = 1;
  } else {
    t.hour = static_cast<int>(tod.hours().count());
    t.minute = static_cast<int>(tod.minutes().count());
    t.second = static_cast<int>(tod.seconds().count());
  }
  return t;
}

date::sys_seconds to_utc(const Zone& zone, date::local_seconds local) {
  if (zone.iana)
    return iana_to_utc(*zone.iana, local);
  return date::sys_seconds{
      seconds{icaltime_as_timet_with_zone(ical_of(local, false), zone.vtimezone)}};
}

// The values of one of a rule's BY lists (terminated by ICAL_RECURRENCE_ARRAY_MAX).
template <std::size_t N>
std::vector<int> by_list(const short (&list)[N]) {
  std::vector<int> out;
  for (const short v : list) {
    if (v == ICAL_RECURRENCE_ARRAY_MAX)
      break;
    out.push_back(v);
  }
  return out;
}

// A rule as it is safe to hand to libical's iterator, or Unreadable. libical steps a rule
// one FREQ unit at a time and filters, and its next() cannot be interrupted: a sub-hourly
// FREQ, or BYMONTH and BYMONTHDAY that name no real date, make it search for minutes. And
// libical 3.0 expands YEARLY with BYMONTHDAY but no BYMONTH in January only; RFC 5545 means
// every month, which an explicit BYMONTH of all twelve says to it.
icalrecurrencetype screened(icalrecurrencetype rule) {
  if (rule.freq == ICAL_NO_RECURRENCE)
    throw Unreadable{"unreadable RRULE"};
  if (rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE)
    throw Unreadable{"an RRULE repeating more often than hourly is not read"};
  const auto months = by_list(rule.by_month);
  const auto days = by_list(rule.by_month_day);
  // An hourly rule filtered by dates can name none (BYYEARDAY=366 with BYMONTH=1, a fifth
  // Monday of February on the 1st), and libical then spends seconds inside one next().
  const auto weekdays = by_list(rule.by_day);
  const bool positional = std::ranges::any_of(
      weekdays, [](int d) { return icalrecurrencetype_day_position(static_cast<short>(d)) != 0; });
  // RFC 5545 section 3.3.10: a numbered weekday ("5MO") only with MONTHLY or YEARLY;
  // libical accepts it with DAILY and searches half a second for a fifth Monday of February.
  if (positional && rule.freq != ICAL_MONTHLY_RECURRENCE && rule.freq != ICAL_YEARLY_RECURRENCE &&
      rule.freq != ICAL_HOURLY_RECURRENCE)
    throw Unreadable{"a numbered BYDAY weekday needs FREQ=MONTHLY or YEARLY"};
  if (rule.freq == ICAL_HOURLY_RECURRENCE &&
      (!months.empty() || !days.empty() || !by_list(rule.by_year_day).empty() ||
       !by_list(rule.by_week_no).empty() || positional))
    throw Unreadable{
        "an hourly RRULE filtered by month, day of the month or year, week "
        "number or numbered weekday is not read"};
  if (!months.empty() && !days.empty()) {
    constexpr int longest[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool some = std::ranges::any_of(months, [&](int m) {
      const int month = icalrecurrencetype_month_month(static_cast<short>(m));
      return month >= 1 && month <= 12 && std::ranges::any_of(days, [&](int d) {
               return d != 0 && std::abs(d) <= longest[month - 1];
             });
    });
    if (!some)
      throw Unreadable{"the RRULE's BYMONTH and BYMONTHDAY name no date that exists"};
  }
  if (rule.freq == ICAL_YEARLY_RECURRENCE && months.empty() && !days.empty() &&
      by_list(rule.by_year_day).empty() && by_list(rule.by_week_no).empty()) {
    for (short m = 1; m <= 12; ++m)
      rule.by_month[m - 1] = m;
    rule.by_month[12] = ICAL_RECURRENCE_ARRAY_MAX;
  }
  return rule;
}

// What one object shares with its events: where VTIMEZONEs are and the options.
class Reader {
 public:
  explicit Reader(const BusyTimeOptions& options)
      : options_(options), deadline_(std::chrono::steady_clock::now() + max_reading_time) {}

  // When the whole object's expansion must be done by: a text of many slow rules, each
  // within its own budget, must not hold a sync for long either.
  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const { return deadline_; }

  // The zone a TZID names, looked up in `calendar` (the event's VCALENDAR) when needed.
  Zone zone_named(std::string_view tzid, icalcomponent* calendar) const {
    if (auto iana = TimeZone::make(tzid))
      return {*iana, nullptr};
    if (calendar != nullptr) {
      if (auto* own = icalcomponent_get_timezone(calendar, std::string(tzid).c_str())) {
        // Without a STANDARD or DAYLIGHT block libical reads every time as UTC.
        icalcomponent* definition = icaltimezone_get_component(own);
        if (definition == nullptr ||
            (icalcomponent_get_first_component(definition, ICAL_XSTANDARD_COMPONENT) == nullptr &&
             icalcomponent_get_first_component(definition, ICAL_XDAYLIGHT_COMPONENT) == nullptr))
          throw Unreadable{fmt::format("VTIMEZONE '{}' has no STANDARD or DAYLIGHT part", tzid)};
        return {std::nullopt, own};
      }
    }
    for (auto slash = tzid.find('/'); slash != std::string_view::npos;
         slash = tzid.find('/', slash + 1)) {
      if (auto iana = TimeZone::make(tzid.substr(slash + 1)))
        return {*iana, nullptr};
    }
    throw Unreadable{fmt::format("unknown time zone '{}'", tzid)};
  }

  // The moment `value` of property `p` stands for.
  Moment moment(icalproperty* p, const icaltimetype& value, icalcomponent* calendar) const {
    Moment m{local_of(value), Zone{options_.calendar_zone, nullptr}, value.is_date != 0};
    if (m.is_date)
      return m;
    if (icaltime_is_utc(value)) {
      m.zone.iana = TimeZone::utc();
    } else if (auto* tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) {
      m.zone = zone_named(icalparameter_get_tzid(tzid), calendar);
    }
    return m;
  }

  [[nodiscard]] const BusyTimeOptions& options() const { return options_; }

 private:
  const BusyTimeOptions& options_;
  std::chrono::steady_clock::time_point deadline_;
};

std::string uid_of(icalcomponent* event) {
  const char* uid = icalcomponent_get_uid(event);
  return uid != nullptr ? uid : "";
}

// The first property of `kind`, or Unreadable if libical could not read one: it turns an
// unparsable property into X-LIC-ERROR, which would otherwise look like an absent one.
icalproperty* property(icalcomponent* event, icalproperty_kind kind, const char* name) {
  for (auto* e = icalcomponent_get_first_property(event, ICAL_XLICERROR_PROPERTY); e != nullptr;
       e = icalcomponent_get_next_property(event, ICAL_XLICERROR_PROPERTY)) {
    const char* text = icalproperty_get_xlicerror(e);
    if (text != nullptr && std::string_view(text).find(name) != std::string_view::npos)
      throw Unreadable{fmt::format("unreadable {}: {}", name, text)};
  }
  return icalcomponent_get_first_property(event, kind);
}

// How long each occurrence lasts: `days` of local calendar time, then `exact` seconds.
struct Length {
  date::days days{0};
  seconds exact{0};

  [[nodiscard]] bool empty() const { return days.count() == 0 && exact.count() == 0; }
  // More than any occurrence can last, for the margin before the window.
  [[nodiscard]] seconds upper_bound() const {
    return exact + days.count() * std::chrono::hours{25};
  }
};

// When an occurrence starting at `start` ends.
date::sys_seconds end_of(const Moment& start, const Length& length) {
  if (length.days.count() == 0)
    return start.utc() + length.exact;
  return to_utc(start.zone, start.local + length.days) + length.exact;
}

// One member of a recurrence set: its start and, for an RDATE period, its own end.
struct Occurrence {
  Moment start;
  std::optional<date::sys_seconds> end;
};

// A component (master or override) with what decides whether and how it blocks time.
class EventReader {
 public:
  EventReader(const Reader& reader, icalcomponent* event)
      : reader_(reader), event_(event), calendar_(icalcomponent_get_parent(event)) {}

  // Whether its occurrences block time at all.
  [[nodiscard]] bool blocks() const {
    switch (icalcomponent_get_status(event_)) {
      case ICAL_STATUS_CANCELLED:
        return false;
      case ICAL_STATUS_TENTATIVE:
        return reader_.options().tentative_is_busy;
      default:
        break;
    }
    auto* transp = icalcomponent_get_first_property(event_, ICAL_TRANSP_PROPERTY);
    return transp == nullptr || icalproperty_get_transp(transp) != ICAL_TRANSP_TRANSPARENT;
  }

  [[nodiscard]] std::optional<Moment> start() const {
    auto* p = property(event_, ICAL_DTSTART_PROPERTY, "DTSTART");
    if (p == nullptr)
      return std::nullopt;
    return reader_.moment(p, icalproperty_get_dtstart(p), calendar_);
  }

  [[nodiscard]] std::optional<Moment> recurrence_id() const {
    auto* p = property(event_, ICAL_RECURRENCEID_PROPERTY, "RECURRENCE-ID");
    if (p == nullptr)
      return std::nullopt;
    return reader_.moment(p, icalproperty_get_recurrenceid(p), calendar_);
  }

  // DTEND, else DURATION, else the default of RFC 5545 section 3.6.1; nullopt when the
  // component has neither and `fallback` should apply (an override without its own length).
  [[nodiscard]] std::optional<Length> length(const Moment& start) const {
    if (auto* p = property(event_, ICAL_DTEND_PROPERTY, "DTEND")) {
      const auto end = reader_.moment(p, icalproperty_get_dtend(p), calendar_);
      if (end.is_date != start.is_date)
        throw Unreadable{"DTEND and DTSTART are not both dates or both date-times"};
      Length l;
      if (start.is_date)
        l.days = date::floor<date::days>(end.local) - date::floor<date::days>(start.local);
      else
        l.exact = end.utc() - start.utc();
      if (l.days.count() < 0 || l.exact.count() < 0)
        throw Unreadable{"DTEND is before DTSTART"};
      if (l.days.count() + l.exact.count() / 86400 > max_event_days)
        throw Unreadable{fmt::format("the event is longer than {} days", max_event_days)};
      return l;
    }
    if (auto* p = property(event_, ICAL_DURATION_PROPERTY, "DURATION")) {
      const auto d = icalproperty_get_duration(p);
      if (d.is_neg != 0)
        throw Unreadable{"DURATION is negative"};
      // Summed wide: libical's fields are unsigned, and a hostile value would wrap.
      const std::int64_t days = std::int64_t{d.days} + std::int64_t{7} * d.weeks;
      const std::int64_t secs =
          std::int64_t{d.hours} * 3600 + std::int64_t{d.minutes} * 60 + d.seconds;
      if (days + secs / 86400 > max_event_days)
        throw Unreadable{fmt::format("DURATION is longer than {} days", max_event_days)};
      return Length{date::days{days}, seconds{secs}};
    }
    return std::nullopt;
  }

  // Every RDATE, each in its own zone.
  [[nodiscard]] std::vector<Occurrence> rdates() const {
    std::vector<Occurrence> out;
    for (auto* p = first(ICAL_RDATE_PROPERTY, "RDATE"); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_RDATE_PROPERTY)) {
      const auto value = icalproperty_get_rdate(p);
      if (!icalperiodtype_is_null_period(value.period)) {
        const auto start = reader_.moment(p, value.period.start, calendar_);
        date::sys_seconds end;
        if (!icaltime_is_null_time(value.period.end)) {
          end = reader_.moment(p, value.period.end, calendar_).utc();
        } else {
          const auto& d = value.period.duration;
          end = start.utc() + seconds{icaldurationtype_as_int(d)};
        }
        out.push_back({start, end});
      } else {
        out.push_back({reader_.moment(p, value.time, calendar_), std::nullopt});
      }
    }
    return out;
  }

  // The starts EXDATE removes, as UTC instants.
  [[nodiscard]] std::set<date::sys_seconds> exdates() const {
    std::set<date::sys_seconds> out;
    for (auto* p = first(ICAL_EXDATE_PROPERTY, "EXDATE"); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_EXDATE_PROPERTY))
      out.insert(reader_.moment(p, icalproperty_get_exdate(p), calendar_).utc());
    return out;
  }

  [[nodiscard]] std::vector<icalrecurrencetype> rules() const {
    std::vector<icalrecurrencetype> out;
    for (auto* p = first(ICAL_RRULE_PROPERTY, "RRULE"); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_RRULE_PROPERTY)) {
      out.push_back(screened(icalproperty_get_rrule(p)));
    }
    return out;
  }

  [[nodiscard]] const Reader& reader() const { return reader_; }

 private:
  icalproperty* first(icalproperty_kind kind, const char* name) const {
    return property(event_, kind, name);
  }

  const Reader& reader_;
  icalcomponent* event_;
  icalcomponent* calendar_;
};

date::local_seconds to_local(const Zone& zone, date::sys_seconds t) {
  if (zone.iana)
    return zone.iana->to_local(t);
  auto tt = ical_of(date::local_seconds{t.time_since_epoch()}, false);
  icaltimezone_convert_time(&tt, icaltimezone_get_utc_timezone(), zone.vtimezone);
  return local_of(tt);
}

// UNTIL in the frame the rule is stepped in: local wall-clock time, with no zone (a UTC
// UNTIL is converted). A date UNTIL on a timed event, which RFC 5545 does not allow, is its
// day's midnight, as libical and python-dateutil read it.
icaltimetype local_until(const icaltimetype& until, const Moment& dtstart) {
  auto local = local_of(until);
  if (icaltime_is_utc(until) && until.is_date == 0)
    local = to_local(dtstart.zone, date::sys_seconds{local.time_since_epoch()});
  if (dtstart.is_date)
    return ical_of(date::floor<date::days>(local), true);
  return ical_of(local, false);
}

// Time one rule may take to expand; past it the event is skipped.
constexpr std::chrono::milliseconds max_expansion_time{250};

// Where libical should start stepping `rule`: DTSTART, except where libical 3.0 misplaces
// the weeks. With FREQ=WEEKLY, an INTERVAL above one, BYDAY=SU alone and weeks starting on
// Monday, it counts weeks as starting on Sunday, so from a DTSTART on another day its first
// Sunday comes INTERVAL weeks late (from Wednesday 3 January 2024, every other Sunday is the
// 7th, not the 14th). Started on that first Sunday, it steps right; DTSTART itself is added
// by the caller as always.
date::local_seconds first_step(const icalrecurrencetype& rule, const Moment& dtstart) {
  const auto days = by_list(rule.by_day);
  const bool sunday_only =
      days.size() == 1 &&
      icalrecurrencetype_day_day_of_week(static_cast<short>(days[0])) == ICAL_SUNDAY_WEEKDAY &&
      icalrecurrencetype_day_position(static_cast<short>(days[0])) == 0;
  if (rule.freq != ICAL_WEEKLY_RECURRENCE || rule.interval <= 1 || !sunday_only ||
      rule.week_start == ICAL_SUNDAY_WEEKDAY || !by_list(rule.by_set_pos).empty())
    return dtstart.local;
  const auto day = date::floor<date::days>(dtstart.local);
  const date::weekday weekday{day};
  if (weekday == date::Sunday)
    return dtstart.local;
  return dtstart.local + (date::Sunday - weekday);
}

// The local starts of `rule` from `dtstart` that lie in [lo, hi); Unreadable when more than
// `limit` are stepped through before hi.
void expand_rule(icalrecurrencetype rule, const Moment& dtstart, date::local_seconds lo,
                 date::local_seconds hi, const Reader& reader, std::vector<Occurrence>& out) {
  const auto limit = reader.options().max_occurrences;
  if (!icaltime_is_null_time(rule.until))
    rule.until = local_until(rule.until, dtstart);
  IteratorPtr it(icalrecur_iterator_new(rule, ical_of(first_step(rule, dtstart), dtstart.is_date)));
  if (!it)
    throw Unreadable{"unreadable RRULE"};
  // Skipping ahead is only defined for rules without COUNT, which counts from DTSTART.
  if (rule.count == 0 && lo > dtstart.local)
    (void)icalrecur_iterator_set_start(it.get(), ical_of(lo, dtstart.is_date));
  std::size_t stepped = 0;
  const auto began = std::chrono::steady_clock::now();
  if (began > reader.deadline())
    throw Unreadable{"the calendar's rules took too long to expand; this one was not read"};
  for (auto t = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(t);
       t = icalrecur_iterator_next(it.get())) {
    const auto local = local_of(t);
    if (local >= hi)
      break;
    if (++stepped > limit)
      throw Unreadable{fmt::format("more than {} occurrences before the window ends", limit)};
    // libical may search long between the occurrences a filter lets through.
    const auto now = std::chrono::steady_clock::now();
    if (now - began > max_expansion_time)
      throw Unreadable{"expanding its RRULE took too long"};
    if (now > reader.deadline())
      throw Unreadable{"the calendar's rules took too long to expand; this one was not read"};
    if (local >= lo)
      out.push_back({Moment{local, dtstart.zone, dtstart.is_date}, std::nullopt});
  }
}

// Adds [start, end) to `out` if it blocks time in `window`.
void add_busy(date::sys_seconds start, date::sys_seconds end, const TimeRange& window,
              const std::string& uid, std::vector<BusyOccurrence>& out) {
  if (end <= start)
    return;
  auto range = TimeRange::make(start, end);
  if (range && range->overlaps(window))
    out.push_back({*range, uid});
}

date::local_seconds as_local(date::sys_seconds t) {
  return date::local_seconds{t.time_since_epoch()};
}

// A master component: its recurrence set less EXDATEs and the occurrences that overrides
// (`replaced`, by original start) stand in for.
void read_master(const EventReader& e, const std::set<date::sys_seconds>& replaced,
                 const TimeRange& window, const std::string& uid,
                 std::vector<BusyOccurrence>& out) {
  const auto start = e.start();
  if (!start)
    throw Unreadable{"no DTSTART"};
  const auto length =
      e.length(*start).value_or(start->is_date ? Length{date::days{1}, seconds{0}} : Length{});
  const auto rules = e.rules();
  auto occurrences = e.rdates();
  const auto excluded = e.exdates();
  if (!e.blocks())
    return;
  occurrences.push_back({*start, std::nullopt});
  const auto lo = as_local(window.start() - local_margin - length.upper_bound());
  const auto hi = as_local(window.end() + local_margin);
  for (const auto& rule : rules)
    expand_rule(rule, *start, lo, hi, e.reader(), occurrences);
  std::set<date::sys_seconds> seen;
  for (const auto& o : occurrences) {
    const auto begin = o.start.utc();
    if (!seen.insert(begin).second || excluded.contains(begin) || replaced.contains(begin))
      continue;
    add_busy(begin, o.end.value_or(end_of(o.start, length)), window, uid, out);
  }
}

// An override: one occurrence, with its own times and status; a length it does not give is
// its master's.
void read_override(const EventReader& e, const std::optional<Length>& master_length,
                   const TimeRange& window, const std::string& uid,
                   std::vector<BusyOccurrence>& out) {
  auto start = e.start();
  if (!start)
    start = e.recurrence_id();
  const auto length = e.length(*start).value_or(
      master_length.value_or(start->is_date ? Length{date::days{1}, seconds{0}} : Length{}));
  if (e.blocks())
    add_busy(start->utc(), end_of(*start, length), window, uid, out);
}

// The components of one UID: a master (or none) and its overrides. Each override is read
// on its own: one that cannot be read is reported in `bad_overrides` and its occurrence
// stays as the master gives it, so one broken exception never frees a whole series.
void read_event(const Reader& reader, const std::vector<icalcomponent*>& components,
                const TimeRange& window, const std::string& uid, std::vector<BusyOccurrence>& out,
                std::vector<std::string>& bad_overrides) {
  std::optional<EventReader> master;
  std::vector<icalcomponent*> override_components;
  for (auto* c : components) {
    if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr)
      override_components.push_back(c);
    else if (!master)
      master.emplace(reader, c);
    else
      throw Unreadable{"two events with this UID and no RECURRENCE-ID"};
  }
  std::optional<Length> master_length;
  if (master) {
    if (auto start = master->start())
      master_length = master->length(*start);
  }
  std::set<date::sys_seconds> replaced;
  std::vector<BusyOccurrence> moved;
  for (auto* c : override_components) {
    try {
      const EventReader e(reader, c);
      const auto id = e.recurrence_id();
      std::vector<BusyOccurrence> one;
      read_override(e, master_length, window, uid, one);
      replaced.insert(id->utc());
      moved.insert(moved.end(), one.begin(), one.end());
    } catch (const Unreadable& u) {
      bad_overrides.push_back("an override: " + u.reason);
    }
  }
  if (master)
    read_master(*master, replaced, window, uid, out);
  out.insert(out.end(), moved.begin(), moved.end());
}

// Whether `uid` is "interview-<digits>@<domain>".
bool is_own(std::string_view uid, std::string_view domain) {
  constexpr std::string_view prefix = "interview-";
  if (domain.empty() || !uid.starts_with(prefix))
    return false;
  const auto at = uid.find('@');
  if (at == std::string_view::npos || at == prefix.size())
    return false;
  const auto digits = uid.substr(prefix.size(), at - prefix.size());
  const auto rest = uid.substr(at + 1);
  return std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; }) &&
         std::ranges::equal(rest, domain, [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// The VEVENTs of a parsed object, grouped by UID in the order met (no UID: alone).
std::vector<std::pair<std::string, std::vector<icalcomponent*>>> events_by_uid(
    icalcomponent* root) {
  std::vector<icalcomponent*> events;
  auto collect = [&](icalcomponent* calendar) {
    for (auto* e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); e != nullptr;
         e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
      events.push_back(e);
  };
  const auto kind = icalcomponent_isa(root);
  if (kind == ICAL_VEVENT_COMPONENT) {
    events.push_back(root);
  } else if (kind == ICAL_VCALENDAR_COMPONENT) {
    collect(root);
  } else if (kind == ICAL_XROOT_COMPONENT) {
    for (auto* c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT); c != nullptr;
         c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
      collect(c);
  }
  std::vector<std::pair<std::string, std::vector<icalcomponent*>>> out;
  std::unordered_map<std::string, std::size_t> group_of;
  for (auto* e : events) {
    auto uid = uid_of(e);
    const auto [it, added] = group_of.try_emplace(uid, out.size());
    if (uid.empty() || added)
      out.push_back({std::move(uid), {e}});
    else
      out[it->second].second.push_back(e);
  }
  return out;
}

ComponentPtr parse(std::string_view ics) {
  if (ics.find('\0') != std::string_view::npos)
    throw Unreadable{"the text contains a NUL byte"};
  ComponentPtr root(icalparser_parse_string(std::string(ics).c_str()));
  if (!root || (icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT &&
                icalcomponent_isa(root.get()) != ICAL_XROOT_COMPONENT &&
                icalcomponent_isa(root.get()) != ICAL_VEVENT_COMPONENT)) {
    throw Unreadable{"not an iCalendar object"};
  }
  return root;
}

}  // namespace

BusyTimes read_busy_times(std::string_view ics, std::string_view source, const TimeRange& window,
                          const BusyTimeOptions& options) {
  BusyTimes out;
  const Reader reader(options);
  auto skip = [&](std::string uid, std::string reason) {
    out.skipped.push_back({std::string(source), std::move(uid), std::move(reason)});
  };
  ComponentPtr root;
  try {
    root = parse(ics);
  } catch (const Unreadable& u) {
    skip("", u.reason);
    return out;
  }
  for (const auto& [uid, components] : events_by_uid(root.get())) {
    if (is_own(uid, options.own_uid_domain)) {
      ++out.own;
      continue;
    }
    std::vector<BusyOccurrence> busy;
    std::vector<std::string> bad_overrides;
    try {
      read_event(reader, components, window, uid, busy, bad_overrides);
      for (auto& reason : bad_overrides)
        skip(uid, std::move(reason));
    } catch (const Unreadable& u) {
      skip(uid, u.reason);
      continue;
    } catch (const std::exception& e) {  // allocation failure, or date/tz refusing a time
      skip(uid, e.what());
      continue;
    }
    out.busy.insert(out.busy.end(), busy.begin(), busy.end());
  }
  auto key = [](const BusyOccurrence& b) {
    return std::tuple(b.range.start(), b.range.end(), std::string_view(b.uid));
  };
  std::ranges::sort(out.busy, {}, key);
  return out;
}

}  // namespace interviewkit
