// BookingService: every operation, legal and illegal, with its error values.
#include <atomic>
#include <set>
#include <stdexcept>

#include <interviewkit/store/store_wrapper.hpp>

#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

TEST_CASE("creating an interview makes it pending and records it", "[booking]") {
  Fixture f;
  auto interview = f.create("cand-1", {"int-1", "int-2"});
  CHECK(interview.id.is_set());
  CHECK(interview.status == InterviewStatus::pending);
  CHECK(interview.version == 1);
  CHECK_FALSE(interview.slot);
  CHECK(interview.meeting_link.empty());
  CHECK(f.service->get(interview.id).value() == interview);
  const auto created = f.entries(ActionType::interview_created, interview.id);
  REQUIRE(created.size() == 1);
  CHECK(created[0].actor == recruiter());
  CHECK(created[0].to == InterviewStatus::pending);

  SECTION("invalid requests are refused with a reason") {
    CreateRequest none{"x", candidate("c-2"), {}};
    auto r = f.service->create(none, recruiter());
    REQUIRE_FALSE(r);
    CHECK(r.error().message().find("at least one interviewer") != std::string::npos);

    CreateRequest twice{"x", candidate("c-2"), {interviewer("i-1"), interviewer("i-1")}};
    CHECK(f.service->create(twice, recruiter()).error().message().find("more than once") !=
          std::string::npos);

    CreateRequest bad_title{"a\r\nb", candidate("c-2"), {interviewer("i-1")}};
    CHECK(f.service->create(bad_title, recruiter()).error().is<InvalidInput>());
  }
}

TEST_CASE("booking, confirming, rescheduling and completing walk the lifecycle", "[booking]") {
  Fixture f;
  const auto id = f.create().id;

  auto booked = f.service->book(id, slot(12, 14h), recruiter());
  REQUIRE(booked);
  CHECK(booked->interview.status == InterviewStatus::scheduled);
  CHECK(booked->interview.version == 2);
  CHECK(booked->interview.slot == slot(12, 14h));

  auto confirmed = f.service->confirm(id, recruiter());
  REQUIRE(confirmed);
  CHECK(confirmed->interview.status == InterviewStatus::confirmed);
  CHECK(confirmed->interview.version == 3);
  CHECK(confirmed->interview.meeting_link == booked->interview.meeting_link);

  SECTION("rescheduling a confirmed interview needs confirming again") {
    auto moved = f.service->reschedule(id, slot(13, 10h), recruiter());
    REQUIRE(moved);
    CHECK(moved->interview.status == InterviewStatus::scheduled);
    CHECK(moved->interview.slot == slot(13, 10h));
    CHECK(moved->interview.version == 4);
    CHECK(moved->interview.meeting_link ==
          booked->interview.meeting_link);  // the link survives a move
    const auto entries = f.entries(ActionType::interview_rescheduled, id);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].from == InterviewStatus::confirmed);
    CHECK(entries[0].to == InterviewStatus::scheduled);
    CHECK(entries[0].details.at("previous_slot").at("start") == "2024-03-12T14:00:00Z");
  }
  SECTION("completing") {
    f.clock->set(UtcMillis{at(20, 0h)});  // after it started
    auto done = f.service->complete(id, recruiter());
    REQUIRE(done);
    CHECK(done->interview.status == InterviewStatus::completed);
    CHECK(f.entries(ActionType::interview_completed, id).size() == 1);
  }
  SECTION("no-show") {
    f.clock->set(UtcMillis{at(20, 0h)});
    auto missed = f.service->mark_no_show(id, recruiter());
    REQUIRE(missed);
    CHECK(missed->interview.status == InterviewStatus::no_show);
  }
  SECTION("cancelling keeps the reason") {
    auto cancelled = f.service->cancel(id, "candidate withdrew", recruiter());
    REQUIRE(cancelled);
    CHECK(cancelled->interview.status == InterviewStatus::cancelled);
    const auto entries = f.entries(ActionType::interview_cancelled, id);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].details.at("reason") == "candidate withdrew");
  }
}

