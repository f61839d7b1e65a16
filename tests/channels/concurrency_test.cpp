// SmtpNotifier and WebhookNotifier called from many threads at once against the real
// loopback servers: every message arrives exactly once, connections are reused per slot and
// never exceed max_connections, and end_batch leaves none open. Tagged [concurrency], so
// they also run under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <interviewkit/channels/smtp_notifier.hpp>
#include <interviewkit/channels/webhook_notifier.hpp>

#include "message_test_support.hpp"
#include "support/python_server.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::shared_ptr<SmtpNotifier> smtp(int port, std::size_t max_connections) {
  SmtpOptions options{.email = {.test_mode = true}};
  options.url = fmt::format("smtp://127.0.0.1:{}", port);
  options.starttls = SmtpOptions::StartTls::off;
  options.max_connections = max_connections;
  options.email = mail_options();
  return SmtpNotifier::make(options).value();
}

std::shared_ptr<WebhookNotifier> webhook(int port, std::size_t max_connections) {
  WebhookOptions options;
  options.url = fmt::format("http://127.0.0.1:{}/ok", port);
  options.secret = secret;
  options.max_connections = max_connections;
  return WebhookNotifier::make(options).value();
}

// Message `i`: its own interview (so its own idempotency key) and token "conc-<i>".
Notification message(int i) {
  auto interview = scheduled_interview();
  interview.id = InterviewId{static_cast<std::uint64_t>(1000 + i)};
  return notify(NotificationKind::interview_scheduled, std::move(interview));
}

std::string token(int i) {
  return fmt::format("conc-{}", i);
}

// Delivers messages 0 .. threads * per_thread - 1 through `notifier`, `threads` at once;
// returns each message's outcome.
std::vector<DeliveryOutcome> deliver_all(Notifier& notifier, int threads, int per_thread) {
  std::vector<DeliveryOutcome> outcomes(static_cast<std::size_t>(threads * per_thread));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int k = 0; k < per_thread; ++k) {
        const int i = t * per_thread + k;
        outcomes[static_cast<std::size_t>(i)] =
            notifier.deliver(message(i), delivery_context(token(i)));
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  return outcomes;
}

std::size_t failures(const std::vector<DeliveryOutcome>& outcomes) {
  std::size_t failed = 0;
  for (const auto& outcome : outcomes) {
    if (!outcome.ok()) {
      UNSCOPED_INFO(outcome.detail);
      ++failed;
    }
  }
  return failed;
}

std::size_t count_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);)
    ++lines;
  return lines;
}

// The server notices a closed connection a moment after the client closed it.
bool all_closed(const PythonServer& server, const std::string& opened) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < until) {
    if (count_lines(server.dir() / "closed") == count_lines(server.dir() / opened))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  UNSCOPED_INFO("opened " << count_lines(server.dir() / opened) << ", closed "
                          << count_lines(server.dir() / "closed"));
  return false;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Message-ID of each stored .eml, with how often it was received.
std::map<std::string, int> received_message_ids(const PythonServer& server) {
  std::map<std::string, int> ids;
  for (const auto& path : server.files(".eml")) {
    const auto text = read_text(path);
    const auto at = text.find("\r\nMessage-ID: <");
    REQUIRE(at != std::string::npos);
    const auto start = at + 15;
    ++ids[text.substr(start, text.find('>', start) - start)];
  }
  return ids;
}

std::set<std::string> expected_ids(int count, const std::string& prefix,
                                   const std::string& suffix) {
  std::set<std::string> ids;
  for (int i = 0; i < count; ++i)
    ids.insert(prefix + token(i) + suffix);
  return ids;
}

template <class Map>
std::set<std::string> once_each(const Map& seen) {
  std::set<std::string> keys;
  for (const auto& [key, times] : seen) {
    CAPTURE(key);
    CHECK(times == 1);
    keys.insert(key);
  }
  return keys;
}

}  // namespace

