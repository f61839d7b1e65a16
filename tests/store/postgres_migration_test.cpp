// PostgresStore's migration 4 on a database the released store left at schema version 3
// (tests/store/data/postgres-schema-3.sql, a pg_dump): the people rows the old trigger wrote
// still refuse overlaps, the rows the store now writes itself move with a reschedule, a
// writer that bypasses the library still gets its rows from the trigger, and the old outbox
// rows are delivered. Against a real server.
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <interviewkit/store/postgres_store.hpp>

#include "support/fixture.hpp"
#include "support/pg_scalar.hpp"
#include "support/postgres_server.hpp"
#include "support/real_time.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

// A new database loaded from the schema-3 dump. Interview 1 holds candidate:cand-0 and
// interviewer:int-0 for the first hour of 2100; interviews 1 to 10 each hold two people.
std::string schema_3_database() {
  auto url = PostgresServer::shared().fresh_database();
  REQUIRE(PostgresServer::psql_file(url, INTERVIEWKIT_TEST_DATA_DIR "/postgres-schema-3.sql") == 0);
  return url;
}

const TimeRange first_hour_2100 =
    TimeRange::make(date::sys_days{date::year{2100} / 1 / 1}, 1h).value();

}  // namespace

TEST_CASE("a schema-3 database migrates, and its booked slots still refuse overlaps",
          "[postgres][dispatch]") {
  const auto url = schema_3_database();
  auto store = PostgresStore::open({.url = url}).value();
  CHECK(scalar(url, "SELECT version FROM interviewkit_schema") == PostgresStore::schema_version);
  CHECK(scalar(url, "SELECT count(*) FROM interview_people") == 20);
  Fixture f(store);
  const auto b = f.create("cand-x", {"int-0"}).id;
  auto clash = f.service->book(b, first_hour_2100, recruiter());
  REQUIRE_FALSE(clash);
  REQUIRE(clash.error().is<SlotConflict>());
  CHECK(clash.error().get_if<SlotConflict>()->other == InterviewId{1});
  CHECK(clash.error().get_if<SlotConflict>()->person == "interviewer:int-0");

  // The store rewrites interview 1's rows as it moves: its old hour is free, the new one taken.
  const auto later = TimeRange::make(first_hour_2100.start() + 2h, 1h).value();
  REQUIRE(f.service->reschedule(InterviewId{1}, later, recruiter()));
  REQUIRE(f.service->book(b, first_hour_2100, recruiter()));
  const auto c = f.create("cand-y", {"int-0"}).id;
  auto taken = f.service->book(c, later, recruiter());
  REQUIRE_FALSE(taken);
  CHECK(taken.error().get_if<SlotConflict>()->other == InterviewId{1});
  CHECK(scalar(url, "SELECT count(*) FROM interview_people") == 22);
  CHECK(scalar(url,
               "SELECT count(*) FROM interview_people WHERE interview_id = 1 AND slot = "
               "tstzrange('2100-01-01 02:00Z', '2100-01-01 03:00Z', '[)')") == 2);

  // A cancellation through the store removes the rows; a confirmation keeps them.
  REQUIRE(f.service->confirm(b, recruiter()));
  CHECK(scalar(url, fmt::format("SELECT count(*) FROM interview_people WHERE interview_id = {}",
                                b.value())) == 2);
  REQUIRE(f.service->cancel(InterviewId{1}, "moved on", recruiter()));
  CHECK(scalar(url, "SELECT count(*) FROM interview_people WHERE interview_id = 1") == 0);
  REQUIRE(f.service->book(c, later, recruiter()));
}

TEST_CASE("after migration 4 a writer that bypasses the library is still refused an overlap",
          "[postgres][dispatch]") {
  const auto url = schema_3_database();
  auto store = PostgresStore::open({.url = url}).value();
  Fixture f(store);
  const auto b = f.create("cand-x", {"int-0"}).id;
  CHECK(PostgresServer::psql(
            url, fmt::format("UPDATE interviews SET status = 'scheduled', slot = "
                             "tstzrange('2100-01-01 00:30Z', '2100-01-01 01:30Z') WHERE id = {}",
                             b.value())) != 0);
  CHECK(f.service->get(b)->status == InterviewStatus::pending);
  // Its cancellation of interview 1 clears the rows, through the trigger.
  CHECK(PostgresServer::psql(url, "UPDATE interviews SET status = 'cancelled' WHERE id = 1") == 0);
  CHECK(scalar(url, "SELECT count(*) FROM interview_people WHERE interview_id = 1") == 0);
  REQUIRE(f.service->book(b, first_hour_2100, recruiter()));
}

TEST_CASE("the outbox rows of a schema-3 database are delivered after migration",
          "[postgres][dispatch]") {
  const auto url = schema_3_database();
  auto store = PostgresStore::open({.url = url}).value();
  Fixture f(store);
  f.clock->set(real_now());  // the dump's messages were due when it was made
  std::size_t delivered = 0;
  for (int pass = 0; pass < 10; ++pass)
    delivered += f.drain().delivered;
  CHECK(delivered == 20);
  CHECK(f.recorder->delivered().size() == 20);
}
