// TimeZone::make: an accepted name gives a zone whose canonical name is accepted again and
// gives the same zone; the JSON form agrees; conversions on the zone do not throw.
#include <interviewkit/domain/time_zone.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(time_zone) {
  const auto text = as_text(data, size);
  no_exception("TimeZone::make", [&] {
    auto zone = TimeZone::make(text);
    if (!zone) {
      require_message(zone.error(), "TimeZone::make");
      return;
    }
    const auto again = TimeZone::make(std::string(zone->name()));
    require(again.has_value() && *again == *zone, "a zone's own name gives another zone");
    require(nlohmann::json(*zone).get<TimeZone>() == *zone,
            "TimeZone changed in a JSON round trip");
    const date::sys_seconds t{date::sys_days{date::year{2024} / 3 / 31}};
    require(zone->to_utc(zone->to_local(t)) == t, "to_utc(to_local(t)) != t");
  });
}