TEST_CASE("200 emails from 20 threads in one batch: each arrives once, sessions reused",
          "[smtp][concurrency]") {
  PythonServer server("smtp_server.py");
  const auto notifier = smtp(server.port(), 20);
  CHECK(notifier->max_concurrency() == 20);
  notifier->begin_batch();
  const auto outcomes = deliver_all(*notifier, 20, 10);
  const auto sessions = count_lines(server.dir() / "sessions");
  const auto closed_in_batch = count_lines(server.dir() / "closed");
  notifier->end_batch();

  CHECK(failures(outcomes) == 0);
  REQUIRE(server.files(".eml").size() == 200);
  CHECK(once_each(received_message_ids(server)) == expected_ids(200, "", "@mail.acme.example"));
  // One message read back whole by Python's email package.
  CHECK(check_file(server.files(".eml").front(), "--eml")["defects"].empty());
  // Each slot kept its session for the next message: at most one per slot.
  CAPTURE(sessions);
  CHECK(sessions >= 1);
  CHECK(sessions <= 20);
  CHECK(closed_in_batch == 0);            // kept open for the batch's next messages
  CHECK(all_closed(server, "sessions"));  // end_batch said QUIT on every one
  CHECK(count_lines(server.dir() / "sessions") == sessions);
}

TEST_CASE("more threads than SMTP connections wait for a free one", "[smtp][concurrency]") {
  PythonServer server("smtp_server.py");
  const auto notifier = smtp(server.port(), 3);
  CHECK(notifier->max_concurrency() == 3);
  notifier->begin_batch();
  const auto outcomes = deliver_all(*notifier, 12, 5);
  notifier->end_batch();
  CHECK(failures(outcomes) == 0);
  CHECK(server.files(".eml").size() == 60);
  const auto sessions = count_lines(server.dir() / "sessions");
  CAPTURE(sessions);
  CHECK(sessions >= 1);
  CHECK(sessions <= 3);
  CHECK(all_closed(server, "sessions"));
}

TEST_CASE("outside a batch concurrent emails each get a session, closed after it",
          "[smtp][concurrency]") {
  PythonServer server("smtp_server.py");
  const auto notifier = smtp(server.port(), 20);
  const auto outcomes = deliver_all(*notifier, 4, 5);
  CHECK(failures(outcomes) == 0);
  CHECK(server.files(".eml").size() == 20);
  CHECK(count_lines(server.dir() / "sessions") == 20);
  CHECK(all_closed(server, "sessions"));
}

TEST_CASE("sessions stay open until the last of two overlapping batches ends",
          "[smtp][concurrency]") {
  PythonServer server("smtp_server.py");
  const auto notifier = smtp(server.port(), 20);
  notifier->begin_batch();  // two Dispatchers sharing the channel
  notifier->begin_batch();
  CHECK(failures(deliver_all(*notifier, 4, 5)) == 0);
  notifier->end_batch();
  CHECK(failures(deliver_all(*notifier, 4, 5)) == 0);
  const auto sessions = count_lines(server.dir() / "sessions");
  CAPTURE(sessions);
  CHECK(sessions <= 4);
  CHECK(count_lines(server.dir() / "closed") == 0);
  notifier->end_batch();
  CHECK(all_closed(server, "sessions"));
  CHECK(server.files(".eml").size() == 40);
}

