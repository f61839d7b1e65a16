// What the reconciliation tests share: the stores they run on (MemoryStore and a SQLite file
// in a TempDir), a reconciler over a Fixture's store and clock, and a dispatcher run.
#pragma once

#include <interviewkit/outbox/fate.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "support/fixture.hpp"
#include "support/temp_dir.hpp"

namespace interviewkit::testing {

struct MemoryKind {
  static std::shared_ptr<Store> make(TempDir&) { return std::make_shared<MemoryStore>(); }
};
struct SqliteKind {
  static std::shared_ptr<Store> make(TempDir& dir) {
    return SqliteStore::open(dir.path() / "fate.db").value();
  }
};
using ReconcileStores = std::tuple<MemoryKind, SqliteKind>;

/// A start for ranges that must include everything.
inline UtcMillis long_ago() {
  return UtcMillis{date::sys_days{date::year{2000} / 1 / 1}};
}

inline Reconciler reconciler_for(Fixture& f, std::vector<std::string> channels = {"default"}) {
  return Reconciler::make(f.store, {.channels = std::move(channels), .clock = f.clock}).value();
}

/// Dispatcher passes with the clock moved past any backoff (the Fixture's cap is 100 ms).
inline void run_dispatcher(Fixture& f, int passes = 6) {
  for (int pass = 0; pass < passes; ++pass) {
    f.drain();
    f.clock->advance(std::chrono::milliseconds{200});
  }
}

}  // namespace interviewkit::testing
