// Conformance for what operators and reconciliation read: the ids enqueue answers, the
// recipient and revision derived from a payload, outbox filters, cursor pages and counts,
// revision digests and retention. Included after store_conformance.hpp; runs on
// `ConformanceStores` like it.
#pragma once

#include <algorithm>

#include "conformance/store_conformance.hpp"

namespace interviewkit::testing {

/// A message whose payload names a recipient and a revision, as a Notification's does.
inline OutboxMessage addressed(InterviewId interview, const std::string& key,
                               const std::string& role, const std::string& person,
                               std::uint64_t revision, UtcMillis due) {
  auto m = sample_message(interview, key, due);
  m.payload = nlohmann::json{{"recipient", {{"role", role}, {"id", person}}},
                             {"interview", {{"version", revision}}}};
  return m;
}

/// Claims message `id` (and whatever else is due) and records `state` for it.
inline void finish(Store& store, OutboxId id, OutboxState state, UtcMillis now) {
  for (const auto& m : store.claim_due(now, 10000, std::chrono::minutes{5}).value()) {
    if (m.id == id) {
      REQUIRE(store.complete(m.id, m.claim, {state, std::nullopt, "reply", {}}, now).value());
    } else {
      REQUIRE(store.release(m.id, m.claim, now).value());
    }
  }
}

inline std::vector<OutboxId> ids_of(const std::vector<OutboxMessage>& messages) {
  std::vector<OutboxId> ids;
  for (const auto& m : messages)
    ids.push_back(m.id);
  return ids;
}

}  // namespace interviewkit::testing

TEMPLATE_LIST_TEST_CASE("enqueue answers the ids and derives recipient and revision",
                        "[conformance][outbox][fate]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto now = UtcMillis{at(1, 0min)};
  const auto interview = interview_with_messages(*store, {});
  std::vector<OutboxId> ids;
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    auto given = addressed(interview, "k-1", "candidate", "c-1", 3, now);
    given.recipient = "ignored";
    given.revision = 99;
    auto signed_version = sample_message(interview, "k-3", now);  // JSON built in code: signed
    signed_version.payload = nlohmann::json{{"interview", {{"version", 4}}}};
    auto negative = sample_message(interview, "k-4", now);
    negative.payload = nlohmann::json{{"interview", {{"version", -4}}}, {"recipient", 7}};
    auto out = tx.enqueue(
        std::vector{given, sample_message(interview, "k-2", now), signed_version, negative});
    if (!out)
      return out.error();
    ids = *out;
    return {};
  }));
  REQUIRE(ids.size() == 4);
  CHECK(ids[0] < ids[1]);
  CHECK(store->find_outbox(ids[2]).value().value().revision == 4);
  CHECK(store->find_outbox(ids[3]).value().value().revision == 0);
  CHECK(store->find_outbox(ids[3]).value().value().recipient.empty());
  const auto first = store->find_outbox(ids[0]).value().value();
  CHECK(first.idempotency_key == "k-1");
  CHECK(first.recipient == "candidate:c-1");
  CHECK(first.revision == 3);
  const auto second = store->find_outbox(ids[1]).value().value();
  CHECK(second.idempotency_key == "k-2");
  CHECK(second.recipient.empty());  // the payload names nobody
  CHECK(second.revision == 0);
}