TEST_CASE("illegal operations return IllegalTransition and change nothing", "[booking]") {
  Fixture f;
  const auto id = f.create().id;
  const auto expect_illegal = [&](Result<TransitionOutcome> r, InterviewStatus from,
                                  InterviewEvent event) {
    REQUIRE_FALSE(r);
    const auto* e = r.error().get_if<IllegalTransition>();
    REQUIRE(e != nullptr);
    CHECK(e->from == from);
    CHECK(e->event == event);
    CHECK(e->to == target_of(event));
  };
  expect_illegal(f.service->confirm(id, recruiter()), InterviewStatus::pending,
                 InterviewEvent::confirm);
  expect_illegal(f.service->reschedule(id, slot(12, 9h), recruiter()), InterviewStatus::pending,
                 InterviewEvent::reschedule);
  expect_illegal(f.service->complete(id, recruiter()), InterviewStatus::pending,
                 InterviewEvent::complete);
  expect_illegal(f.service->mark_no_show(id, recruiter()), InterviewStatus::pending,
                 InterviewEvent::mark_no_show);

  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  expect_illegal(f.service->book(id, slot(12, 11h), recruiter()), InterviewStatus::scheduled,
                 InterviewEvent::book);
  f.clock->set(UtcMillis{at(12, 9h)});  // it starts: it may now be completed
  REQUIRE(f.service->complete(id, recruiter()));
  for (auto r : {f.service->cancel(id, "late", recruiter()), f.service->confirm(id, recruiter()),
                 f.service->reschedule(id, slot(14, 9h), recruiter())}) {
    REQUIRE_FALSE(r);
    CHECK(r.error().is<IllegalTransition>());
  }
  const auto stored = f.service->get(id).value();
  CHECK(stored.status == InterviewStatus::completed);
  CHECK(stored.version == 3);
}

TEST_CASE("unknown interviews, stale versions and bad input are errors", "[booking]") {
  Fixture f;
  const auto id = f.create().id;

  auto missing = f.service->book(InterviewId{999}, slot(12, 9h), recruiter());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().get_if<NotFound>()->id == InterviewId{999});
  CHECK_FALSE(f.service->get(InterviewId{999}));

  auto stale = f.service->book(id, slot(12, 9h), recruiter(), {.expected_version = 7});
  REQUIRE_FALSE(stale);
  const auto* s = stale.error().get_if<StaleVersion>();
  REQUIRE(s != nullptr);
  CHECK(s->expected == 7);
  CHECK(s->actual == 1);
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter(), {.expected_version = 1}));

  auto past =
      f.service->reschedule(id, TimeRange::make(at(1, 0min) - 1h, 30min).value(), recruiter());
  REQUIRE_FALSE(past);
  CHECK(past.error().message().find("in the past") != std::string::npos);

  auto long_slot =
      f.service->reschedule(id, TimeRange::make(at(12, 0min), 25h).value(), recruiter());
  CHECK(long_slot.error().is<InvalidInput>());

  auto bad_reason = f.service->cancel(id, "bye\x01", recruiter());
  REQUIRE_FALSE(bad_reason);
  CHECK(bad_reason.error().message().find("cancellation reason") != std::string::npos);
  CHECK(f.service->get(id)->status == InterviewStatus::scheduled);
}

TEST_CASE("a repeated book with the same idempotency key returns the first result", "[booking]") {
  Fixture f;
  const auto id = f.create().id;
  const OperationOptions once{.expected_version = std::nullopt, .idempotency_key = "req-1"};
  auto first = f.service->book(id, slot(12, 9h), recruiter(), once);
  REQUIRE(first);
  auto again = f.service->book(id, slot(12, 9h), recruiter(), once);
  REQUIRE(again);
  CHECK(again->interview == first->interview);
  CHECK(again->enqueued == first->enqueued);
  CHECK(f.entries(ActionType::interview_booked, id).size() == 1);
  CHECK(f.store->list_outbox({})->size() == f.entries(ActionType::notification_enqueued).size());
  const auto enqueued = f.entries(ActionType::notification_enqueued).size();

  auto other = f.service->book(id, slot(12, 11h), recruiter(), once);
  REQUIRE_FALSE(other);
  CHECK(other.error().message().find("already used for a different request") != std::string::npos);
  CHECK(f.entries(ActionType::notification_enqueued).size() == enqueued);
}

