// JsonLinesSink: one complete JSON object per line, appended, read back strictly.
#include <sys/stat.h>
#include <system_error>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/log/jsonl_sink.hpp>

#include "log_test_support.hpp"

using namespace interviewkit;
using log_test::entry;
using log_test::read_lines;
using log_test::TempDir;
using namespace std::chrono_literals;

namespace {

std::vector<ActionEntry> sample_entries() {
  auto delivered = entry(ActionType::notification_delivered, 42, 3s);
  delivered.details = {{"recipient", "ann@example.com"}, {"kind", "invitation"}};
  return {
      log_test::full_entry(),
      entry(ActionType::notification_enqueued, 42, 1s),
      entry(ActionType::notification_failed, 7, 2s),
      delivered,
      entry(ActionType::notification_expired, 0, 4s),
  };
}

std::shared_ptr<JsonLinesSink> open_log(const std::filesystem::path& path,
                                        JsonLinesSink::Options options = {}) {
  auto log = JsonLinesSink::open(path, options);
  REQUIRE(log);
  return *log;
}

}  // namespace

TEST_CASE("the JSON Lines log writes one complete object per line", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "actions.jsonl";
  const auto entries = sample_entries();
  {
    auto log = open_log(path);
    CHECK(log->path() == path);
    CHECK_FALSE(log->options().fsync);
    CHECK(std::filesystem::exists(path));
    for (const auto& e : entries)
      log->write(e);
  }

  const auto text = log_test::read_text(path);
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == entries.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(i, lines[i]);
    const auto j = nlohmann::json::parse(lines[i]);  // throws if the line is not complete
    REQUIRE(j.is_object());
    CHECK(j == nlohmann::json(entries[i]));
    CHECK(j.get<ActionEntry>() == entries[i]);
  }
  // The note in full_entry() holds a newline: it must be escaped, not split the line.
  CHECK_THAT(lines[0], Catch::Contains(R"(line one\nline two \"quoted\")"));
  CHECK(nlohmann::json::parse(lines[4])["interview"].is_null());
}

TEST_CASE("the JSON Lines log reads back and answers queries", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "actions.jsonl";
  const auto entries = sample_entries();
  auto log = open_log(path);
  for (const auto& e : entries)
    log->write(e);

  SECTION("read() returns every entry in order") {
    auto read = JsonLinesSink::read(path);
    REQUIRE(read);
    CHECK(*read == entries);
  }
  SECTION("read() applies the query") {
    auto read = JsonLinesSink::read(path, {.interview = InterviewId{42}});
    REQUIRE(read);
    REQUIRE(read->size() == 3);
    CHECK((*read)[0] == entries[0]);
    CHECK((*read)[1] == entries[1]);
    CHECK((*read)[2] == entries[3]);
  }
  SECTION("query() sees what was written, including through the same instance") {
    CHECK(log->query({}) == entries);
    const auto failed = log->query({.action = ActionType::notification_failed});
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].interview == InterviewId{7});
    const auto window = log->query({.since = log_test::at(1s), .until = log_test::at(3s)});
    REQUIRE(window.size() == 2);
    CHECK(window[0] == entries[1]);
    CHECK(window[1] == entries[2]);
    log->write(entry(ActionType::notification_failed, 7, 9s));
    CHECK(log->query({.action = ActionType::notification_failed}).size() == 2);
  }
  SECTION("an empty file reads as no entries") {
    const auto empty = dir / "empty.jsonl";
    auto other = open_log(empty);
    CHECK(other->query({}).empty());
    CHECK(JsonLinesSink::read(empty).value().empty());
  }
}

TEST_CASE("the JSON Lines log can fsync every entry", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "durable.jsonl";
  {
    auto log_owned = JsonLinesSink::open(path, JsonLinesSink::Options{.fsync = true}).value();
    auto& log = *log_owned;
    CHECK(log.options().fsync);
    log.write(log_test::full_entry());
    log.write(entry(ActionType::notification_delivered, 42, 1s));
    CHECK_NOTHROW(log.flush());
    CHECK(read_lines(path).size() == 2);
  }
  CHECK(JsonLinesSink::read(path).value().size() == 2);
}

TEST_CASE("opening an existing JSON Lines log appends and keeps the old lines", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "actions.jsonl";
  const auto entries = sample_entries();
  {
    auto first_owned = JsonLinesSink::open(path).value();
    auto& first = *first_owned;
    first.write(entries[0]);
    first.write(entries[1]);
  }
  const auto before = read_lines(path);
  {
    auto second_owned = JsonLinesSink::open(path).value();
    auto& second = *second_owned;
    second.write(entries[2]);
  }
  const auto after = read_lines(path);
  REQUIRE(after.size() == 3);
  CHECK(after[0] == before[0]);
  CHECK(after[1] == before[1]);
  CHECK(JsonLinesSink::read(path).value() ==
        std::vector<ActionEntry>{entries[0], entries[1], entries[2]});
}

