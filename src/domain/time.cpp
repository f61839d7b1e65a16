#include <fmt/format.h>

#include <interviewkit/domain/time.hpp>

#include "text.hpp"

namespace interviewkit {

std::string format_utc(date::sys_seconds t) {
  return date::format("%FT%TZ", t);
}

std::string format_utc(UtcMillis t) {
  return date::format("%FT%TZ", t);
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

Result<UtcMillis> parse_utc(std::string_view text) {
  const auto fail = [&] {
    return InvalidInput{fmt::format(
        "{} is not a UTC timestamp of the form YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.fffZ",
        detail::quoted(text))};
  };
  // YYYY-MM-DDTHH:MM:SS is 19 characters.
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
