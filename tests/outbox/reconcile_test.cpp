// "Which candidates never got their invite, and why?": Reconciler::fate and reconcile,
// against real deliveries through the Dispatcher, on MemoryStore and on a real SQLite file,
// including rows deleted behind the library's back and interviews written without their
// notifications.
#include <mutex>
#include <set>

#include <sqlite3.h>

#include "outbox/reconcile_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

using K = NotificationKind;

// Everyone gets through on the second attempt except interviewer int-2, whose mailbox
// does not exist: the founding bug's shape (many failures logged, one person never told).
// Every message fails its first attempt, then gets through; int-2's mailbox does not exist.
// Decided per message, not by call order: the dispatcher delivers them concurrently.
std::shared_ptr<RecordingNotifier> flaky_channel() {
  auto tried = std::make_shared<std::pair<std::mutex, std::set<std::string>>>();
  return std::make_shared<RecordingNotifier>([tried](const Notification& n, std::size_t) {
    if (n.recipient.key() == "interviewer:int-2")
      return DeliveryOutcome::permanent_failure("550 5.1.1 no such user");
    std::lock_guard lock(tried->first);
    return tried->second.insert(n.idempotency_key).second
               ? DeliveryOutcome::transient_failure("451 try again")
               : DeliveryOutcome::delivered("250 2.0.0 queued as X1");
  });
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("reconcile lists who never got their invite, not every failed attempt",
                        "[fate][reconcile]", ReconcileStores) {
  TempDir dir("reconcile");
  Fixture f(TestType::make(dir), {}, flaky_channel());
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  const auto booked = f.service->book(id, slot(12, 9h), recruiter()).value();
  CHECK(booked.enqueued.size() == 6);  // invite and reminder for three people
  run_dispatcher(f);
  f.clock->advance(std::chrono::minutes{10});

  // The log's notification_failed entries name everyone: the wrong answer.
  CHECK(f.entries(ActionType::notification_failed, id).size() == 2);
  const auto gaps = reconciler_for(f).reconcile(long_ago(), f.clock->now()).value();
  REQUIRE(gaps.size() == 1);
  const auto& gap = gaps.front();
  CHECK(gap.interview == id);
  CHECK(gap.notification.recipient == "interviewer:int-2");
  CHECK(gap.notification.kind == K::interview_scheduled);
  CHECK(gap.notification.fate == Fate::dead);
  CHECK(gap.notification.revision == booked.interview.version);
  CHECK_THAT(gap.notification.detail, Catch::Contains("550 5.1.1 no such user"));
  CHECK(gap.overdue >= std::chrono::minutes{10});
  CHECK(gap.notification.outbox.has_value());

  const auto fate = reconciler_for(f).fate(id).value();
  CHECK_FALSE(fate.complete());
  CHECK(fate.current_revision == booked.interview.version);
  CHECK(fate.notifications.size() == 6);
  for (const auto& n : fate.notifications) {
    CAPTURE(n.recipient, n.kind, n.detail);
    CHECK(n.required);
    if (n.kind == K::interview_reminder)
      CHECK(n.fate == Fate::pending);  // due a day before the slot
    else if (n.recipient == "interviewer:int-2")
      CHECK(n.fate == Fate::dead);
    else {
      CHECK(n.fate == Fate::delivered);
      CHECK(n.detail == "250 2.0.0 queued as X1");  // the receiver's reply
      CHECK(n.changed_at.has_value());
    }
  }
  // A range that ends before the booking sees nothing.
  CHECK(reconciler_for(f).reconcile(long_ago(), booked.interview.created_at).value().empty());
}

TEMPLATE_LIST_TEST_CASE("fate shows superseded revisions newest first", "[fate]", ReconcileStores) {
  TempDir dir("fate");
  Fixture f(TestType::make(dir));
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  const auto moved = f.service->reschedule(id, slot(13, 9h), recruiter()).value();
  run_dispatcher(f, 2);
  const auto fate = reconciler_for(f).fate(id).value();
  REQUIRE_FALSE(fate.notifications.empty());
  CHECK(fate.notifications.front().revision == moved.interview.version);
  CHECK_FALSE(fate.complete());  // the new reminders are not due yet
  for (const auto& n : fate.notifications) {
    if (n.revision == moved.interview.version && n.kind == K::interview_rescheduled)
      CHECK(n.fate == Fate::delivered);
  }
  std::size_t superseded = 0;
  for (const auto& n : fate.notifications) {
    if (n.revision < moved.interview.version) {
      CHECK_FALSE(n.required);
      if (n.fate == Fate::superseded)
        ++superseded;
    }
  }
  CHECK(superseded == 4);  // the first slot's invites and reminders, two people each
  CHECK(reconciler_for(f).fate(InterviewId{id.value() + 99}).error().kind() ==
        ErrorKind::not_found);
}

TEMPLATE_LIST_TEST_CASE("an interview written without its notifications is found missing",
                        "[reconcile]", ReconcileStores) {
  TempDir dir("foreign");
  Fixture f(TestType::make(dir));
  const auto created = f.create("cand-9", {"int-9"});
  // A foreign writer books it without going through BookingService: no outbox rows.
  REQUIRE(f.store->write([&](StoreTransaction& tx) -> Result<void> {
    auto booked = tx.load(created.id).value();
    booked.status = InterviewStatus::scheduled;
    booked.slot = slot(20, 9h);
    booked.version = 2;
    booked.updated_at = std::chrono::floor<std::chrono::seconds>(f.clock->now());
    if (auto ok = tx.update(booked); !ok)
      return ok;
    return tx.record_transition(created.id, {InterviewEvent::book, InterviewStatus::pending});
  }));
  f.clock->advance(std::chrono::hours{1});
  const auto gaps =
      reconciler_for(f, {"email", "sms"}).reconcile(long_ago(), f.clock->now()).value();
  // Invites for two people on two channels are overdue; the reminders are missing too.
  REQUIRE(gaps.size() == 8);
  std::size_t overdue_invites = 0;
  for (const auto& gap : gaps) {
    CHECK(gap.notification.fate == Fate::missing);
    CHECK_FALSE(gap.notification.outbox);
    CHECK_THAT(gap.notification.detail, Catch::Contains("never enqueued"));
    if (gap.notification.kind == K::interview_scheduled) {
      CHECK(gap.overdue == std::chrono::hours{1});
      ++overdue_invites;
    }
  }
  CHECK(overdue_invites == 4);
}

TEST_CASE("a deleted outbox row is found missing on a SQLite file", "[reconcile]") {
  TempDir dir("deleted");
  const auto path = dir.path() / "deleted.db";
  Fixture f(SqliteStore::open(path).value());
  const auto id = f.create().id;
  const auto booked = f.service->book(id, slot(12, 9h), recruiter()).value();
  run_dispatcher(f, 2);
  REQUIRE(reconciler_for(f).reconcile(long_ago(), f.clock->now()).value().empty());

  // Someone deletes the candidate's delivered invite with plain SQL.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const auto sql = fmt::format(
      "DELETE FROM outbox WHERE recipient = 'candidate:cand-1' AND kind = 'interview_scheduled' "
      "AND interview_id = {}",
      id.value());
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);

  f.clock->advance(std::chrono::minutes{10});
  const auto gaps = reconciler_for(f).reconcile(long_ago(), f.clock->now()).value();
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].notification.recipient == "candidate:cand-1");
  CHECK(gaps[0].notification.kind == K::interview_scheduled);
  CHECK(gaps[0].notification.fate == Fate::missing);
  CHECK(gaps[0].notification.revision == booked.interview.version);
  // Naming no channels checks each interview against the channels its own rows use.
  auto inferred = Reconciler::make(f.store, {.channels = {}, .clock = f.clock}).value();
  const auto same = inferred.reconcile(long_ago(), f.clock->now()).value();
  REQUIRE(same.size() == 1);
  CHECK(same[0].notification.channel == "default");
}

TEST_CASE("a Reconciler refuses what cannot work", "[reconcile]") {
  CHECK(Reconciler::make(nullptr).error().kind() == ErrorKind::invalid_input);
  auto store = std::make_shared<MemoryStore>();
  CHECK_FALSE(Reconciler::make(store, {.channels = {""}}));
  CHECK_FALSE(Reconciler::make(store, {.grace = std::chrono::milliseconds{-1}}));
  CHECK(Reconciler::make(store).value().reconcile(long_ago(), UtcMillis{}).value().empty());
}
