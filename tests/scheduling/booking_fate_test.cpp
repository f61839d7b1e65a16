// Transitions report what they set in motion: the outbox messages each one enqueued (so a
// caller can ask for their fate later), and the transition each revision records. Run
// against the in-memory store and a SQLite file, which must give the same answers.
#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include <interviewkit/store/sqlite_store.hpp>

#include "support/fixture.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

struct MemoryFactory {
  static std::shared_ptr<Store> make() { return std::make_shared<MemoryStore>(); }
};

struct SqliteFileFactory {
  static std::shared_ptr<Store> make() {
    static TempDir dir("booking-fate");
    static int counter = 0;
    return SqliteStore::open(dir.path() / fmt::format("fate-{}.db", ++counter)).value();
  }
};

using FateStores = std::tuple<MemoryFactory, SqliteFileFactory>;

const std::vector<std::string> two_channels{"email", "webhook"};

BookingOptions on_two_channels() {
  BookingOptions options{.test_mode = true};
  options.channels = two_channels;
  return options;
}

// What the report should hold, order aside: one entry per recipient and channel.
std::vector<EnqueuedNotification> expected(NotificationKind kind,
                                           const std::vector<std::string>& recipients,
                                           UtcMillis due) {
  std::vector<EnqueuedNotification> out;
  for (const auto& recipient : recipients) {
    for (const auto& channel : two_channels)
      out.push_back({.outbox = OutboxId{},
                     .recipient = recipient,
                     .kind = kind,
                     .channel = channel,
                     .due = due});
  }
  return out;
}

// `enqueued` without ids, sorted, to compare with `expected` regardless of order.
std::vector<EnqueuedNotification> without_ids(std::vector<EnqueuedNotification> enqueued) {
  for (auto& e : enqueued)
    e.outbox = OutboxId{};
  const auto key = [](const EnqueuedNotification& e) {
    return std::tuple(e.kind, e.recipient, e.channel, e.due);
  };
  std::sort(enqueued.begin(), enqueued.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  return enqueued;
}

// Each reported id is a stored message of `interview`'s version `revision` that says what
// the report says; ids come in increasing order and are distinct.
void check_stored(const Store& store, const TransitionOutcome& outcome) {
  for (std::size_t i = 1; i < outcome.enqueued.size(); ++i)
    CHECK(outcome.enqueued[i - 1].outbox < outcome.enqueued[i].outbox);
  for (const auto& e : outcome.enqueued) {
    INFO("outbox id " << e.outbox.value());
    const auto found = store.find_outbox(e.outbox).value();
    REQUIRE(found);
    CHECK(found->interview == outcome.interview.id);
    CHECK(found->recipient == e.recipient);
    CHECK(found->kind == e.kind);
    CHECK(found->channel == e.channel);
    CHECK(found->due == e.due);
    CHECK(found->revision == outcome.interview.version);
  }
}

const std::vector<std::string> everyone{"candidate:cand-1", "interviewer:int-1",
                                        "interviewer:int-2"};

}  // namespace