TEST_CASE("a malformed line is an error naming the file and the line number", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "damaged.jsonl";
  const auto good = nlohmann::json(log_test::full_entry()).dump();

  struct Case {
    std::string line;
    std::string why;
  };
  auto unknown_field = nlohmann::json(log_test::full_entry());
  unknown_field["extra"] = true;
  auto bad_action = nlohmann::json(log_test::full_entry());
  bad_action["action"] = "interview_exploded";
  const auto bad =
      GENERATE_COPY(Case{"{\"time\": \"2024-03-12T14:", "not JSON"}, Case{"", "the line is empty"},
                    Case{"[1, 2]", "must be a JSON object"},
                    Case{unknown_field.dump(), "unknown field \"extra\""},
                    Case{bad_action.dump(), "\"interview_exploded\" is not an action type"},
                    Case{good + " " + good, "not JSON"});
  CAPTURE(bad.line);
  log_test::write_text(path, good + "\n" + good + "\n" + bad.line + "\n" + good + "\n");

  auto read = JsonLinesSink::read(path);
  REQUIRE_FALSE(read);
  REQUIRE(read.error().is<InvalidInput>());
  const auto message = read.error().message();
  CAPTURE(message);
  CHECK_THAT(message, Catch::Contains(path.string()));
  CHECK_THAT(message, Catch::Contains("line 3 is not a valid entry"));
  CHECK_THAT(message, Catch::Contains(bad.why));

  SECTION("query() throws the same error instead of skipping the line") {
    auto log = open_log(path);
    CHECK_THROWS_AS(log->query({}), ErrorException);
    CHECK_THROWS_WITH(log->query({}), Catch::Contains("line 3"));
  }
}

TEST_CASE("a line cut short by a crash stays confined to its own line", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "torn.jsonl";
  const auto good = nlohmann::json(log_test::full_entry()).dump();
  log_test::write_text(path, good + "\n" + good.substr(0, 30));

  {
    auto log_owned = JsonLinesSink::open(path).value();
    auto& log = *log_owned;
    log.write(entry(ActionType::notification_delivered, 42, 1s));
  }
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == good.substr(0, 30));
  CHECK(nlohmann::json::parse(lines[2]).get<ActionEntry>() ==
        entry(ActionType::notification_delivered, 42, 1s));
  auto read = JsonLinesSink::read(path);
  REQUIRE_FALSE(read);
  CHECK_THAT(read.error().message(), Catch::Contains("line 2 is not a valid entry"));
}

TEST_CASE("a last line without its newline is still read", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "no-newline.jsonl";
  const auto good = nlohmann::json(log_test::full_entry()).dump();
  log_test::write_text(path, good + "\n" + good);
  auto read = JsonLinesSink::read(path);
  REQUIRE(read);
  CHECK(read->size() == 2);
}

TEST_CASE("a JSON Lines log that cannot be opened is an error value naming the path",
          "[action-log]") {
  const TempDir dir;

  SECTION("a path in a directory that does not exist") {
    const auto path = dir / "missing" / "actions.jsonl";
    auto log = JsonLinesSink::open(path);
    REQUIRE_FALSE(log);
    REQUIRE(log.error().is<InvalidInput>());
    CHECK_THAT(log.error().message(), Catch::Contains(path.string()));
    CHECK_THAT(log.error().message(), Catch::Contains("No such file or directory"));
    CHECK_FALSE(std::filesystem::exists(path));
  }
  SECTION("a path that is a directory") {
    auto log = JsonLinesSink::open(dir.path());
    REQUIRE_FALSE(log);
    CHECK(log.error().is<InvalidInput>());
    CHECK_THAT(log.error().message(), Catch::Contains(dir.path().string()));
  }
  SECTION("reading a file that does not exist") {
    auto read = JsonLinesSink::read(dir / "never-written.jsonl");
    REQUIRE_FALSE(read);
    CHECK(read.error().is<InvalidInput>());
    CHECK_THAT(read.error().message(), Catch::Contains("never-written.jsonl"));
  }
}

TEST_CASE("the JSON Lines log refuses an entry it could not read back", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "actions.jsonl";
  auto log_owned = JsonLinesSink::open(path).value();
  auto& log = *log_owned;
  auto bad = log_test::full_entry();
  bad.details = nlohmann::json::array({"not", "an", "object"});
  CHECK_THROWS_AS(log.write(bad), ErrorException);
  CHECK(log_test::read_text(path).empty());
}

TEST_CASE("invalid UTF-8 in details is replaced, not lost", "[action-log]") {
  const TempDir dir;
  const auto path = dir / "actions.jsonl";
  auto log_owned = JsonLinesSink::open(path).value();
  auto& log = *log_owned;
  auto odd = log_test::full_entry();
  odd.details = {{"error", std::string("bad byte \xff here")}};
  log.write(odd);
  const auto read = JsonLinesSink::read(path).value();
  REQUIRE(read.size() == 1);
  CHECK(read[0].details["error"] == "bad byte \xEF\xBF\xBD here");
}

TEST_CASE("a JSON Lines log file is created private to its owner whatever the umask",
          "[action-log][permissions]") {
  const TempDir dir;
  const auto mode_of = [](const std::filesystem::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
  };
  struct UmaskGuard {
    explicit UmaskGuard(mode_t mask) : saved(::umask(mask)) {}
    ~UmaskGuard() { ::umask(saved); }
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;
    mode_t saved;
  };
  SECTION("0600 by default, under a permissive umask, through open()") {
    const UmaskGuard permissive(0);
    open_log(dir / "opened.jsonl")->write(sample_entries()[1]);
    CHECK(mode_of(dir / "opened.jsonl") == 0600);
  }
  SECTION("a configured mode is applied exactly, even under a restrictive umask") {
    const UmaskGuard restrictive(077);
    using std::filesystem::perms;
    JsonLinesSink::Options options;
    options.file_mode = perms::owner_read | perms::owner_write | perms::group_read;
    open_log(dir / "shared.jsonl", options);
    CHECK(mode_of(dir / "shared.jsonl") == 0640);
  }
  SECTION("an existing file keeps its permissions and its lines") {
    const UmaskGuard permissive(0);
    open_log(dir / "existing.jsonl")->write(sample_entries()[1]);
    REQUIRE(::chmod((dir / "existing.jsonl").c_str(), 0640) == 0);
    open_log(dir / "existing.jsonl")->write(sample_entries()[2]);
    CHECK(mode_of(dir / "existing.jsonl") == 0640);
    CHECK(read_lines(dir / "existing.jsonl").size() == 2);
  }
}
