// FileNotifier: one .eml plus one .ics per message, replaced (not duplicated) on retry,
// failures reported as outcomes.
#include <atomic>
#include <fstream>
#include <iterator>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include "message_test_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

std::set<std::string> file_names(const std::filesystem::path& directory) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    names.insert(entry.path().filename().string());
  return names;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<ManualClock> clock_at(UtcMillis t) {
  return std::make_shared<ManualClock>(t);
}

}  // namespace

TEST_CASE("FileNotifier writes an .eml and its .ics named after the idempotency key",
          "[email][file]") {
  TempDir dir("file-notifier");
  const auto directory = dir.path() / "outbox" / "mail";  // created on first delivery
  FileNotifier notifier(
      {.directory = directory, .email = mail_options(), .clock = clock_at(render_time())});
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto outcome = notifier.deliver(notification, delivery_context());
  INFO(outcome.detail);
  REQUIRE(outcome.ok());

  const auto stem = FileNotifier::file_stem(notification, delivery_context());
  CHECK_THAT(stem, Catch::StartsWith("interview-42-v2-candidate-cand-1-interview_scheduled."));
  CHECK(file_names(directory) == std::set<std::string>{stem + ".eml", stem + ".ics"});
  CHECK(outcome.detail == (directory / (stem + ".eml")).string());

  const auto expected =
      render_email(notification, delivery_context(), mail_options(), render_time());
  REQUIRE(expected);
  CHECK(read_file(directory / (stem + ".eml")) == expected->data);
  CHECK(read_file(directory / (stem + ".ics")) == expected->ics);
  const auto mail = check_file(directory / (stem + ".eml"), "--eml");
  CHECK(mail["counts"]["To"] == 1);
  CHECK(mail["calendars"].size() == 2);
  CHECK(check_file(directory / (stem + ".ics"), "--ics")["uid"] ==
        "interview-42@mail.acme.example");
}

TEST_CASE("a retry overwrites the same files instead of adding copies", "[email][file]") {
  TempDir dir("file-notifier-retry");
  auto clock = clock_at(render_time());
  FileNotifier notifier(
      {.directory = dir.path(), .email = mail_options(), .sync = false, .clock = clock});
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  REQUIRE(notifier.deliver(notification, delivery_context()).ok());
  const auto first = file_names(dir.path());

  clock->advance(std::chrono::minutes{10});
  auto retry = delivery_context();
  retry.attempt = 2;
  REQUIRE(notifier.deliver(notification, retry).ok());
  CHECK(file_names(dir.path()) == first);
  const auto stem = FileNotifier::file_stem(notification, retry);
  CHECK(check_file(dir.path() / (stem + ".eml"), "--eml")["date"] == "2024-03-01T08:40:00Z");

  SECTION("other notifications get their own files") {
    REQUIRE(
        notifier
            .deliver(notify(NotificationKind::interview_scheduled, scheduled_interview(), false),
                     delivery_context("other-token"))
            .ok());
    CHECK(file_names(dir.path()).size() == 4);
  }
}

TEST_CASE("file names stay distinct when keys differ only in unsafe characters", "[file]") {
  auto a = notify(NotificationKind::interview_scheduled, scheduled_interview());
  auto b = a;
  a.idempotency_key = "key/one";
  b.idempotency_key = "key:one";
  const auto stem_a = FileNotifier::file_stem(a, delivery_context());
  const auto stem_b = FileNotifier::file_stem(b, delivery_context());
  CHECK(stem_a != stem_b);
  CHECK_THAT(stem_a, Catch::StartsWith("key-one."));
  SECTION("without a key the message token names the file") {
    a.idempotency_key.clear();
    CHECK_THAT(FileNotifier::file_stem(a, delivery_context("tok-1")), Catch::StartsWith("tok-1."));
  }
  SECTION("a hostile key cannot leave the directory or hide the file") {
    a.idempotency_key = "../../etc/passwd";
    const auto stem = FileNotifier::file_stem(a, delivery_context());
    CHECK(stem.find('/') == std::string::npos);
    CHECK(stem.front() != '.');
  }
}

TEST_CASE("a directory that cannot be used is a failure outcome", "[email][file]") {
  TempDir dir("file-notifier-bad");
  const auto file = dir.path() / "not-a-directory";
  std::ofstream(file) << "x";
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  SECTION("the path is a regular file") {
    FileNotifier notifier(
        {.directory = file, .email = mail_options(), .clock = clock_at(render_time())});
    const auto outcome = notifier.deliver(notification, delivery_context());
    CHECK_FALSE(outcome.ok());
    CHECK_FALSE(outcome.retryable);
    CHECK_THAT(outcome.detail, Catch::Contains("not-a-directory"));
  }
  SECTION("the path goes through a regular file") {
    FileNotifier notifier(
        {.directory = file / "sub", .email = mail_options(), .clock = clock_at(render_time())});
    const auto outcome = notifier.deliver(notification, delivery_context());
    CHECK_FALSE(outcome.ok());
    CHECK_FALSE(outcome.retryable);
    CHECK_THAT(outcome.detail, Catch::Contains("Not a directory"));
  }
  SECTION("no directory configured") {
    FileNotifier notifier(
        {.directory = {}, .email = mail_options(), .clock = clock_at(render_time())});
    CHECK_FALSE(notifier.deliver(notification, delivery_context()).ok());
  }
  CHECK(file_names(dir.path()) == std::set<std::string>{"not-a-directory"});
}