TEST_CASE("each booking gets an unguessable URL-safe session key in its meeting link",
          "[booking]") {
  BookingOptions options{.test_mode = true};
  options.meeting_base_url = "https://meet.example.com/room";
  Fixture f(std::make_shared<MemoryStore>(), options);
  std::set<std::string> links;
  for (int i = 0; i < 20; ++i) {
    const auto id = f.create("cand-" + std::to_string(i), {"int-" + std::to_string(i)}).id;
    auto booked = f.service->book(id, slot(12, 9h), recruiter()).value().interview;
    const std::string prefix = "https://meet.example.com/room/";
    REQUIRE(booked.meeting_link.starts_with(prefix));
    const auto key = booked.meeting_link.substr(prefix.size());
    CHECK(key.size() >= 22);  // >= 128 bits in base64url
    CHECK(
        key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
    links.insert(booked.meeting_link);
  }
  CHECK(links.size() == 20);
}

TEST_CASE("when randomness fails the booking fails cleanly and nothing is written", "[booking]") {
  Fixture f(std::make_shared<MemoryStore>(), {}, nullptr, std::make_shared<BrokenRandom>());
  const auto id = f.create().id;
  auto booked = f.service->book(id, slot(12, 9h), recruiter());
  REQUIRE_FALSE(booked);
  CHECK(booked.error().is<Unavailable>());
  CHECK(booked.error().message().find("session key") != std::string::npos);
  const auto stored = f.service->get(id).value();
  CHECK(stored.status == InterviewStatus::pending);
  CHECK(stored.version == 1);
  CHECK(f.store->list_outbox({})->empty());
  CHECK(f.entries(ActionType::interview_booked).empty());
}

namespace {

// A source whose stream is consecutive 64-bit counters, so a byte handed out twice shows as
// a counter seen twice; it counts its calls.
class CountingRandom final : public RandomSource {
 public:
  Result<void> fill(std::span<std::byte> out) override {
    ++calls;
    for (auto& b : out) {
      b = std::byte(static_cast<unsigned char>(next_ >> (8 * (offset_ % 8))));
      if (++offset_ % 8 == 0)
        ++next_;
    }
    return {};
  }
  int calls = 0;

 private:
  std::uint64_t next_ = 1;
  std::uint64_t offset_ = 0;
};

// The 64-bit words of a base64url token whose byte count is a multiple of 8.
std::vector<std::uint64_t> words_of(const std::string& token) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<unsigned char> bytes;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : token) {
    buffer = (buffer << 6) | static_cast<std::uint32_t>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<unsigned char>(buffer >> bits));
    }
  }
  std::vector<std::uint64_t> words(bytes.size() / 8);
  for (std::size_t i = 0; i < words.size() * 8; ++i)
    words[i / 8] |= std::uint64_t{bytes[i]} << (8 * (i % 8));
  return words;
}

}  // namespace

TEST_CASE("a booking draws its randomness in one call and uses no byte twice",
          "[booking][dispatch]") {
  // Five channels: 20 message tokens, more than one draw holds, so the tokens take a second.
  const auto channels = GENERATE(std::vector<std::string>{"default"},
                                 std::vector<std::string>{"a", "b", "c", "d", "e"});
  auto random = std::make_shared<CountingRandom>();
  Fixture f(std::make_shared<MemoryStore>(), {.channels = channels}, nullptr, random);
  std::set<std::uint64_t> seen;
  std::size_t words = 0;
  for (int i = 0; i < 3; ++i) {
    const auto id = f.create("cand-" + std::to_string(i), {"int-" + std::to_string(i)}).id;
    const int before = random->calls;
    const auto booked = f.service->book(id, slot(12 + i, 9h), recruiter()).value();
    CHECK(random->calls - before == (channels.size() == 1 ? 1 : 2));
    const auto& link = booked.interview.meeting_link;
    std::vector<std::string> tokens{link.substr(link.rfind('/') + 1)};
    for (const auto& m : f.store->list_outbox({.interview = id}).value())
      tokens.push_back(m.message_token);
    CHECK(tokens.size() == 1 + 4 * channels.size());
    for (const auto& token : tokens) {
      for (auto word : words_of(token)) {
        seen.insert(word);
        ++words;
      }
    }
  }
  CHECK(words == 3 * (3 + 2 * 4 * channels.size()));  // 24-byte key, 16-byte tokens
  CHECK(seen.size() == words);
}

