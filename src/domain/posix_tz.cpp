// POSIX TZ strings: a bounds-checked recursive-descent parser that reports errors as values,
// the evaluation of a rule around an instant, and the TZif footer reader.
//
// The grammar is POSIX.1-2017 XBD section 8.3 (the TZ variable) with the two extensions
// RFC 8536 section 3.3.1 allows in TZif footers: rule times from -167 to 167 hours, and
// daylight saving time all year (a rule whose switches meet). The text comes from files on disk
// or from the host, so every read is bounded and every error is a value: no input throws.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <interviewkit/domain/posix_tz.hpp>

#include "text.hpp"

namespace interviewkit {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// One pass over the text. Every read checks the bounds; a failure records the first reason
// and position and makes every later read fail too, so the grammar code stays linear.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] bool failed() const { return !problem_.empty(); }
  [[nodiscard]] char peek() const { return done() || failed() ? '\0' : text_[pos_]; }
  bool accept(char c) {
    if (peek() != c || c == '\0')
      return false;
    ++pos_;
    return true;
  }
  void expect(char c, std::string_view what) {
    if (!accept(c))
      fail(what);
  }
  void fail(std::string_view reason) {
    if (problem_.empty())
      problem_ = fmt::format("{} at position {}", reason, pos_);
  }
  // An unsigned decimal of at most `max_digits` digits, or -1 (and a failure). A longer run
  // of digits is an error rather than split in two: "J0365" is not "J036" followed by "5".
  int number(int max_digits, std::string_view what) {
    int value = 0;
    int digits = 0;
    while (digits < max_digits && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (text_[pos_++] - '0');
      ++digits;
    }
    if (digits == 0 || (peek() >= '0' && peek() <= '9')) {
      fail(what);
      return -1;
    }
    return value;
  }
  std::string_view take_while(bool (*pred)(char)) {
    const auto from = pos_;
    while (!failed() && !done() && pred(text_[pos_]))
      ++pos_;
    return text_.substr(from, pos_ - from);
  }
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string problem_;
};

bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_quoted_char(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-';
}

// A zone abbreviation: three or more letters, or "<...>" with letters, digits, + and -.
std::string abbreviation(Cursor& in) {
  const bool quoted = in.accept('<');
  const auto name = in.take_while(quoted ? is_quoted_char : is_alpha);
  if (name.size() < 3)
    in.fail("expected a zone abbreviation of at least three characters");
  if (quoted)
    in.expect('>', "expected '>' closing a quoted abbreviation");
  return std::string(name);
}

// [+-]hh[:mm[:ss]] with hh at most `max_hours`: 24 for offsets (POSIX), 167 for rule times
// (RFC 8536's extension, so a rule can name "the day after" or a week later). A field that
// fails still returns some value; the Cursor's failure is what the caller checks.
seconds clock_time(Cursor& in, int max_hours, std::string_view what) {
  int sign = 1;
  if (in.accept('-')) {
    sign = -1;
  } else {
    in.accept('+');
  }
  const int h = in.number(3, what);
  if (h > max_hours)
    in.fail(fmt::format("{} has more than {} hours", what, max_hours));
  seconds total = hours{std::max(h, 0)};
  for (int part = 0; part < 2 && in.accept(':'); ++part) {
    const int v = in.number(2, what);
    if (v > 59)
      in.fail(fmt::format("{} has a minutes or seconds field above 59", what));
    total += part == 0 ? seconds{minutes{std::max(v, 0)}} : seconds{std::max(v, 0)};
  }
  return sign * total;
}

// Jn, n or Mm.w.d, then an optional /time (default 02:00:00, set by PosixTzDate). Jn counts
// 1..365 ignoring February 29; n counts 0..365 including it; Mm.w.d is weekday d (0 is
// Sunday) of week w (5 means the last) of month m.
PosixTzDate rule_date(Cursor& in) {
  PosixTzDate d;
  if (in.accept('J')) {
    d.kind = PosixTzDate::Kind::julian;
    d.day = in.number(3, "expected a day number after 'J'");
    if (d.day < 1 || d.day > 365)
      in.fail("Julian day must be 1..365");
  } else if (in.accept('M')) {
    d.kind = PosixTzDate::Kind::month_week_day;
    d.month = in.number(2, "expected a month after 'M'");
    in.expect('.', "expected '.' after the month");
    d.week = in.number(1, "expected a week after the month");
    in.expect('.', "expected '.' after the week");
    d.weekday = in.number(1, "expected a weekday after the week");
    if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.weekday < 0 || d.weekday > 6) {
      in.fail("Mm.w.d needs month 1..12, week 1..5, weekday 0..6");
    }
  } else {
    d.kind = PosixTzDate::Kind::zero_based;
    d.day = in.number(3, "expected a rule date (Jn, n or Mm.w.d)");
    if (d.day > 365)
      in.fail("day number must be 0..365");
  }
  if (in.accept('/'))
    d.time = clock_time(in, 167, "rule time");
  return d;
}

