// MemoryStore: the Store conformance suite, in the core test binary (no database needed).
#include <tuple>

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