TEST_CASE("each enqueued entry names its outbox message, key and token included",
          "[booking][dispatch]") {
  // Two channels: the keys differ per channel, and the store takes every key it stores.
  Fixture f(std::make_shared<MemoryStore>(), {.channels = {"default", "webhook"}});
  const auto id = f.create().id;
  const auto booked = f.service->book(id, slot(12, 9h), recruiter()).value();
  const auto outbox = f.store->list_outbox({.interview = id}).value();
  const auto entries = f.entries(ActionType::notification_enqueued, id);
  REQUIRE(outbox.size() == 8);
  REQUIRE(entries.size() == outbox.size());
  REQUIRE(booked.enqueued.size() == outbox.size());
  for (std::size_t i = 0; i < outbox.size(); ++i) {
    const auto& m = outbox[i];
    const auto& details = entries[i].details;
    CHECK(details.at("idempotency_key").get<std::string>() == m.idempotency_key);
    CHECK(details.at("channel").get<std::string>() == m.channel);
    CHECK(details.at("recipient").get<std::string>() == m.recipient);
    CHECK(details.at("kind").get<std::string>() == to_string(m.kind));
    CHECK(details.at("due").get<std::string>() == format_utc(m.due));
    CHECK(booked.enqueued[i] == EnqueuedNotification{m.id, m.recipient, m.kind, m.channel, m.due});
    CHECK(m.message_token.size() == 22);
  }
}

namespace {

// Runs the work of every write twice, as a SQL store does after a serialization failure:
// first in a transaction that it then rolls back, then for real.
class RerunStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Result<void> write(const Work& work) override {
    (void)target()->write([&](StoreTransaction& tx) -> Result<void> {
      if (auto ok = work(tx); !ok)
        return ok;
      return Unavailable{"serialization failure (test): run it again"};
    });
    return target()->write(work);
  }
};

}  // namespace

TEST_CASE("a booking whose work runs again reports, logs and draws as if it ran once",
          "[booking][dispatch]") {
  auto random = std::make_shared<CountingRandom>();
  Fixture f(std::make_shared<RerunStore>(std::make_shared<MemoryStore>()), {}, nullptr, random);
  const auto id = f.create().id;
  const auto booked = f.service->book(id, slot(12, 9h), recruiter()).value();
  CHECK(random->calls == 1);  // both runs from one draw, no byte used twice (below)
  const auto outbox = f.store->list_outbox({.interview = id}).value();
  const auto entries = f.entries(ActionType::notification_enqueued, id);
  REQUIRE(outbox.size() == 4);
  REQUIRE(entries.size() == outbox.size());
  REQUIRE(booked.enqueued.size() == outbox.size());
  CHECK(f.entries(ActionType::interview_booked, id).size() == 1);
  std::set<std::uint64_t> seen;
  const auto& link = booked.interview.meeting_link;
  for (auto word : words_of(link.substr(link.rfind('/') + 1)))
    CHECK(seen.insert(word).second);
  for (std::size_t i = 0; i < outbox.size(); ++i) {
    CHECK(entries[i].details.at("idempotency_key").get<std::string>() == outbox[i].idempotency_key);
    CHECK(booked.enqueued[i].outbox == outbox[i].id);
    for (auto word : words_of(outbox[i].message_token))
      CHECK(seen.insert(word).second);
  }
}

TEST_CASE("book and reschedule from a revision held do what the calls by id do",
          "[booking][dispatch]") {
  // MemoryStore reads the stored revision whatever is held (StoreTransaction::load_held's
  // default); PostgresStore's check of the held revision is tested against a server.
  Fixture f;
  const auto held = f.create();
  const auto booked = f.service->book(held, slot(12, 9h), recruiter()).value().interview;
  CHECK(booked.version == 2);
  CHECK(f.store->find(held.id).value() == booked);
  const auto again = f.service->book(held, slot(12, 10h), recruiter());
  REQUIRE_FALSE(again);
  CHECK(again.error().is<IllegalTransition>());
  (void)f.service->reschedule(held.id, slot(12, 11h), recruiter()).value();
  const auto moved = f.service->reschedule(booked, slot(12, 13h), recruiter()).value();
  CHECK(moved.interview.version == 4);
  REQUIRE_FALSE(moved.enqueued.empty());
  const auto message = f.store->find_outbox(moved.enqueued.front().outbox).value().value();
  CHECK(message.payload["previous_slot"] == nlohmann::json(slot(12, 11h)));
  const auto stale = f.service->reschedule(booked, slot(12, 14h), recruiter(),
                                           {.expected_version = 2, .idempotency_key = {}});
  REQUIRE_FALSE(stale);
  CHECK(stale.error().get_if<StaleVersion>()->actual == 4);
}