TEMPLATE_LIST_TEST_CASE("the outbox is filtered, counted and paged by cursor",
                        "[conformance][outbox][cli]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto now = UtcMillis{at(1, 0min)};
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < 21; ++i) {
    auto m = addressed({}, fmt::format("k-{}", i), i % 2 ? "candidate" : "interviewer",
                       fmt::format("p-{}", i % 3), 1, now + std::chrono::minutes{i});
    m.kind = i % 4 ? NotificationKind::interview_scheduled : NotificationKind::interview_reminder;
    m.channel = i % 5 ? "mail" : "hook";
    messages.push_back(m);
  }
  const auto interview = interview_with_messages(*store, messages);
  const auto all = store->list_outbox({.limit = 10000}).value();
  REQUIRE(all.size() == 21);
  finish(*store, all[3].id, OutboxState::delivered, now + 1h);
  finish(*store, all[4].id, OutboxState::dead, now + 1h);
  const auto current = store->list_outbox({.limit = 10000}).value();

  const std::vector<OutboxQuery> queries{
      {.state = OutboxState::pending},
      {.interview = interview, .kind = NotificationKind::interview_reminder},
      {.recipient = "candidate:p-1"},
      {.channel = "hook"},
      {.due_before = now + 10min},
      {.state = OutboxState::pending, .recipient = "interviewer:p-0", .due_before = now + 15min},
      {.interview = InterviewId{interview.value() + 1000}},
  };
  for (const auto& query : queries) {
    std::vector<OutboxMessage> expected;
    std::copy_if(current.begin(), current.end(), std::back_inserter(expected), [&](const auto& m) {
      return (!query.state || m.state == *query.state) &&
             (!query.interview || m.interview == *query.interview) &&
             (!query.kind || m.kind == *query.kind) &&
             (!query.recipient || m.recipient == *query.recipient) &&
             (!query.channel || m.channel == *query.channel) &&
             (!query.due_before || m.due < *query.due_before);
    });
    CHECK(ids_of(store->list_outbox(query).value()) == ids_of(expected));
    const auto counts = store->count_outbox(query).value();
    CHECK(counts.total() == expected.size());
    const auto pending = std::count_if(expected.begin(), expected.end(), [](const auto& m) {
      return m.state == OutboxState::pending;
    });
    CHECK(counts.pending == static_cast<std::uint64_t>(pending));
    if (pending > 0) {
      CHECK(counts.oldest_pending_due ==
            std::find_if(expected.begin(), expected.end(), [](const auto& m) {
              return m.state == OutboxState::pending;
            })->due);  // dues grow with the id
    } else {
      CHECK_FALSE(counts.oldest_pending_due);
    }
  }
  const auto counts = store->count_outbox({}).value();
  CHECK(counts == OutboxCounts{19, 1, 1, 0, now + 0min});

  // 21 messages in pages of 7: three full pages, the last without a cursor (a probe found
  // nothing after it), and together every id once, in order.
  std::vector<OutboxId> paged;
  OutboxQuery query{.limit = 7};
  int pages = 0;
  for (;; ++pages) {
    const auto page = page_outbox(*store, query).value();
    for (const auto& m : page.messages)
      paged.push_back(m.id);
    if (!page.next)
      break;
    CHECK(page.messages.size() == 7);
    query.after = *page.next;
  }
  CHECK(pages == 2);
  CHECK(paged == ids_of(all));
  const auto short_page = page_outbox(*store, {.state = OutboxState::dead, .limit = 7}).value();
  CHECK(short_page.messages.size() == 1);
  CHECK_FALSE(short_page.next);

  for (const std::size_t bad : {std::size_t{0}, std::size_t{10001}}) {
    auto refused = store->list_outbox({.limit = bad});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind() == ErrorKind::invalid_input);
    CHECK_THAT(refused.error().message(), Catch::Contains("page size"));
  }
}

