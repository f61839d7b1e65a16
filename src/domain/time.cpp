// UTC instants as text: RFC 3339 timestamps (ISO 8601 profile) in the one form we write,
// and a strict parser for exactly that form.
#include <array>
#include <type_traits>

#include <fmt/format.h>

#include <interviewkit/domain/time.hpp>

#include "text.hpp"

namespace interviewkit {

namespace {

void put_two_digits(char* out, unsigned value) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

// The text date::format("%FT%TZ", t) gives, written into a fixed buffer: date::format goes
// through an ostringstream (a locale, a stream buffer and its allocations), which made it the
// largest single cost of a booking, where every outbox payload holds several timestamps.
// Only years 0000..9999 have this fixed shape; any other falls back to date::format, so the
// text is the same for every instant (tests/domain/time_test.cpp compares the two).
template <class Duration>
std::string format_fixed(date::sys_time<Duration> t) {
  constexpr bool with_millis = std::is_same_v<Duration, std::chrono::milliseconds>;
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999)
    return date::format("%FT%TZ", t);
  // Below one day, so the cast cannot overflow whatever the duration.
  const auto millis =
      static_cast<unsigned>(std::chrono::duration_cast<std::chrono::milliseconds>(t - day).count());
  const unsigned seconds = millis / 1000;
  std::array<char, 24> text{};
  put_two_digits(&text[0], static_cast<unsigned>(year) / 100);
  put_two_digits(&text[2], static_cast<unsigned>(year) % 100);
  text[4] = '-';
  put_two_digits(&text[5], static_cast<unsigned>(ymd.month()));
  text[7] = '-';
  put_two_digits(&text[8], static_cast<unsigned>(ymd.day()));
  text[10] = 'T';
  put_two_digits(&text[11], seconds / 3600);
  text[13] = ':';
  put_two_digits(&text[14], seconds / 60 % 60);
  text[16] = ':';
  put_two_digits(&text[17], seconds % 60);
  std::size_t size = 19;
  if constexpr (with_millis) {
    text[19] = '.';
    text[20] = static_cast<char>('0' + millis % 1000 / 100);
    put_two_digits(&text[21], millis % 100);
    size = 23;
  }
  text[size++] = 'Z';
  return std::string(text.data(), size);
}

}  // namespace

// Always "Z" and never a numeric offset: every instant we keep is UTC, and the same instant
// always gets the same text.
std::string format_utc(date::sys_seconds t) {
  return format_fixed(t);
}

// The same with exactly three fraction digits (date::format prints as many as the duration
// has), which parse_utc reads back.
std::string format_utc(UtcMillis t) {
  return format_fixed(t);
}

namespace {

// Reads exactly `n` digits at `pos`; -1 if they are not all digits.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size())
    return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

// Accepts exactly what format_utc writes: RFC 3339's date-time with an upper-case 'T', 'Z'
// and either no fraction or three digits. The rest of RFC 3339 (offsets, lower case 't'/'z',
// other fraction lengths, the leap second :60) is refused rather than normalised: the
// library reads back only text it wrote (store rows, outbox payloads, log files), so
// anything else is a foreign or damaged record. Fixed positions instead of a general parser:
// nothing guessed.
Result<UtcMillis> parse_utc(std::string_view text) {
  const auto fail = [&] {
    return InvalidInput{fmt::format(
        "{} is not a UTC timestamp of the form YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.fffZ",
        detail::quoted(text))};
  };
  // YYYY-MM-DDTHH:MM:SS is 19 characters; then "Z" (20) or ".fffZ" (24).
  if (text.size() != 20 && text.size() != 24)
    return fail();
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return fail();
  }
  const int y = digits(text, 0, 4);
  const int mo = digits(text, 5, 2);
  const int d = digits(text, 8, 2);
  const int h = digits(text, 11, 2);
  const int mi = digits(text, 14, 2);
  const int s = digits(text, 17, 2);
  int ms = 0;
  if (text.size() == 24) {
    if (text[19] != '.')
      return fail();
    ms = digits(text, 20, 3);
  }
  if (text.back() != 'Z' || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || ms < 0) {
    return fail();
  }
  // The shape is right; now the values: a real calendar day (February 30 is refused, not
  // rolled over into March) and a time of day below 24:00:00.
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) {
    return InvalidInput{
        fmt::format("{} is not a valid calendar date and time", detail::quoted(text))};
  }
  return UtcMillis{date::sys_days{ymd}} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s} + std::chrono::milliseconds{ms};
}

}  // namespace interviewkit
