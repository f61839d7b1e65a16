// postgres: the same booking flow against a PostgreSQL database shared by many servers.
//
//   postgres_example postgresql://user@host:5432/dbname
//
// Books an interview, shows the database refusing a double booking, runs a dispatcher that
// logs each notification, and prints the ActionLog kept in the same database. The host's
// own named spdlog logger gets the notifications, the dispatcher's errors and its dead
// letters; the library never writes to spdlog's default logger.
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/postgres_store.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: {} postgresql://user@host:port/database\n", argv[0]);
    return 2;
  }
  auto opened = PostgresStore::open({.url = argv[1]});
  if (!opened) {
    fmt::print(stderr, "{}\n", opened.error());
    return 1;
  }
  auto store = *opened;
  auto log_sink = StoreSink::make(store).value();
  auto log = ActionLog::make(log_sink).value();
  auto service =
      BookingService::make(store, log, {.meeting_base_url = "https://meet.example.com/"}).value();
  // The host's logger: what has no caller to return to (a failed pass, a dead letter) is
  // written here as well as recorded in the store, so it is both visible and queryable.
  auto host_log =
      std::make_shared<spdlog::logger>("hiring", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  DispatcherOptions dispatch;
  dispatch.on_error = [host_log](const std::string& message) {
    host_log->error("dispatcher: {}", message);
  };
  dispatch.on_dead_letter = [host_log](const OutboxMessage& message, const std::string& reason) {
    host_log->error("dead letter: outbox message {} ({} via {}) for interview {}: {}", message.id,
                    message.kind, message.channel, message.interview, reason);
  };
  auto dispatcher =
      Dispatcher::make(store, LogNotifier::make(host_log).value(), log, dispatch).value();

  const auto suffix = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const Interviewer ann{InterviewerId::make("ann-" + suffix).value(),
                        Participant::make("Ann", "ann@example.com", "America/New_York").value()};
  const auto candidate = [&](const char* id, const char* name) {
    return Candidate{CandidateId::make(std::string(id) + "-" + suffix).value(),
                     Participant::make(name, "c@example.com", "Europe/Berlin").value()};
  };
  const auto start = date::floor<std::chrono::hours>(std::chrono::system_clock::now()) + 72h;
  const auto slot = TimeRange::make(date::sys_seconds{start}, 1h).value();

  auto first = service->create({"Onsite", candidate("zoe", "Zoë"), {ann}}, Actor::system()).value();
  auto second =
      service->create({"Onsite", candidate("li", "李雷"), {ann}}, Actor::system()).value();
  auto booked = service->book(first.id, slot, Actor::system());
  if (!booked) {
    fmt::print(stderr, "booking failed: {}\n", booked.error());
    return 1;
  }
  fmt::print("Booked interview {} at {}; {} notifications queued\n", first.id, slot,
             booked->enqueued.size());
  auto clash = service->book(second.id, slot, Actor::system());
  fmt::print("Second booking for the same interviewer: {}\n",
             clash ? "accepted?!" : clash.error().message());

  const auto stats = dispatcher->drain_once().value();
  fmt::print("Dispatcher: {} delivered, {} failed\n", stats.delivered, stats.failed);
  fmt::print("ActionLog for interview {}:\n", first.id);
  for (const auto& e : log_sink->query({.interview = first.id})) {
    fmt::print("  {} {}\n", format_utc(e.time), to_string(e.action));
  }
  return EXIT_SUCCESS;
}
