// Crash-test harness: books interviews into a SQLite file while a background dispatcher
// delivers their notifications to an append-only log file. The [crash] tests SIGKILL it at
// random moments and restart it.
//
//   outbox_harness book     <db> <delivery-log> <run> <count> [reschedule]
//   outbox_harness drain    <db> <delivery-log>
//   outbox_harness dispatch <db> <delivery-log> <seconds>   (a worker until nothing is left)
// <db> is a SQLite file, or a postgresql:// URL when built with the PostgreSQL store.
// With "reschedule", every third interview is moved to a later slot right after booking, so
// its first notifications are superseded while workers may be sending them.
// With INTERVIEWKIT_HARNESS_TIMES set in the environment, each delivery line also carries
// the time it was written (Unix milliseconds).
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>
#ifdef INTERVIEWKIT_HARNESS_POSTGRES
#include <interviewkit/store/postgres_store.hpp>
#endif

using namespace interviewkit;
using namespace std::chrono_literals;

namespace {

// Appends "<idempotency key> <pid>[ <unix ms>]\n" per delivery with one write(2): what
// reached the file survives a SIGKILL of this process.
class AppendNotifier final : public Notifier {
 public:
  explicit AppendNotifier(const char* path)
      : fd_(::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0)
      throw std::runtime_error(fmt::format("cannot open {}", path));
    const char* times = std::getenv("INTERVIEWKIT_HARNESS_TIMES");
    times_ = times != nullptr && *times != '\0';
  }
  ~AppendNotifier() override { ::close(fd_); }
  DeliveryOutcome deliver(const Notification& n, const DeliveryContext&) override {
    auto line = fmt::format("{} {}", n.idempotency_key, ::getpid());
    if (times_) {
      line += fmt::format(" {}", std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
    }
    line += '\n';
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return DeliveryOutcome::transient_failure("short write to the delivery log");
    }
    return DeliveryOutcome::delivered();
  }

 private:
  int fd_;
  bool times_ = false;
};

DispatcherOptions dispatcher_options() {
  DispatcherOptions options;
  options.lease = 1s;  // a killed worker's claims come back quickly
  options.delivery_timeout = 400ms;
  // The crash tests SIGKILL workers at random, often several times while they hold the same
  // oldest messages: that is not a message that crashes its worker, so the crash-loop
  // guard (max_unfinished_claims, default 3) is set out of their way.
  options.max_unfinished_claims = 1000;
  options.retry.base = 10ms;
  options.retry.cap = 100ms;
  options.idle_poll = 20ms;
  return options;
}

Participant person(const std::string& id, const char* zone) {
  return Participant::make(id, id + "@example.com", zone).value();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "book" && (argc == 6 || argc == 7)) || (mode == "drain" && argc == 4) ||
        (mode == "dispatch" && argc == 5))) {
    std::fprintf(stderr,
                 "usage: %s book <db> <log> <run> <count> [reschedule] | drain <db> <log> | "
                 "dispatch <db> <log> <seconds>\n",
                 argv[0]);
    return 2;
  }
  const std::string target = argv[2];
  std::shared_ptr<Store> store;
  std::shared_ptr<ActionStore> actions;
#ifdef INTERVIEWKIT_HARNESS_POSTGRES
  if (target.starts_with("postgresql://")) {
    auto pg = PostgresStore::open({.url = target}).value();
    store = pg;
    actions = pg;
  }
#endif
  if (!store) {
    auto sqlite = SqliteStore::open(target).value();
    store = sqlite;
    actions = sqlite;
  }
  auto log = ActionLog::make(StoreSink::make(actions).value()).value();
  auto notifier = std::make_shared<AppendNotifier>(argv[3]);
  auto made = Dispatcher::make(store, notifier, log, dispatcher_options());
  if (!made) {
    fmt::print(stderr, "{}\n", made.error());
    return 2;
  }
  auto& dispatcher = **made;

  if (mode == "dispatch") {
    // A worker: drain until nothing is pending, or the time limit runs out.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{std::atoi(argv[4])};
    while (std::chrono::steady_clock::now() < until) {
      const auto stats = dispatcher.drain_once().value();
      if (stats.claimed == 0) {
        if (store->list_outbox({.state = OutboxState::pending, .limit = 1}).value().empty()) {
          return 0;
        }
        std::this_thread::sleep_for(50ms);
      }
    }
    return 1;
  }

  if (mode == "drain") {
    for (int idle = 0; idle < 200;) {
      const auto stats = dispatcher.drain_once().value();
      const auto pending = store->list_outbox({.state = OutboxState::pending}).value();
      if (pending.empty())
        return 0;
      if (stats.claimed == 0) {
        ++idle;
        std::this_thread::sleep_for(50ms);  // waiting for a dead worker's lease to run out
      }
    }
    std::fprintf(stderr, "drain: messages still pending\n");
    return 1;
  }

  const int run = std::atoi(argv[4]);
  const int count = std::atoi(argv[5]);
  const bool reschedule = argc == 7 && std::string(argv[6]) == "reschedule";
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  auto service = BookingService::make(store, log, options).value();
  service->on_enqueued([&] { dispatcher.wake(); });
  dispatcher.start();
  const auto base = date::sys_days{date::year{2100} / 1 / 1};
  const auto actor = Actor::system();
  for (int i = 0; i < count; ++i) {
    const auto interviewer =
        Interviewer{InterviewerId::make(fmt::format("int-{}-{}", run, i % 5)).value(),
                    person(fmt::format("int-{}-{}", run, i % 5), "Europe/Berlin")};
    const auto slot = TimeRange::make(base + std::chrono::hours{i}, 1h).value();
    auto created = service->create({"Crash test",
                                    {CandidateId::make(fmt::format("cand-{}-{}", run, i)).value(),
                                     person(fmt::format("cand-{}-{}", run, i), "Asia/Kathmandu")},
                                    {interviewer}},
                                   actor);
    if (!created || !service->book(created->id, slot, actor))
      return 3;
    // A rival booking for the same interviewer and slot must always lose.
    auto rival = service->create({"Rival",
                                  {CandidateId::make(fmt::format("rival-{}-{}", run, i)).value(),
                                   person(fmt::format("rival-{}-{}", run, i), "UTC")},
                                  {interviewer}},
                                 actor);
    if (!rival)
      return 3;
    auto lost = service->book(rival->id, slot, actor);
    if (lost || !lost.error().is<SlotConflict>())
      return 4;
    if (reschedule && i % 3 == 0) {
      // A slot no other interview of this run uses.
      const auto later = TimeRange::make(base + std::chrono::hours{count + i}, 1h).value();
      if (!service->reschedule(created->id, later, actor))
        return 5;
    }
  }
  dispatcher.stop();
  return 0;
}