// std offset [dst [offset] ,start[/time],end[/time]]. POSIX leaves a missing rule after
// the dst name to the implementation; it is refused rather than guessed, since zic always
// writes the rule into a footer whose zone has daylight saving time.
PosixTzRule parse_rule(Cursor& in) {
  PosixTzRule rule;
  rule.std_abbrev = abbreviation(in);
  // POSIX offsets count hours west of Greenwich; ZonePeriod wants local minus UTC.
  rule.std_offset = -clock_time(in, 24, "standard time offset");
  if (in.done() || in.failed())
    return rule;
  PosixTzDst dst;
  dst.abbrev = abbreviation(in);
  dst.offset = rule.std_offset + hours{1};  // POSIX: one hour ahead unless given
  if (!in.done() && in.peek() != ',')
    dst.offset = -clock_time(in, 24, "daylight saving time offset");
  if (!in.accept(',')) {
    in.fail("daylight saving time needs a rule (,start[/time],end[/time])");
    return rule;
  }
  dst.start = rule_date(in);
  in.expect(',', "expected ',' before the end of daylight saving time");
  dst.end = rule_date(in);
  if (!in.done())
    in.fail("unexpected text after the rule");
  rule.dst = std::move(dst);
  return rule;
}

// The local day a rule date names in year y. Fields are clamped to their ranges, so a rule
// built by hand rather than parsed still yields some day rather than garbage.
date::local_days day_in(const PosixTzDate& d, date::year y) {
  using namespace date;
  const local_days jan1{y / January / 1};
  switch (d.kind) {
    case PosixTzDate::Kind::julian: {
      const int n = std::clamp(d.day, 1, 365);
      // Jn never counts February 29: from March on, a leap year is a day further along.
      return jan1 + days{n - 1 + (y.is_leap() && n >= 60 ? 1 : 0)};
    }
    case PosixTzDate::Kind::zero_based:
      return jan1 + days{std::clamp(d.day, 0, 365)};
    case PosixTzDate::Kind::month_week_day:
      break;
  }
  const month m{static_cast<unsigned>(std::clamp(d.month, 1, 12))};
  const weekday wd{static_cast<unsigned>(std::clamp(d.weekday, 0, 6))};
  if (d.week >= 5)
    return local_days{y / m / wd[last]};
  return local_days{y / m / wd[static_cast<unsigned>(std::max(d.week, 1))]};
}

// One switch of a rule: when, whether daylight saving time starts or ends, and its place in
// the rule's own sequence (which breaks ties between switches at the same instant).
struct Switch {
  date::sys_seconds at;
  int order = 0;
  bool to_dst = false;
};

// The switches of years y-2..y+2. Rule times reach a week into the neighbouring years, so
// two years either side always include the switch before and after any instant of year y.
std::vector<Switch> switches_around(const PosixTzRule& rule, const PosixTzDst& dst, int y) {
  std::vector<Switch> out;
  // date::year holds a short: check the range before constructing one.
  const int lowest = static_cast<int>(date::year::min());
  const int highest = static_cast<int>(date::year::max());
  for (int k = std::max(y - 2, lowest); k <= std::min(y + 2, highest); ++k) {
    const date::year year{k};
    // The start is in standard time, the end in daylight saving time.
    const auto start = day_in(dst.start, year) + dst.start.time - rule.std_offset;
    const auto end = day_in(dst.end, year) + dst.end.time - dst.offset;
    const date::sys_seconds s{start.time_since_epoch()};
    const date::sys_seconds e{end.time_since_epoch()};
    // The rule's own sequence: within a year whichever switch comes first in it, so a
    // southern-hemisphere rule (daylight saving time across New Year) ends before it starts.
    const int base = (k - y + 2) * 2;
    out.push_back({s, base + (s <= e ? 0 : 1), true});
    out.push_back({e, base + (s <= e ? 1 : 0), false});
  }
  std::sort(out.begin(), out.end(), [](const Switch& a, const Switch& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });
  // Of several switches at one instant only the last in the rule's sequence counts.
  std::vector<Switch> last;
  for (const auto& s : out) {
    if (!last.empty() && last.back().at == s.at) {
      last.back() = s;
    } else {
      last.push_back(s);
    }
  }
  return last;
}

}  // namespace

