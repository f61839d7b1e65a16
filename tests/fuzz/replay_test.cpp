// Replays every seed corpus (tests/fuzz/corpus/<target>/*) through its fuzz target: one
// [fuzz] test case per target. A violated property aborts the process with a message naming
// the corpus file.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <catch2/catch.hpp>

#include "fuzz_support.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path corpus_root{INTERVIEWKIT_FUZZ_CORPUS_DIR};

std::vector<fs::path> corpus_files(const std::string& target) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(corpus_root / target)) {
    if (entry.is_regular_file())
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const std::string& target) {
  const auto& all = interviewkit::fuzz::targets();
  const auto it = all.find(target);
  REQUIRE(it != all.end());
  REQUIRE(fs::is_directory(corpus_root / target));
  const auto files = corpus_files(target);
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    interviewkit::fuzz::set_current_input(file.string());
    it->second(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  interviewkit::fuzz::set_current_input({});
  SUCCEED(files.size() << " inputs replayed through " << target);
}

}  // namespace

#define INTERVIEWKIT_REPLAY(target)                     \
  TEST_CASE("fuzz corpus replay: " #target, "[fuzz]") { \
    replay(#target);                                    \
  }

INTERVIEWKIT_REPLAY(status_names)
INTERVIEWKIT_REPLAY(utc_timestamp)
INTERVIEWKIT_REPLAY(email_address)
INTERVIEWKIT_REPLAY(participant)
INTERVIEWKIT_REPLAY(time_zone)
INTERVIEWKIT_REPLAY(interview_json)
INTERVIEWKIT_REPLAY(notification_json)
INTERVIEWKIT_REPLAY(action_entry_json)
INTERVIEWKIT_REPLAY(outbox_payload)
#ifdef INTERVIEWKIT_FUZZ_CHANNELS
INTERVIEWKIT_REPLAY(webhook_verify)
INTERVIEWKIT_REPLAY(retry_after)
INTERVIEWKIT_REPLAY(webhook_reply)
#endif
#ifdef INTERVIEWKIT_FUZZ_CALENDAR
INTERVIEWKIT_REPLAY(busy_times)
#endif

TEST_CASE("every fuzz target has a corpus and a replay test case", "[fuzz]") {
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(corpus_root)) {
    if (entry.is_directory())
      dirs.push_back(entry.path().filename().string());
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::string> registered;
  for (const auto& [name, function] : interviewkit::fuzz::targets())
    registered.push_back(name);
#ifndef INTERVIEWKIT_FUZZ_CHANNELS
  std::erase(dirs, "webhook_verify");
  std::erase(dirs, "retry_after");
  std::erase(dirs, "webhook_reply");
#endif
#ifndef INTERVIEWKIT_FUZZ_CALENDAR
  std::erase(dirs, "busy_times");
#endif
  CHECK(registered == dirs);
  CHECK(registered.size() == INTERVIEWKIT_FUZZ_TARGET_COUNT);
}