TEMPLATE_LIST_TEST_CASE("revisions report the recorded transition and the current revision",
                        "[conformance][fate][reconcile]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto t0 = UtcMillis{at(1, 0min)};
  const auto slot = TimeRange::make(at(5, 9h), at(5, 10h)).value();
  InterviewId id;
  InterviewId other;
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    id = tx.insert(sample_interview("c-1", "i-1")).value();
    auto later = sample_interview("c-2", "i-2");
    later.updated_at = at(2, 0min);
    other = tx.insert(later).value();
    auto booked = scheduled_interview("c-1", "i-1", slot);
    booked.id = id;
    booked.version = 2;
    booked.updated_at = at(1, 30min);
    if (auto ok = tx.update(booked); !ok)
      return ok;
    if (auto ok = tx.record_transition(id, {InterviewEvent::book, InterviewStatus::pending}); !ok)
      return ok;
    auto old = addressed(id, "old", "candidate", "c-1", 1, t0);
    old.channel = "webhook";  // its own lane: "to-c" is not queued behind it
    return enqueued(tx.enqueue(std::vector{
        old,
        addressed(id, "to-c", "candidate", "c-1", 2, t0),
        addressed(id, "to-i", "interviewer", "i-1", 2, t0),
    }));
  }));
  const auto messages = store->list_outbox({.interview = id}).value();
  finish(*store, messages[1].id, OutboxState::delivered, t0 + 1min);

  auto digests = store->revisions({.interview = id}).value();
  REQUIRE(digests.size() == 1);
  const auto& d = digests.front();
  CHECK(d.version == 2);
  CHECK(d.status == InterviewStatus::scheduled);
  CHECK(d.transition == RecordedTransition{InterviewEvent::book, InterviewStatus::pending});
  CHECK(d.changed_at == UtcMillis{at(1, 30min)});
  CHECK(d.slot == slot);
  CHECK(d.recipients == std::vector<std::string>{"candidate:c-1", "interviewer:i-1"});
  CHECK(d.delivered == 1);
  // Revision 1's message is still pending, so still in force; then revision 2's other one.
  REQUIRE(d.messages.size() == 2);
  CHECK(d.messages[0].id == messages[0].id);
  CHECK(d.messages[0].revision == 1);
  CHECK(d.messages[1].id == messages[2].id);
  CHECK(d.messages[1].revision == 2);
  CHECK(d.messages[1].recipient == "interviewer:i-1");
  CHECK(d.messages[1].state == OutboxState::pending);
  CHECK(store->revisions({.interview = id, .with_delivered = true}).value()[0].messages.size() ==
        3);
  // Once revision 1's message is settled (expired), it is no longer part of the digest.
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    auto expired = tx.supersede(id, NotificationKind::interview_scheduled, "gone", t0 + 2min);
    if (!expired)
      return expired.error();
    return {};
  }));
  const auto settled = store->revisions({.interview = id}).value()[0].messages;
  REQUIRE(settled.size() == 1);  // revision 2's message, now expired too
  CHECK(settled[0].revision == 2);
  CHECK(settled[0].state == OutboxState::expired);

  // By change time, half-open, ordered by that time: the new interview has no transition.
  const auto ranged = store->revisions({.since = UtcMillis{at(1, 0min)}}).value();
  REQUIRE(ranged.size() == 2);
  CHECK(ranged[0].interview == id);
  CHECK(ranged[1].interview == other);
  CHECK_FALSE(ranged[1].transition);
  CHECK(store->revisions({.since = UtcMillis{at(1, 31min)}, .until = UtcMillis{at(2, 0min)}})
            .value()
            .empty());
  CHECK(store->revisions({.interview = InterviewId{other.value() + 100}}).value().empty());

  // A later write that records no transition leaves the revision unexplained.
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    auto current = tx.load(id).value();
    ++current.version;
    return tx.update(current);
  }));
  CHECK_FALSE(store->revisions({.interview = id}).value()[0].transition);
}

TEMPLATE_LIST_TEST_CASE("purge removes delivered and expired messages before a date only",
                        "[conformance][outbox]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto t0 = UtcMillis{at(1, 0min)};
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < 6; ++i)
    messages.push_back(addressed({}, fmt::format("k-{}", i), "candidate", "c-1", 1, t0));
  const auto id = interview_with_messages(*store, messages);
  const auto all = store->list_outbox({.interview = id}).value();
  finish(*store, all[0].id, OutboxState::delivered, t0 + 1min);  // old enough
  finish(*store, all[1].id, OutboxState::delivered, t0 + 3h);    // too recent
  finish(*store, all[2].id, OutboxState::dead, t0 + 1min);       // then superseded
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    auto expired = tx.supersede(id, NotificationKind::interview_scheduled, "moved", t0 + 2min);
    if (!expired)
      return expired.error();
    return {};
  }));  // expires 2 (dead), 3, 4 and 5 (pending)

  CHECK(store->purge({}, {}).value() == PurgeResult{});
  const auto purged = store->purge({.delivered_before = t0 + 1h}, {}).value();
  CHECK(purged.messages == 5);  // 0 delivered, 2..5 expired
  const auto left = store->list_outbox({.interview = id}).value();
  REQUIRE(left.size() == 1);
  CHECK(left[0].id == all[1].id);
  CHECK(store->find_outbox(all[0].id).value() == std::nullopt);
  // A purged idempotency key may be enqueued again, as after any delete.
  CHECK(store->write([&](StoreTransaction& tx) -> Result<void> {
    return enqueued(tx.enqueue(std::vector{addressed(id, "k-0", "candidate", "c-1", 1, t0)}));
  }));
}

