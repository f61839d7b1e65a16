// The webhook channel's handling of an HTTP reply: a loopback server answers
// WebhookNotifier::deliver with the input bytes, exactly as received from the network (libcurl
// parses the protocol; the notifier reads the status, the Retry-After header and a body
// excerpt). deliver must not throw, must explain every outcome, must classify 2xx as
// delivered and keep control characters out of the detail it logs.
//
// An input may hold several replies (see below), so failures that depend on the connection
// and handle state a previous reply left behind replay from one file.
//
// INTERVIEWKIT_FUZZ_STRICT_DETAIL=1 also requires the detail to be valid UTF-8, which the
// SQLite and PostgreSQL action logs need to store it (nlohmann::json::dump is strict). A
// reply body that is not UTF-8 (or is cut mid-character at 200 bytes) breaks that today.
#include <arpa/inet.h>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <interviewkit/channels/webhook_notifier.hpp>
#include <interviewkit/notify/notification.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;
using namespace std::chrono_literals;

namespace {

int listen_socket(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  require(fd >= 0, "socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  require(::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0, "bind() failed");
  require(::listen(fd, 16) == 0, "listen() failed");
  require(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0,
          "getsockname() failed");
  port = ntohs(address.sin_port);
  return fd;
}

/// Accepts one connection, reads the request (headers and Content-Length body), sends the
/// reply and closes.
void serve_one(int listener, std::string_view reply) {
  const int fd = ::accept(listener, nullptr, nullptr);
  if (fd < 0)
    return;
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string request;
  char buffer[4096];
  std::size_t need = std::string::npos;
  while (need == std::string::npos || request.size() < need) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      break;
    request.append(buffer, static_cast<std::size_t>(n));
    const auto end = request.find("\r\n\r\n");
    if (need == std::string::npos && end != std::string::npos) {
      std::size_t body = 0;
      const auto at = request.find("Content-Length: ");
      if (at != std::string::npos && at < end)
        body = std::strtoul(request.c_str() + at + 16, nullptr, 10);
      need = end + 4 + body;
    }
  }
  std::size_t sent = 0;
  while (sent < reply.size()) {
    const auto n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += static_cast<std::size_t>(n);
  }
  // The request has been read in full, so closing now sends FIN, not RST: curl sees the
  // whole reply and then the end of the connection.
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

struct Fixture {
  int listener = -1;
  std::string url;
  std::optional<Notification> notification;
  bool strict_detail = std::getenv("INTERVIEWKIT_FUZZ_STRICT_DETAIL") != nullptr;

  Fixture() {
    int port = 0;
    listener = listen_socket(port);
    url = fmt::format("http://127.0.0.1:{}/hook", port);
    const auto start = date::sys_days{date::year{2030} / 3 / 12} + 14h;
    Interview interview{
        .id = InterviewId{42},
        .title = "Systems design",
        .candidate = {CandidateId::make("cand-1").value(),
                      Participant::make("Li Lei", "li@example.com", "Asia/Shanghai").value()},
        .interviewers = {{InterviewerId::make("int-1").value(),
                          Participant::make("Ann", "ann@example.com", "Europe/Berlin").value()}},
        .slot = TimeRange::make(start, 1h).value(),
        .status = InterviewStatus::scheduled,
        .version = 2,
        .meeting_link = "https://meet.example.com/abc",
        .created_at = start - 48h,
        .updated_at = start - 24h,
    };
    const auto recipient = Recipient::of(interview.candidate);
    notification = Notification{
        .kind = NotificationKind::interview_scheduled,
        .recipient = recipient,
        .interview = interview,
        .previous_slot = std::nullopt,
        .reason = "",
        .idempotency_key = make_idempotency_key(interview.id, interview.version, recipient,
                                                NotificationKind::interview_scheduled),
    };
  }
};

/// The status code curl reports for a reply that starts with a plain "HTTP/1.x NNN " line.
int status_of(std::string_view reply) {
  if (reply.size() < 13 || !(reply.starts_with("HTTP/1.1 ") || reply.starts_with("HTTP/1.0 ")))
    return 0;
  int code = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (reply[i] < '0' || reply[i] > '9')
      return 0;
    code = code * 10 + (reply[i] - '0');
  }
  return reply[12] == ' ' && code >= 200 ? code : 0;  // 1xx: the final status follows
}

void check_reply(const Fixture& fixture, WebhookNotifier& notifier, std::string_view reply) {
  std::thread server([&] { serve_one(fixture.listener, reply); });
  DeliveryOutcome outcome;
  no_exception("WebhookNotifier::deliver", [&] {
    outcome = notifier.deliver(
        *fixture.notification,
        {.deadline = std::chrono::steady_clock::now() + 3s, .attempt = 1, .message_token = "t"});
  });
  server.join();
  require(!outcome.detail.empty(), "a delivery outcome without a detail");
  for (char c : outcome.detail) {
    require(static_cast<unsigned char>(c) >= 0x20, "a control character in the outcome detail");
  }
  // The status rules apply to a reply curl read in full (the detail then starts "HTTP nnn");
  // a broken transfer (say, a body shorter than its Content-Length) is a transient failure.
  const int status =
      outcome.detail.starts_with(fmt::format("HTTP {}", status_of(reply))) ? status_of(reply) : 0;
  if (outcome.ok())
    require(status == 0 || (status >= 200 && status < 300), "delivered on a non-2xx reply");
  if (status >= 400 && status < 500 && status != 408 && status != 429 && !outcome.ok())
    require(!outcome.retryable, "a 4xx reply other than 408/429 classified as retryable");
  if (outcome.retry_at)
    require(status == 0 || status == 429 || status == 503, "retry_at set without 429/503");
  if (fixture.strict_detail) {
    no_exception("strict dump of the outcome detail",
                 [&] { (void)nlohmann::json(outcome.detail).dump(); });
  }
}

}  // namespace

INTERVIEWKIT_FUZZ_TARGET(webhook_reply) {
  static Fixture fixture;
  // A fresh notifier per input, so every input replays alone; the input may hold up to four
  // replies separated by "\n====\n", answered in turn to deliveries on that one notifier
  // (it keeps its curl handle and connection between deliveries, and so does libcurl state).
  auto notifier = WebhookNotifier::make({.url = fixture.url,
                                         .secret = "0123456789abcdef0123456789abcdef",
                                         .timeout = 3s,
                                         .connect_timeout = 1s})
                      .value();
  auto rest = as_text(data, size);
  for (int round = 0; round < 4 && (round == 0 || !rest.empty()); ++round) {
    const auto cut = round == 3 ? std::string_view::npos : rest.find("\n====\n");
    const auto reply = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 6);
    check_reply(fixture, *notifier, reply);
  }
}
