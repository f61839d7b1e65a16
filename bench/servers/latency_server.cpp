// A loopback SMTP or HTTP/1.1 responder that answers each message (SMTP DATA) or request
// (HTTP) after a fixed delay, as a remote server's latency would: one thread, epoll, a state
// machine per connection and one FIFO of timers (the delay is the same for every reply, so
// timers fire in the order they were set). The Python servers next to it do the same, but
// aiosmtpd needs most of a core for 2,000 messages/s, a core the dispatcher needs on a small
// machine; this one needs a few percent.
//
// Usage: interviewkit_latency_server smtp|http [--delay SECONDS]
// Prints "PORT <n>" once listening on 127.0.0.1. Reads commands on stdin, one per line:
//   COUNT   prints "COUNT <n>": messages (SMTP) or requests (HTTP) answered so far
// End of stdin stops it.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace {

using Clock = std::chrono::steady_clock;

enum class Protocol { smtp, http };

struct Connection {
  int fd = -1;
  std::uint64_t serial = 0;  // tells a timer for a closed fd from one for its reuse
  std::string in;
  std::string out;
  bool in_data = false;    // SMTP: between 354 and the "." line
  bool waiting = false;    // a delayed reply is pending: read no further request until sent
  bool closing = false;    // close once `out` is written
  bool continued = false;  // HTTP: "100 Continue" sent for the request being read
};

struct Timer {
  Clock::time_point due;
  int fd;
  std::uint64_t serial;
};

struct Server {
  Protocol protocol = Protocol::smtp;
  Clock::duration delay = std::chrono::milliseconds{100};
  int epoll = -1;
  int listener = -1;
  std::uint64_t next_serial = 1;
  std::uint64_t answered = 0;
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  std::deque<Timer> timers;
};

constexpr std::string_view kHttpReply =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

void watch(Server& server, Connection& c) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | (c.out.empty() ? 0U : static_cast<unsigned>(EPOLLOUT));
  event.data.fd = c.fd;
  epoll_ctl(server.epoll, EPOLL_CTL_MOD, c.fd, &event);
}

void close_connection(Server& server, int fd) {
  epoll_ctl(server.epoll, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  server.connections.erase(fd);
}

// Writes what can be written now; false when the connection is gone.
bool flush(Server& server, Connection& c) {
  while (!c.out.empty()) {
    const auto n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (n <= 0) {
      close_connection(server, c.fd);
      return false;
    }
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  if (c.out.empty() && c.closing) {
    close_connection(server, c.fd);
    return false;
  }
  watch(server, c);
  return true;
}

void delay_reply(Server& server, Connection& c) {
  c.waiting = true;
  server.timers.push_back({Clock::now() + server.delay, c.fd, c.serial});
}

std::string upper_verb(std::string_view line) {
  std::string verb(line.substr(0, std::min<std::size_t>(line.find(' '), line.size())));
  for (auto& ch : verb)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return verb;
}

// One SMTP command line (without its CRLF).
void smtp_command(Connection& c, std::string_view line) {
  const auto verb = upper_verb(line);
  if (verb == "EHLO")
    c.out += "250-latency-smtp.local\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n";
  else if (verb == "HELO" || verb == "MAIL" || verb == "RCPT" || verb == "RSET" || verb == "NOOP")
    c.out += "250 OK\r\n";
  else if (verb == "DATA") {
    c.out += "354 End data with <CR><LF>.<CR><LF>\r\n";
    c.in_data = true;
  } else if (verb == "QUIT") {
    c.out += "221 Bye\r\n";
    c.closing = true;
  } else
    c.out += "502 Command not implemented\r\n";
}

// Consumes complete SMTP lines until a message ends (its reply is then delayed).
void smtp_input(Server& server, Connection& c) {
  std::size_t start = 0;
  while (!c.waiting && !c.closing) {
    const auto end = c.in.find("\r\n", start);
    if (end == std::string::npos)
      break;
    const std::string_view line(c.in.data() + start, end - start);
    start = end + 2;
    if (!c.in_data) {
      smtp_command(c, line);
    } else if (line == ".") {
      c.in_data = false;
      delay_reply(server, c);
    }
  }
  c.in.erase(0, start);
}

// The Content-Length of a request head, and whether it asks for "100 Continue".
std::pair<std::size_t, bool> http_head(std::string_view head) {
  std::size_t length = 0;
  bool expect = false;
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const auto next = head.find("\r\n", pos + 2);
    std::string field(
        head.substr(pos + 2, next == std::string_view::npos ? head.npos : next - pos - 2));
    for (auto& ch : field)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (field.rfind("content-length:", 0) == 0)
      length = std::strtoull(field.c_str() + 15, nullptr, 10);
    if (field.rfind("expect:", 0) == 0 && field.find("100-continue") != std::string::npos)
      expect = true;
    pos = next;
  }
  return {length, expect};
}

// Consumes one complete request (head and body) if there is one; its reply is delayed.
void http_input(Server& server, Connection& c) {
  if (c.waiting)
    return;
  const auto end = c.in.find("\r\n\r\n");
  if (end == std::string::npos)
    return;
  const auto [length, expect] = http_head(std::string_view(c.in).substr(0, end));
  if (c.in.size() < end + 4 + length) {
    if (expect && !c.continued) {
      c.out += "HTTP/1.1 100 Continue\r\n\r\n";
      c.continued = true;
    }
    return;
  }
  c.in.erase(0, end + 4 + length);
  c.continued = false;
  delay_reply(server, c);
}

void process(Server& server, Connection& c) {
  if (server.protocol == Protocol::smtp)
    smtp_input(server, c);
  else
    http_input(server, c);
}

void on_readable(Server& server, Connection& c) {
  char buffer[65536];
  while (true) {
    const auto n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (n <= 0) {
      close_connection(server, c.fd);
      return;
    }
    c.in.append(buffer, static_cast<std::size_t>(n));
  }
  process(server, c);
  flush(server, c);
}

void accept_all(Server& server) {
  while (true) {
    const int fd = ::accept4(server.listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
      return;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->serial = server.next_serial++;
    if (server.protocol == Protocol::smtp)
      c->out = "220 latency-smtp.local ESMTP\r\n";
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    epoll_ctl(server.epoll, EPOLL_CTL_ADD, fd, &event);
    auto& ref = *c;
    server.connections[fd] = std::move(c);
    flush(server, ref);
  }
}

// Sends the replies whose delay is over, then lets each connection read its next request.
void fire_timers(Server& server) {
  const auto now = Clock::now();
  while (!server.timers.empty() && server.timers.front().due <= now) {
    const auto timer = server.timers.front();
    server.timers.pop_front();
    const auto it = server.connections.find(timer.fd);
    if (it == server.connections.end() || it->second->serial != timer.serial)
      continue;
    auto& c = *it->second;
    c.waiting = false;
    ++server.answered;  // counted before the reply leaves, as the Python servers do
    c.out +=
        server.protocol == Protocol::smtp ? std::string_view("250 2.0.0 Accepted\r\n") : kHttpReply;
    process(server, c);
    flush(server, c);
  }
}

int listen_loopback() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4096) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  return fd;
}