namespace interviewkit::testing {

/// Claims what is due at `now` and answers the indexes (in `all`) of the claimed messages.
inline std::vector<std::size_t> claim_indexes(Store& store, const std::vector<OutboxMessage>& all,
                                              UtcMillis now,
                                              std::vector<OutboxMessage>* claimed = nullptr) {
  auto got = store.claim_due(now, 100, std::chrono::minutes{5}).value();
  std::vector<std::size_t> indexes;
  for (const auto& m : got) {
    const auto at = std::find_if(all.begin(), all.end(), [&](auto& a) { return a.id == m.id; });
    indexes.push_back(static_cast<std::size_t>(at - all.begin()));
  }
  std::sort(indexes.begin(), indexes.end());
  if (claimed != nullptr)
    *claimed = std::move(got);
  return indexes;
}

inline void record(Store& store, const OutboxMessage& m, OutboxCompletion outcome, UtcMillis now) {
  REQUIRE(store.complete(m.id, m.claim, outcome, now).value());
}

}  // namespace interviewkit::testing

TEMPLATE_LIST_TEST_CASE("a recipient gets a channel's messages in the order they were enqueued",
                        "[conformance][outbox][concurrency][dispatch]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto t0 = UtcMillis{at(1, 0min)};
  auto to = [&](const std::string& person, const char* key, UtcMillis due) {
    return addressed({}, key, "candidate", person, 1, due);
  };
  auto hook = to("c-1", "hook", t0);
  hook.channel = "webhook";
  const std::vector<OutboxMessage> messages{
      to("c-1", "invite", t0),  // 0: heads the lane (interview, c-1, mail)
      to("c-1", "cancel", t0),  // 1: waits behind 0
      to("c-2", "other", t0),   // 2: another recipient: its own lane
      hook,                     // 3: another channel: its own lane
      to("c-1", "reminder", t0 + std::chrono::hours{24}),  // 4: not due: holds nothing back
      to("c-1", "after", t0),                              // 5: waits behind 0 and 1
  };
  const auto id = interview_with_messages(*store, messages);
  const auto all = store->list_outbox({.interview = id}).value();
  REQUIRE(all.size() == 6);
  std::vector<OutboxMessage> claimed;
  CHECK(claim_indexes(*store, all, t0, &claimed) == std::vector<std::size_t>{0, 2, 3});
  // The head fails and waits for a retry: in flight or waiting, it still holds its lane.
  CHECK(claim_indexes(*store, all, t0 + 1min).empty());
  const auto retry_at = t0 + 10min;
  for (const auto& m : claimed) {
    const bool head = m.id == all[0].id;
    record(*store, m,
           head ? OutboxCompletion{OutboxState::pending, retry_at, "421 busy", {}}
                : OutboxCompletion{OutboxState::delivered, std::nullopt, "250 ok", {}},
           t0 + 1min);
  }
  CHECK(claim_indexes(*store, all, t0 + 2min).empty());  // 1 and 5 wait behind the retry
  CHECK(store->list_outbox({.state = OutboxState::pending}).value().size() == 4);
  CHECK(claim_indexes(*store, all, retry_at, &claimed) == std::vector<std::size_t>{0});
  record(*store, claimed[0], {OutboxState::delivered, std::nullopt, "250 ok", {}}, retry_at);
  CHECK(claim_indexes(*store, all, retry_at, &claimed) == std::vector<std::size_t>{1});
  // A dead message holds nothing back either.
  record(*store, claimed[0], {OutboxState::dead, std::nullopt, "550 no", {}}, retry_at);
  CHECK(claim_indexes(*store, all, retry_at, &claimed) == std::vector<std::size_t>{5});
  record(*store, claimed[0], {OutboxState::delivered, std::nullopt, "250 ok", {}}, retry_at);
  CHECK(claim_indexes(*store, all, t0 + std::chrono::hours{24}) == std::vector<std::size_t>{4});
}