TEST_CASE("a notification that cannot be rendered is a permanent failure", "[email][file]") {
  TempDir dir("file-notifier-render");
  FileNotifier notifier(
      {.directory = dir.path(), .email = mail_options(), .clock = clock_at(render_time())});
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::pending;
  interview.slot.reset();
  const auto outcome = notifier.deliver(notify(NotificationKind::interview_scheduled, interview),
                                        delivery_context());
  CHECK_FALSE(outcome.ok());
  CHECK_FALSE(outcome.retryable);
  CHECK_THAT(outcome.detail, Catch::Contains("cannot render"));
  CHECK(file_names(dir.path()).empty());
}

TEST_CASE("concurrent deliveries through one FileNotifier all land", "[file][concurrency]") {
  TempDir dir("file-notifier-threads");
  FileNotifier notifier({.directory = dir.path(),
                         .email = mail_options(),
                         .sync = false,
                         .clock = clock_at(render_time())});
  constexpr int threads = 4;
  constexpr int per_thread = 10;
  std::vector<std::thread> workers;
  std::atomic<int> delivered{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto interview = scheduled_interview();
        interview.id = InterviewId{static_cast<std::uint64_t>(100 + t * per_thread + i)};
        const auto notification = notify(NotificationKind::interview_scheduled, interview);
        // Every thread also rewrites one shared message, as racing retries would.
        const auto shared = notify(NotificationKind::interview_reminder, scheduled_interview());
        if (notifier.deliver(notification, delivery_context()).ok())
          ++delivered;
        if (notifier.deliver(shared, delivery_context()).ok())
          ++delivered;
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  CHECK(delivered.load() == threads * per_thread * 2);
  CHECK(file_names(dir.path()).size() == std::size_t{(threads * per_thread + 1) * 2});
}

TEST_CASE("a booking delivered through FileNotifier gives each person their own time zone",
          "[email][file]") {
  TempDir dir("file-notifier-booking");
  auto notifier = std::make_shared<FileNotifier>(
      FileNotifierOptions{.directory = dir.path(), .email = mail_options(), .sync = false});
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  Fixture f(std::make_shared<MemoryStore>(), options, notifier);
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(12, 14h), recruiter()));
  const auto stats = f.drain();
  CHECK(f.entries(ActionType::notification_failed).empty());
  (void)stats;

  std::vector<nlohmann::json> mails;
  for (const auto& name : file_names(dir.path())) {
    if (name.ends_with(".eml"))
      mails.push_back(check_file(dir.path() / name, "--eml"));
  }
  REQUIRE(mails.size() == 2);
  for (const auto& mail : mails) {
    const std::string to = mail["to"][0]["address"];
    const std::string text = mail["text"];
    if (to == "cand-1@candidates.example.com") {
      CHECK_THAT(text, Catch::Contains("Tue 12 Mar 2024, 19:45 (UTC+5:45)"));
    } else {
      CHECK(to == "int-1@staff.example.com");
      CHECK_THAT(text, Catch::Contains("Tue 12 Mar 2024, 10:00 EDT (UTC-4)"));
    }
    CHECK(mail["calendars"][0]["dtstart"] == "2024-03-12T14:00:00Z");
    CHECK(mail["calendars"][0]["sequence"] == 2);
    const std::string message_id = mail["message_id"];
    CHECK_THAT(message_id, Catch::EndsWith("@mail.acme.example>"));
  }
}

namespace {

// Sets the process umask for one test and restores it.
struct UmaskGuard {
  explicit UmaskGuard(mode_t mask) : saved(::umask(mask)) {}
  ~UmaskGuard() { ::umask(saved); }
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;
  mode_t saved;
};

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("the .eml and .ics files are private to their owner whatever the umask",
          "[email][file][permissions]") {
  TempDir dir("file-notifier-mode");
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto stem = FileNotifier::file_stem(notification, delivery_context());
  SECTION("0600 by default, under a permissive umask") {
    UmaskGuard permissive(0);
    FileNotifier notifier(
        {.directory = dir.path(), .email = mail_options(), .clock = clock_at(render_time())});
    REQUIRE(notifier.deliver(notification, delivery_context()).ok());
    CHECK(mode_of(dir.path() / (stem + ".eml")) == 0600);
    CHECK(mode_of(dir.path() / (stem + ".ics")) == 0600);
    // A retry replaces the files and keeps them private.
    REQUIRE(notifier.deliver(notification, delivery_context()).ok());
    CHECK(mode_of(dir.path() / (stem + ".eml")) == 0600);
  }
  SECTION("a configured mode is applied exactly, even under a restrictive umask") {
    UmaskGuard restrictive(077);
    using std::filesystem::perms;
    FileNotifier notifier({.directory = dir.path(),
                           .email = mail_options(),
                           .file_mode = perms::owner_read | perms::owner_write | perms::group_read,
                           .clock = clock_at(render_time())});
    REQUIRE(notifier.deliver(notification, delivery_context()).ok());
    CHECK(mode_of(dir.path() / (stem + ".eml")) == 0640);
    CHECK(mode_of(dir.path() / (stem + ".ics")) == 0640);
  }
}
