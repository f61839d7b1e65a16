// Links against interviewkit (installed, or built in-tree) and uses its public API: the core
// and, when built with CONSUMER_WITH_SQLITE, the SQLite component, whose header is installed
// with it. scripts/test also compiles it with the flags `pkg-config` gives.
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>
#ifdef CONSUMER_WITH_SQLITE
#include <interviewkit/store/sqlite_store.hpp>
#endif

int main() {
  using namespace interviewkit;
  auto status = parse_interview_status("scheduled");
  auto bad = parse_interview_status("Scheduled");
  if (!status || *status != InterviewStatus::scheduled || bad) {
    fmt::print(stderr, "consumer: unexpected parse results\n");
    return EXIT_FAILURE;
  }
  fmt::print("consumer: linked interviewkit {}; parsed '{}'; rejected with: {}\n", version_string,
             *status, bad.error());
#ifdef CONSUMER_WITH_SQLITE
  const auto db = std::filesystem::temp_directory_path() / "interviewkit-consumer.db";
  auto store = SqliteStore::open(db);
  if (!store) {
    fmt::print(stderr, "consumer: {}\n", store.error());
    return EXIT_FAILURE;
  }
  const auto check = (*store)->integrity_check();
  std::filesystem::remove(db);
  fmt::print("consumer: sqlite store {}\n", check ? *check : check.error().message());
#endif
  return EXIT_SUCCESS;
}
