// Kill -9 at random moments: nothing committed is lost, nothing is double-booked.
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <sqlite3.h>

#include <interviewkit/store/sqlite_store.hpp>

#include "support/fixture.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

std::int64_t scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const auto value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace

TEST_CASE("bookings and their notifications survive SIGKILL at random moments",
          "[outbox][crash][sqlite]") {
  TempDir dir("crash");
  const auto db = (dir.path() / "crash.db").string();
  const auto deliveries = (dir.path() / "deliveries.log").string();
  const std::string harness = INTERVIEWKIT_HARNESS;
  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> delay_ms(30, 400);

  int kills = 0;
  int run = 0;
  for (; kills < 20; ++run) {
    const pid_t pid = spawn({harness, "book", db, deliveries, std::to_string(run), "400"});
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds{delay_ms(rng)});
    if (kill(pid, SIGKILL) == 0)
      ++kills;
    const int status = wait_for(pid);
    CHECK((status == 0 || status == 128 + SIGKILL));
  }

  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto booked = scalar(raw, "SELECT COUNT(*) FROM interviews WHERE status = 'scheduled'");
  sqlite3_close(raw);
  if (booked < 2000) {  // top up without killing, so the figures reach the target
    const pid_t pid = spawn(
        {harness, "book", db, deliveries, std::to_string(run++), std::to_string(2000 - booked)});
    REQUIRE(wait_for(pid) == 0);
  }
  REQUIRE(wait_for(spawn({harness, "drain", db, deliveries})) == 0);

  REQUIRE(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  booked = scalar(raw, "SELECT COUNT(*) FROM interviews WHERE status = 'scheduled'");
  const auto overlaps = scalar(raw,
                               "SELECT COUNT(*) FROM interview_people a JOIN interview_people b "
                               "ON a.person = b.person AND a.interview_id < b.interview_id "
                               "AND a.slot_start < b.slot_end AND b.slot_start < a.slot_end");
  const auto messages = scalar(raw, "SELECT COUNT(*) FROM outbox");
  const auto undelivered = scalar(raw, "SELECT COUNT(*) FROM outbox WHERE state != 'delivered'");
  const auto unnotified =
      scalar(raw,
             "SELECT COUNT(*) FROM interviews i WHERE i.status = 'scheduled' "
             "AND (SELECT COUNT(*) FROM outbox o WHERE o.interview_id = i.id) != 2");
  sqlite3_close(raw);

  std::set<std::string> keys_in_outbox;
  auto store = SqliteStore::open(db).value();
  for (const auto& m : store->list_outbox({.limit = 10000}).value()) {
    keys_in_outbox.insert(m.idempotency_key);
  }
  std::ifstream in(deliveries);
  std::set<std::string> delivered;
  std::size_t lines = 0;
  std::size_t strangers = 0;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find(' '));  // "<idempotency key> <worker pid>"
    ++lines;
    if (!keys_in_outbox.contains(line))
      ++strangers;
    delivered.insert(line);
  }
  std::size_t missing = 0;
  for (const auto& key : keys_in_outbox)
    missing += delivered.contains(key) ? 0 : 1;

  std::printf(
      "crash test: %d runs, %d SIGKILLs, %lld bookings, %lld messages, %zu deliveries "
      "(%zu duplicates), %zu missing\n",
      run, kills, static_cast<long long>(booked), static_cast<long long>(messages), lines,
      lines - delivered.size(), missing);
  CHECK(kills >= 20);
  CHECK(booked >= 2000);
  CHECK(overlaps == 0);
  CHECK(unnotified == 0);
  CHECK(undelivered == 0);
  CHECK(missing == 0);
  CHECK(strangers == 0);  // every duplicate carries a known idempotency key
  CHECK(store->integrity_check().value() == "ok");
}
