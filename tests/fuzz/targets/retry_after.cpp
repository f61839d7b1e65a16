// parse_retry_after (src/channels/retry_after.hpp), which reads the Retry-After header of a
// webhook's 429/503 reply: delta-seconds or an IMF-fixdate. Nothing throws; delta-seconds
// are added to now; an accepted date lies in the years the header can name and formats back
// to the same calendar fields.
#include "../../../src/channels/retry_after.hpp"

#include <chrono>
#include <string>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(retry_after) {
  const auto text = as_text(data, size);
  const UtcMillis now{std::chrono::seconds{1'700'000'000}};
  no_exception("parse_retry_after", [&] {
    const auto at = parse_retry_after(text, now);
    if (!at)
      return;
    auto value = text;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r' || value.back() == '\n'))
      value.remove_suffix(1);
    if (!value.empty() && value.size() < 10 &&
        value.find_first_not_of("0123456789") == std::string_view::npos) {
      require(*at - now == std::chrono::seconds{std::stoll(std::string(value))},
              "delta-seconds not added to now");
      return;
    }
    require(*at == date::floor<std::chrono::seconds>(*at), "an HTTP-date with a fraction");
    const auto day = date::floor<date::days>(*at);
    const date::year_month_day ymd{day};
    require(ymd.ok() && ymd.year() <= date::year{9999}, "an HTTP-date outside the years 0..9999");
  });
}