TEST_CASE("service options are validated", "[booking]") {
  auto store = std::make_shared<MemoryStore>();
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  BookingOptions bad;
  bad.meeting_base_url = "javascript:alert(1)";
  CHECK_FALSE(BookingService::make(store, log, bad));
  bad.meeting_base_url = "https://ok.example.com/";
  bad.buffer_before = std::chrono::seconds{-1};
  CHECK_FALSE(BookingService::make(store, log, bad));
  CHECK_FALSE(BookingService::make(nullptr, log));
  CHECK(BookingService::make(store, log, {.test_mode = true}));
  // Every meeting link is minted from the base URL: it must be text a notification carries.
  for (const char* url : {"https://meet.example/\x01room", "https://meet.example/\xffroom"}) {
    bad = {};
    bad.meeting_base_url = url;
    const auto refused = BookingService::make(store, log, bad);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message().find("meeting base URL") != std::string::npos);
  }
}

TEST_CASE("a booking whose timestamps could not be stored is refused, not enqueued",
          "[booking][dispatch]") {
  Fixture f;
  const auto id = f.create().id;
  // Timestamps are written with four-digit years: 10000 could not be read back.
  const auto far = TimeRange::make(date::sys_days{date::year{10000} / 1 / 3}, 1h).value();
  const auto refused = f.service->book(id, far, recruiter());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().is<InvalidInput>());
  CHECK(refused.error().message().find("outside the years 0000 to 9999") != std::string::npos);
  const auto last = TimeRange::make(date::sys_days{date::year{9999} / 12 / 31}, 1h).value();
  CHECK(f.service->book(id, last, recruiter()));
  // A host clock past 9999 cannot stamp a revision either.
  const auto id2 = f.create("cand-2", {"int-2"}).id;
  f.clock->set(UtcMillis{date::sys_days{date::year{10000} / 1 / 1}});
  CHECK_FALSE(f.service->confirm(id, recruiter()));
  CHECK_FALSE(f.service->cancel(id2, "", recruiter()));
  CHECK(f.service->get(id)->status == InterviewStatus::scheduled);
}

namespace {

/// A host's clock that breaks its contract: it throws once `armed` is set.
class ThrowingClock final : public Clock {
 public:
  explicit ThrowingClock(std::shared_ptr<const Clock> inner) : inner_(std::move(inner)) {}
  UtcMillis now() const override {
    if (armed)
      throw std::runtime_error("clock hardware gone");
    return inner_->now();
  }
  std::atomic<bool> armed{false};

 private:
  std::shared_ptr<const Clock> inner_;
};

}  // namespace

TEST_CASE("a host's clock, randomness or callback that throws never escapes an operation",
          "[booking][faults]") {
  Fixture f;
  auto clock = std::make_shared<ThrowingClock>(f.clock);
  auto service =
      BookingService::make(f.store, f.log, with_clock(BookingOptions{.test_mode = true}, clock))
          .value();
  const auto id =
      service
          ->create(CreateRequest{"Interview", candidate("c-1"), {interviewer("i-1")}}, recruiter())
          .value()
          .id;
  SECTION("the clock") {
    clock->armed = true;
    Result<TransitionOutcome> booked = InvalidInput{"not run"};
    REQUIRE_NOTHROW(booked = service->book(id, slot(12, 9h), recruiter()));
    REQUIRE_FALSE(booked);
    CHECK(booked.error().is<Unavailable>());
    CHECK_THAT(booked.error().message(), Catch::Contains("clock hardware gone"));
    clock->armed = false;
    CHECK(service->get(id).value().status == InterviewStatus::pending);  // nothing half-done
    auto dispatcher =
        Dispatcher::make(f.store, f.recorder, f.log, with_clock(DispatcherOptions{}, clock))
            .value();
    clock->armed = true;
    Result<bool> requeued = false;
    REQUIRE_NOTHROW(requeued = dispatcher->requeue(OutboxId{1}, recruiter()));
    CHECK_FALSE(requeued);
  }
  SECTION("the callback after a commit: the booking stands") {
    service->on_enqueued([] { throw std::runtime_error("host callback broke"); });
    auto booked = service->book(id, slot(12, 9h), recruiter());
    REQUIRE(booked);
    CHECK(booked->interview.status == InterviewStatus::scheduled);
  }
}

