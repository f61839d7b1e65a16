// parse_utc, the timestamp reader behind every JSON time field: an accepted timestamp formats
// back to the same text.
#include <interviewkit/domain/time.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(utc_timestamp) {
  const auto text = as_text(data, size);
  no_exception("parse_utc", [&] {
    const auto t = parse_utc(text);
    if (!t) {
      require_message(t.error(), "parse_utc");
      return;
    }
    const auto formatted = format_utc(*t);
    if (text.size() == 24) {
      require(formatted == text, "format_utc(parse_utc(x)) != x: " + formatted);
    } else {
      require(formatted.substr(0, 19) == text.substr(0, 19) && formatted.ends_with(".000Z"),
              "format_utc(parse_utc(x)) does not match x: " + formatted);
    }
    require(parse_utc(formatted).value() == *t, "parse_utc(format_utc(t)) != t");
  });
}