TEMPLATE_LIST_TEST_CASE("book reports every notification it enqueued, findable by id",
                        "[booking][fate]", FateStores) {
  Fixture f(TestType::make(), on_two_channels());
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  const auto now = f.clock->now();

  auto booked = f.service->book(id, slot(12, 14h), recruiter());
  REQUIRE(booked);
  // The defaults: the invite to everyone now, and a reminder to everyone 24 h before.
  auto want = expected(NotificationKind::interview_scheduled, everyone, now);
  const auto reminders = expected(NotificationKind::interview_reminder, everyone,
                                  UtcMillis{slot(12, 14h).start() - 24h});
  want.insert(want.end(), reminders.begin(), reminders.end());
  REQUIRE(booked->enqueued.size() == 12);
  CHECK(without_ids(booked->enqueued) == without_ids(want));
  CHECK(std::count_if(booked->enqueued.begin(), booked->enqueued.end(), [](const auto& e) {
          return e.kind == NotificationKind::interview_scheduled;
        }) == 6);
  check_stored(*f.store, *booked);
  CHECK(f.store->list_outbox({.interview = id}).value().size() == booked->enqueued.size());

  SECTION("cancel reports the cancellation notices") {
    f.clock->advance(1h);
    auto cancelled = f.service->cancel(id, "position filled", recruiter());
    REQUIRE(cancelled);
    CHECK(without_ids(cancelled->enqueued) ==
          without_ids(expected(NotificationKind::interview_cancelled, everyone, now + 1h)));
    check_stored(*f.store, *cancelled);
    CHECK(cancelled->enqueued.front().outbox > booked->enqueued.back().outbox);
  }
  SECTION("a transition the policy maps to nothing reports nothing") {
    f.clock->set(UtcMillis{slot(12, 15h).start()});
    auto completed = f.service->complete(id, recruiter());
    REQUIRE(completed);
    CHECK(completed->interview.status == InterviewStatus::completed);
    CHECK(completed->enqueued.empty());
  }
}

TEMPLATE_LIST_TEST_CASE("a replayed book reports the first request's notifications",
                        "[booking][fate][idempotency]", FateStores) {
  Fixture f(TestType::make(), on_two_channels());
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  const OperationOptions once{.idempotency_key = "book-fate-1"};
  auto first = f.service->book(id, slot(12, 14h), recruiter(), once);
  REQUIRE(first);
  REQUIRE(first->enqueued.size() == 12);

  SECTION("while its revision is current") {
    auto again = f.service->book(id, slot(12, 14h), recruiter(), once);
    REQUIRE(again);
    CHECK(again->interview == first->interview);
    CHECK(again->enqueued == first->enqueued);
  }
  SECTION("after some were delivered") {
    auto recorder = std::make_shared<RecordingNotifier>();
    auto dispatcher = Dispatcher::make(f.store, {{"email", recorder}, {"webhook", recorder}}, f.log,
                                       with_clock(Fixture::fast_retries(), f.clock))
                          .value();
    REQUIRE(dispatcher->drain_once().value().delivered == 6);  // the invites; reminders wait
    auto again = f.service->book(id, slot(12, 14h), recruiter(), once);
    REQUIRE(again);
    CHECK(again->enqueued == first->enqueued);
  }
  SECTION("after a later change replaced its revision") {
    REQUIRE(f.service->reschedule(id, slot(13, 14h), recruiter()));
    auto again = f.service->book(id, slot(12, 14h), recruiter(), once);
    REQUIRE(again);
    CHECK(again->interview == first->interview);
    CHECK(again->enqueued == first->enqueued);
  }
  // A replay enqueues nothing new.
  CHECK(f.store->count_outbox({.interview = id, .kind = NotificationKind::interview_scheduled})
            .value()
            .total() == 6);
}

TEMPLATE_LIST_TEST_CASE("each revision records the transition that made it", "[booking][fate]",
                        FateStores) {
  Fixture f(TestType::make());
  const auto id = f.create().id;
  const auto transition = [&] {
    const auto digests = f.store->revisions({.interview = id}).value();
    REQUIRE(digests.size() == 1);
    return digests.front();
  };
  CHECK_FALSE(transition().transition);  // a new interview: no transition made it

  REQUIRE(f.service->book(id, slot(12, 14h), recruiter()));
  CHECK(transition().transition ==
        RecordedTransition{InterviewEvent::book, InterviewStatus::pending});

  auto moved = f.service->reschedule(id, slot(13, 10h), recruiter());
  REQUIRE(moved);
  const auto digest = transition();
  CHECK(digest.version == moved->interview.version);
  CHECK(digest.transition ==
        RecordedTransition{InterviewEvent::reschedule, InterviewStatus::scheduled});
}
