// The randomized simulation on MemoryStore (see simulation.hpp for the invariants).
#include "simulation/simulation.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

TEST_CASE("random histories keep every delivery invariant on MemoryStore", "[simulation][faults]") {
  const auto totals = sim::run_histories(2000, 1, 60, [](std::uint64_t) {
    auto sink = std::make_shared<MemorySink>();
    auto log = ActionLog::make(sink, {.on_error = [](const std::string&) {}}).value();
    return std::tuple{
        std::shared_ptr<Store>(std::make_shared<MemoryStore>()), log,
        std::function<std::vector<ActionEntry>()>([sink] { return sink->query({}); })};
  });
  sim::report("MemoryStore", totals);
  CHECK(totals.deliveries > 0);
  CHECK(totals.store_exceptions > 0);
  CHECK(totals.crashes > 0);
}
