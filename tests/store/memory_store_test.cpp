// MemoryStore: the Store conformance suite, in the core test binary (no database needed).
#include <tuple>

#include <interviewkit/store/store_sink.hpp>

#include "support/fixture.hpp"

namespace {
struct MemoryFactory {
  static std::shared_ptr<interviewkit::Store> make() {
    return std::make_shared<interviewkit::MemoryStore>();
  }
};
}  // namespace

using ConformanceStores = std::tuple<MemoryFactory>;

#include "conformance/store_conformance.hpp"
#include "conformance/outbox_query_conformance.hpp"

TEST_CASE("a StoreSink needs a store: a null one is an error value, not an exception",
          "[store][action-log]") {
  auto sink = StoreSink::make(nullptr);
  REQUIRE_FALSE(sink);
  CHECK(sink.error().is<InvalidInput>());
  CHECK(sink.error().message().find("StoreSink") != std::string::npos);
}

TEST_CASE("a MemoryStore keeps no action log", "[store][action-log]") {
  MemoryStore store;
  CHECK_FALSE(store.keeps_action_log());
  auto appended = store.write(
      [](StoreTransaction& tx) -> Result<void> { return tx.append_action(ActionEntry{}); });
  REQUIRE_FALSE(appended);
  CHECK(appended.error().is<InvalidInput>());
}