TEST_CASE("a failed SMTP exchange closes its session, the others go on", "[smtp][concurrency]") {
  PythonServer server("smtp_server.py");
  const auto notifier = smtp(server.port(), 4);
  notifier->begin_batch();
  std::vector<std::thread> workers;
  std::atomic<int> delivered{0};
  std::atomic<int> refused{0};
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&, t] {
      for (int k = 0; k < 5; ++k) {
        auto interview = scheduled_interview();
        interview.id = InterviewId{static_cast<std::uint64_t>(2000 + t * 5 + k)};
        // Every fifth message goes to an address the server refuses (550).
        if (k == 2)
          interview.candidate.person = person("Nobody", "reject-me@example.com", "UTC");
        const auto outcome =
            notifier->deliver(notify(NotificationKind::interview_scheduled, std::move(interview)),
                              delivery_context(token(t * 5 + k)));
        ++(outcome.ok() ? delivered : refused);
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  notifier->end_batch();
  CHECK(delivered == 32);
  CHECK(refused == 8);
  CHECK(server.files(".eml").size() == 32);
  // Each refusal closed its session; the slot opened a new one for its next message.
  const auto sessions = count_lines(server.dir() / "sessions");
  CAPTURE(sessions);
  CHECK(sessions <= 4 + 8);
  CHECK(all_closed(server, "sessions"));
}

TEST_CASE("max_connections is validated", "[smtp][webhook][concurrency]") {
  SmtpOptions mail{.email = {.test_mode = true}};
  mail.email = mail_options();
  WebhookOptions hook;
  hook.url = "http://127.0.0.1/";
  hook.secret = secret;
  for (const std::size_t bad : {std::size_t{0}, std::size_t{1001}}) {
    CAPTURE(bad);
    mail.max_connections = bad;
    const auto smtp_error = SmtpNotifier::make(mail);
    REQUIRE_FALSE(smtp_error);
    CHECK(
        smtp_error.error().message() ==
        fmt::format("invalid input: SMTP max_connections must be between 1 and 1000, got {}", bad));
    hook.max_connections = bad;
    const auto hook_error = WebhookNotifier::make(hook);
    REQUIRE_FALSE(hook_error);
    CHECK(hook_error.error().message() ==
          fmt::format("invalid input: webhook max_connections must be between 1 and 1000, got {}",
                      bad));
  }
  for (const std::size_t good : {std::size_t{1}, std::size_t{1000}}) {
    mail.max_connections = good;
    hook.max_connections = good;
    CHECK(SmtpNotifier::make(mail).value()->max_concurrency() == good);
    CHECK(WebhookNotifier::make(hook).value()->max_concurrency() == good);
  }
  CHECK(SmtpOptions{}.max_connections == 20);
  CHECK(WebhookOptions{}.max_connections == 20);
}

TEST_CASE("200 webhooks from 20 threads in one batch: each arrives once, keep-alive reused",
          "[webhook][concurrency]") {
  PythonServer receiver("http_receiver.py", {secret});
  const auto notifier = webhook(receiver.port(), 20);
  CHECK(notifier->max_concurrency() == 20);
  notifier->begin_batch();
  const auto outcomes = deliver_all(*notifier, 20, 10);
  const auto connections = count_lines(receiver.dir() / "connections");
  const auto closed_in_batch = count_lines(receiver.dir() / "closed");
  notifier->end_batch();

  CHECK(failures(outcomes) == 0);
  const auto requests = receiver.files(".json");
  REQUIRE(requests.size() == 200);
  std::map<std::string, int> ids;
  for (const auto& path : requests) {
    const auto request = nlohmann::json::parse(read_text(path));
    CHECK(request["signature_valid"] == true);
    ++ids[request["headers"]["webhook-id"].get<std::string>()];
  }
  CHECK(once_each(ids) == expected_ids(200, "msg_", ""));
  CAPTURE(connections);
  CHECK(connections >= 1);
  CHECK(connections <= 20);
  CHECK(closed_in_batch == 0);  // kept alive for the batch's next requests
  CHECK(all_closed(receiver, "connections"));
  CHECK(count_lines(receiver.dir() / "connections") == connections);
}

TEST_CASE("more threads than webhook connections wait for a free one", "[webhook][concurrency]") {
  PythonServer receiver("http_receiver.py", {secret});
  const auto notifier = webhook(receiver.port(), 3);
  notifier->begin_batch();
  const auto outcomes = deliver_all(*notifier, 12, 5);
  notifier->end_batch();
  CHECK(failures(outcomes) == 0);
  CHECK(receiver.files(".json").size() == 60);
  const auto connections = count_lines(receiver.dir() / "connections");
  CAPTURE(connections);
  CHECK(connections >= 1);
  CHECK(connections <= 3);
  CHECK(all_closed(receiver, "connections"));
}

TEST_CASE("outside a batch concurrent webhooks leave no connection open",
          "[webhook][concurrency]") {
  PythonServer receiver("http_receiver.py", {secret});
  const auto notifier = webhook(receiver.port(), 20);
  const auto outcomes = deliver_all(*notifier, 4, 5);
  CHECK(failures(outcomes) == 0);
  CHECK(receiver.files(".json").size() == 20);
  CHECK(count_lines(receiver.dir() / "connections") == 20);
  CHECK(all_closed(receiver, "connections"));
}
