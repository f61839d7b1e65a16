// Store conformance for the external calendar cache (Store::save_calendar, load_calendar,
// calendar_busy): every store keeps a calendar exactly, replaces it whole, answers busy time
// by interviewer and time, and refuses what it could not keep. Included by
// store_conformance.hpp, so it runs wherever that suite does.
#pragma once

#include <interviewkit/store/store.hpp>

#include "support/fixture.hpp"

namespace interviewkit::testing {

inline TimeRange hours(int day, int from, int to) {
  return TimeRange::make(at(day, std::chrono::hours{from}), at(day, std::chrono::hours{to}))
      .value();
}

inline CachedCalendar sample_calendar(const std::string& key, const std::string& interviewer) {
  CachedCalendar c{.key = key, .interviewer = InterviewerId::make(interviewer).value()};
  c.sync_token = "http://radicale.org/ns/sync/1f2e";
  c.ctag = "\"c1\"";
  c.time_zone = "Europe/Berlin";
  c.covered = TimeRange::make(at(1, std::chrono::hours{0}), at(29, std::chrono::hours{0})).value();
  c.resources = {
      {"/cal/a.ics", "\"e1\"", "BEGIN:VCALENDAR\r\nSUMMARY:Caf\xC3\xA9 \"q\" \\ {x}\r\n"},
      {"/cal/b%20c.ics", "\"e2\"", ""}};
  // Out of order on purpose: stores keep them sorted by start.
  c.busy = {hours(3, 9, 10), hours(2, 14, 15), hours(2, 9, 12)};
  c.synced_at = UtcMillis{at(1, std::chrono::hours{8})} + std::chrono::milliseconds{250};
  return c;
}

}  // namespace interviewkit::testing

TEMPLATE_LIST_TEST_CASE("a store keeps a cached calendar exactly and replaces it whole",
                        "[conformance][caldav][sync]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  CHECK_FALSE(store->load_calendar("https://dav.example/alice/work/").value());
  auto c = sample_calendar("https://dav.example/alice/work/", "alice");
  REQUIRE(store->save_calendar(c));
  auto loaded = store->load_calendar(c.key).value().value();
  std::ranges::sort(c.busy, {}, [](const TimeRange& r) { return std::pair(r.start(), r.end()); });
  CHECK(loaded == c);

  c.resources.pop_back();
  c.busy = {hours(4, 9, 10)};
  c.sync_token.clear();
  c.covered.reset();
  c.busy.clear();
  REQUIRE(store->save_calendar(c));
  CHECK(store->load_calendar(c.key).value().value() == c);
}

TEMPLATE_LIST_TEST_CASE("calendar busy time is read by interviewer and window, in order",
                        "[conformance][caldav][sync]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  REQUIRE(store->save_calendar(sample_calendar("https://dav.example/alice/work/", "alice")));
  auto home = sample_calendar("https://dav.example/alice/home/", "alice");
  home.busy = {hours(2, 11, 13)};
  REQUIRE(store->save_calendar(home));
  auto bob = sample_calendar("https://dav.example/bob/work/", "bob");
  bob.busy = {hours(2, 10, 11)};
  REQUIRE(store->save_calendar(bob));

  const auto alice = InterviewerId::make("alice").value();
  // Day 2 from 10:00 to 14:00: touching ranges (14:00-15:00) are left out.
  const auto busy = store->calendar_busy(alice, hours(2, 10, 14)).value();
  CHECK(busy == std::vector<TimeRange>{hours(2, 9, 12), hours(2, 11, 13)});
  CHECK(
      store->calendar_busy(InterviewerId::make("carol").value(), hours(2, 0, 23)).value().empty());
}

TEMPLATE_LIST_TEST_CASE("a cached calendar a store could not keep is refused whole",
                        "[conformance][caldav][sync]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto good = sample_calendar("https://dav.example/alice/work/", "alice");
  REQUIRE(store->save_calendar(good));
  const auto refused = [&](CachedCalendar c) {
    c.key = good.key;
    const auto saved = store->save_calendar(c);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().kind() == ErrorKind::invalid_input);
  };
  auto c = good;
  c.resources[0].href = "/cal/\xFF.ics";
  refused(c);
  c = good;
  c.resources[0].ics = std::string("BEGIN:VCALENDAR\0", 16);
  refused(c);
  c = good;
  c.sync_token = "line\nbreak";
  refused(c);
  c = good;
  c.busy.push_back(hours(29, 9, 10));  // after the range read
  refused(c);
  c = good;
  c.covered.reset();  // busy time without a range read
  refused(c);
  auto empty = good;
  empty.key.clear();
  CHECK(store->save_calendar(empty).error().kind() == ErrorKind::invalid_input);
  auto copy = good;
  std::ranges::sort(copy.busy, {},
                    [](const TimeRange& r) { return std::pair(r.start(), r.end()); });
  CHECK(store->load_calendar(good.key).value().value() == copy);
}