ZonePeriod PosixTzRule::period_at(date::sys_seconds t) const {
  const auto make = [&](date::sys_seconds begin, date::sys_seconds end, bool is_dst) {
    return is_dst ? ZonePeriod{begin, end, dst->offset, true, dst->abbrev}
                  : ZonePeriod{begin, end, std_offset, false, std_abbrev};
  };
  if (!dst)
    return make(zone_time_min, zone_time_max, false);
  // Beyond the years date::year can name there is no calendar to apply the rule to.
  if (t < zone_time_min)
    return make(date::sys_seconds::min(), zone_time_min, false);
  if (t >= zone_time_max)
    return make(zone_time_max, date::sys_seconds::max(), false);
  const int y = static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year());
  const auto all = switches_around(*this, *dst, y);
  // The last switch at or before t sets the state; the period runs from the first switch
  // of that run of equal states to the next switch that changes it. Runs cut short by the
  // edge of the five years merely split a period where nothing changes.
  const auto after = std::upper_bound(
      all.begin(), all.end(), t, [](date::sys_seconds x, const Switch& s) { return x < s.at; });
  // t precedes every switch listed: the state is the opposite of what the first switch
  // turns on, and it has held since the earliest instant we model.
  if (after == all.begin()) {
    const bool state = !all.empty() && !all.front().to_dst;
    return make(zone_time_min, all.empty() ? zone_time_max : all.front().at, state);
  }
  const bool state = std::prev(after)->to_dst;
  auto first = std::prev(after);
  while (first != all.begin() && std::prev(first)->to_dst == state)
    --first;
  auto next = after;
  while (next != all.end() && next->to_dst == state)
    ++next;
  // No change within the five years: end at the last switch after t (a harmless split) or,
  // with none after t, run to the end of time we model.
  const auto end = next != all.end() ? next->at : all.back().at > t ? all.back().at : zone_time_max;
  return make(first->at, end, state);
}

// An empty string is "no rule" rather than an error: RFC 8536 3.3 allows an empty footer,
// meaning local time after the last transition is unspecified.
Result<std::optional<PosixTzRule>> parse_posix_tz(std::string_view text) {
  if (text.empty())
    return std::optional<PosixTzRule>{};
  Cursor in(text);
  auto rule = parse_rule(in);
  if (!in.failed() && !in.done())
    in.fail("unexpected text after the rule");
  if (in.failed()) {
    return InvalidInput{fmt::format("POSIX TZ rule {}: {}", detail::quoted(text), in.problem())};
  }
  return std::optional<PosixTzRule>{std::move(rule)};
}

}  // namespace interviewkit

namespace interviewkit {

namespace {

// A big-endian 32-bit count of the TZif header; the caller has checked the bounds.
std::uint64_t count_at(std::string_view file, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(file[at + i]);
  return v;
}

// The size of the data block after the header at `header`, for transition times of
// `time_size` bytes (4 in the version 1 block, 8 in the version 2+ block). RFC 8536 3.1.
std::uint64_t data_size(std::string_view file, std::size_t header, std::uint64_t time_size) {
  const auto isutcnt = count_at(file, header + 20);
  const auto isstdcnt = count_at(file, header + 24);
  const auto leapcnt = count_at(file, header + 28);
  const auto timecnt = count_at(file, header + 32);
  const auto typecnt = count_at(file, header + 36);
  const auto charcnt = count_at(file, header + 40);
  // Transition times and their type indices, ttinfo records (6 bytes), abbreviation chars,
  // leap-second records (a time and a 4-byte correction), then the two indicator arrays.
  // Each count is below 2^32 and each factor below 13, so the sum cannot overflow 64 bits.
  return timecnt * (time_size + 1) + typecnt * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt +
         isutcnt;
}

// "TZif", a version byte, 15 reserved bytes and six 4-byte counts (RFC 8536 3.1).
constexpr std::size_t header_size = 44;

// Whether a whole header fits at `at`. Compares before subtracting, so an offset computed
// from a hostile file's counts, however large, cannot wrap around.
bool header_at(std::string_view file, std::uint64_t at) {
  return at <= file.size() && file.size() - at >= header_size && file.substr(at, 4) == "TZif";
}

}  // namespace

// Only the footer is read here; date/tz reads the transitions from the same file. Every
// offset is derived from the file's own counts and checked against its size before use,
// because the file is outside input: a truncated or crafted one is an error, never a read
// past the end.
Result<std::optional<PosixTzRule>> parse_tzif_footer(std::string_view file) {
  const auto bad = [&](std::string_view why) {
    return InvalidInput{fmt::format("TZif data of {} bytes: {}", file.size(), why)};
  };
  if (!header_at(file, 0))
    return bad("no TZif header");
  // Version 1 files have only 32-bit data and no footer.
  if (file[4] == '\0')
    return std::optional<PosixTzRule>{};
  // Skip the version 1 block to the second header, then the 64-bit block to the footer.
  const std::uint64_t second = header_size + data_size(file, 0, 4);
  if (!header_at(file, second))
    return bad("truncated before the version 2 header");
  const std::uint64_t footer = second + header_size + data_size(file, second, 8);
  if (footer >= file.size() || file[footer] != '\n')
    return bad("no footer after the version 2 data");
  // RFC 8536 3.3: the footer is the POSIX TZ string between two newlines.
  const auto close = file.find('\n', footer + 1);
  if (close == std::string_view::npos)
    return bad("footer is not closed by a newline");
  return parse_posix_tz(file.substr(footer + 1, close - footer - 1));
}

}  // namespace interviewkit