int port_of(int fd) {
  sockaddr_in addr{};
  socklen_t length = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  return ntohs(addr.sin_port);
}

int wait_ms(const Server& server) {
  if (server.timers.empty())
    return -1;
  const auto left = server.timers.front().due - Clock::now();
  return static_cast<int>(
      std::max<long>(0, std::chrono::ceil<std::chrono::milliseconds>(left).count()));
}

// Handles stdin: prints the count for each COUNT; false at its end.
bool command(const Server& server) {
  char buffer[4096];
  const auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
  if (n <= 0)
    return false;
  std::string_view input(buffer, static_cast<std::size_t>(n));
  for (auto pos = input.find("COUNT"); pos != std::string_view::npos;
       pos = input.find("COUNT", pos + 5))
    std::printf("COUNT %llu\n", static_cast<unsigned long long>(server.answered));
  std::fflush(stdout);
  return true;
}

void run(Server& server) {
  epoll_event events[256];
  while (true) {
    const int n = epoll_wait(server.epoll, events, 256, wait_ms(server));
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == STDIN_FILENO) {
        if (!command(server))
          return;
      } else if (fd == server.listener) {
        accept_all(server);
      } else if (const auto it = server.connections.find(fd); it != server.connections.end()) {
        if (events[i].events & EPOLLOUT && !flush(server, *it->second))
          continue;
        if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
          on_readable(server, *it->second);
      }
    }
    fire_timers(server);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Server server;
  if (argc < 2 || (std::string_view(argv[1]) != "smtp" && std::string_view(argv[1]) != "http")) {
    std::fprintf(stderr, "usage: %s smtp|http [--delay SECONDS]\n", argv[0]);
    return 2;
  }
  server.protocol = std::string_view(argv[1]) == "smtp" ? Protocol::smtp : Protocol::http;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--delay")
      server.delay = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(std::strtod(argv[i + 1], nullptr)));
  }
  server.epoll = epoll_create1(EPOLL_CLOEXEC);
  server.listener = listen_loopback();
  for (const int fd : {server.listener, STDIN_FILENO}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    epoll_ctl(server.epoll, EPOLL_CTL_ADD, fd, &event);
  }
  std::printf("PORT %d\n", port_of(server.listener));
  std::fflush(stdout);
  run(server);
  return 0;
}
