// PostgresStore outbox ids: a lane's id order is its enqueue order, also within one transaction
// that enqueues more than the ids drawn with its load. Against a real server.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <interviewkit/store/postgres_store.hpp>

#include "conformance/store_samples.hpp"
#include "support/fixture.hpp"
#include "support/postgres_server.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

TEST_CASE("two enqueues for a loaded interview in one transaction keep enqueue order",
          "[postgres][outbox][dispatch]") {
  auto store = PostgresStore::open({.url = PostgresServer::shared().fresh_database()}).value();
  const auto now = UtcMillis{std::chrono::milliseconds{1'800'000'000'000}};
  InterviewId id;
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    id = tx.insert(sample_interview("c-1", "i-1")).value();
    return {};
  }));
  std::vector<OutboxId> first;
  std::vector<OutboxId> second;
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    first.clear();
    second.clear();
    if (auto loaded = tx.load(id); !loaded)
      return loaded.error();
    // More messages than the ids drawn with the load (a large panel times channels) ...
    std::vector<OutboxMessage> many;
    for (int i = 0; i < 17; ++i)
      many.push_back(sample_message(id, "a-" + std::to_string(i), now));
    auto a = tx.enqueue(many);
    if (!a)
      return a.error();
    first = *a;
    // ... then one more for the same interview, recipient and channel (the same lane).
    auto b = tx.enqueue(std::vector{sample_message(id, "b", now)});
    if (!b)
      return b.error();
    second = *b;
    return {};
  }));
  const auto last_of_first = std::ranges::max(first, {}, [](OutboxId x) { return x.value(); });
  INFO("first call's ids up to " << last_of_first.value() << ", second call's id "
                                 << second.front().value());
  CHECK(second.front().value() > last_of_first.value());
  // What a dispatcher sees: the lane's head is the message enqueued last.
  auto claimed =
      store->claim_due(now + std::chrono::milliseconds{1}, 1, std::chrono::minutes{5}).value();
  REQUIRE(claimed.size() == 1);
  CHECK(claimed.front().idempotency_key == "a-0");
}