TEST_CASE("each notification_enqueued entry names its message exactly", "[booking][log]") {
  Fixture f;
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  const auto outbox = f.store->list_outbox({}).value();
  const auto entries = f.entries(ActionType::notification_enqueued, id);
  REQUIRE(entries.size() == outbox.size());
  for (std::size_t i = 0; i < outbox.size(); ++i) {
    const auto& m = outbox[i];
    CHECK(entries[i].details == nlohmann::json{{"idempotency_key", m.idempotency_key},
                                               {"kind", std::string(to_string(m.kind))},
                                               {"channel", m.channel},
                                               {"recipient", m.recipient},
                                               {"due", format_utc(m.due)}});
  }
}

TEST_CASE("an interview is neither completed nor marked a no-show before it starts",
          "[booking][package]") {
  Fixture f;
  const auto id = f.create().id;
  const auto booked = f.service->book(id, slot(12, 9h), recruiter()).value();
  f.clock->set(UtcMillis{at(12, 9h) - std::chrono::seconds{1}});
  for (auto r : {f.service->complete(id, recruiter()), f.service->mark_no_show(id, recruiter())}) {
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == ErrorKind::invalid_input);
    CHECK_THAT(r.error().message(), Catch::Contains("starts at 2024-03-12T09:00:00Z"));
  }
  CHECK(f.service->get(id).value() == booked.interview);  // nothing changed
  CHECK(f.entries(ActionType::interview_completed, id).empty());
  f.clock->set(UtcMillis{at(12, 9h)});
  CHECK(f.service->mark_no_show(id, recruiter()));
}

namespace {

// Keeps only the action it is made with (none: nothing), and notes every entry it is given.
// Used from one thread at a time.
class SelectiveSink final : public ActionLogSink {
 public:
  explicit SelectiveSink(std::optional<ActionType> kept) : kept_(kept) {}
  void write(const ActionEntry& entry) override { written.push_back(entry.action); }
  bool wants(ActionType action) const noexcept override { return kept_ && action == *kept_; }
  std::vector<ActionType> written;

 private:
  std::optional<ActionType> kept_;
};

}  // namespace

TEST_CASE("entries a sink drops are not built, and every other sink still gets them all",
          "[booking][log][concurrency][dispatch]") {
  // The same create, book and reschedule (which supersedes the invites) on a fresh store with
  // a fixed clock: the same outbox and, for a sink that keeps everything, the same entries.
  const auto run = [](std::shared_ptr<ActionLogSink> sink) {
    auto store = std::make_shared<MemoryStore>();
    BookingOptions options{.test_mode = true};
    options.clock =
        std::make_shared<ManualClock>(UtcMillis{date::sys_days{date::year{2024} / 3 / 1}});
    auto service =
        BookingService::make(store, ActionLog::make(std::move(sink)).value(), options).value();
    const auto id = service
                        ->create({"Technical interview",
                                  candidate("cand-1"),
                                  {interviewer("int-1"), interviewer("int-2")}},
                                 recruiter())
                        .value()
                        .id;
    REQUIRE(service->book(id, slot(12, 9h), recruiter()));
    REQUIRE(service->reschedule(id, slot(13, 9h), recruiter()));
    return store->list_outbox({}).value().size();
  };
  const auto everything = std::make_shared<MemorySink>();
  const auto rows = run(everything);
  REQUIRE(everything->query({}).size() > 3);

  SECTION("a sink that wants nothing is given nothing, and the outbox is the same") {
    const auto none = std::make_shared<SelectiveSink>(std::nullopt);
    CHECK(run(none) == rows);
    CHECK(none->written.empty());
  }
  SECTION("a sink that wants one action is given exactly those entries") {
    const auto booked = std::make_shared<SelectiveSink>(ActionType::interview_booked);
    CHECK(run(booked) == rows);
    CHECK(booked->written == std::vector{ActionType::interview_booked});
  }
  SECTION("beside a sink that drops everything, a real sink gets identical entries") {
    const auto memory = std::make_shared<MemorySink>();
    const auto none = std::make_shared<SelectiveSink>(std::nullopt);
    const auto fanout = FanoutSink::make({none, memory}).value();
    CHECK(fanout->wants(ActionType::notification_enqueued));
    CHECK(run(fanout) == rows);
    CHECK(memory->query({}) == everything->query({}));
    CHECK_FALSE(FanoutSink::make({none, none}).value()->wants(ActionType::interview_booked));
  }
}
