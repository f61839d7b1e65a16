// quickstart: book, confirm, reschedule and cancel interviews for a candidate and a panel in
// different time zones. One of the two notification channels is deliberately broken: the
// bookings stand, and the ActionLog says exactly which notifications failed and why.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>  // ActionEntry::details reads as JSON
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <interviewkit/channels/file_notifier.hpp>
#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

namespace {

// A mail channel whose server rejects one recipient and times out for another.
class FlakyMail final : public Notifier {
 public:
  DeliveryOutcome deliver(const Notification& n, const DeliveryContext&) override {
    if (n.recipient.person.email().domain() == "bounce.example.org") {
      return DeliveryOutcome::permanent_failure("550 5.1.1 mailbox unavailable");
    }
    if (n.kind == NotificationKind::interview_rescheduled && !n.recipient.is_candidate()) {
      throw std::runtime_error("connection timed out after 30 s");
    }
    return DeliveryOutcome::delivered("250 2.0.0 queued");
  }
};

Participant person(const char* name, const char* email, const char* zone) {
  return Participant::make(name, email, zone).value();
}

void print_entry(const ActionEntry& e) {
  fmt::print("  {:<26} interview {:<2} {:<17}", to_string(e.action), e.interview,
             fmt::format("{}", e.actor));
  if (e.from || e.to) {
    fmt::print(" {} -> {}", e.from ? to_string(*e.from) : "-", e.to ? to_string(*e.to) : "-");
  }
  if (e.details.contains("recipient"))
    fmt::print(" to {}", e.details["recipient"].get<std::string>());
  if (e.details.contains("error"))
    fmt::print(" error: {}", e.details["error"].get<std::string>());
  fmt::print("\n");
}

}  // namespace

int main(int argc, char** argv) {
  fmt::print("interviewkit {} quickstart\n\n", version_string);
  // The host's own logger. The library never writes to spdlog's default logger: it reports
  // through the handlers wired to this one below.
  auto host_log =
      std::make_shared<spdlog::logger>("hiring", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  host_log->set_pattern("  [%n %l] %v");

  // The embedded default: one SQLite file holds the interviews, the outbox and the ActionLog.
  const std::filesystem::path db_path =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "interviewkit-quickstart.db";
  std::filesystem::remove(db_path);
  auto opened = SqliteStore::open(db_path);
  if (!opened) {
    fmt::print(stderr, "{}\n", opened.error());
    return EXIT_FAILURE;
  }
  auto store = *opened;
  fmt::print("Store: {}\n", db_path.string());
  auto log_sink = StoreSink::make(store).value();
  auto log = ActionLog::make(log_sink).value();
  // Every email (with its calendar invite) is also written as an .eml + .ics file, like
  // Django's file-based email backend: open them in any mail or calendar program.
  const auto mail_dir = db_path.parent_path() / (db_path.stem().string() + "-mail");
  std::filesystem::remove_all(mail_dir);
  FileNotifierOptions files;
  files.directory = mail_dir;
  files.sync = false;
  files.email.from_name = "Hiring Team";
  files.email.from = EmailAddress::make("hiring@example.com").value();
  files.email.message_id_domain = "mail.example.com";  // both required: no silent default
  // Two channels: each notification becomes one outbox message per channel, so the file
  // copy is written once even while the flaky mail channel keeps failing.
  Dispatcher::Channels channels{{"files", FileNotifier::make(files).value()},
                                {"mail", std::make_shared<FlakyMail>()}};
  BookingOptions options;
  options.meeting_base_url = "https://meet.example.com/r/";
  options.buffer_after = 15min;
  options.channels = {"files", "mail"};
  auto service = BookingService::make(store, log, options).value();
  DispatcherOptions dispatch;
  dispatch.retry.base = 1ms;
  dispatch.retry.cap = 5ms;
  dispatch.retry.max_attempts = 3;
  dispatch.idle_poll = 5ms;
  dispatch.breaker.open_for = 20ms;  // a demo's outage is short
  // A dead letter is recorded in the store's ActionLog (queryable) and written to the
  // host's logger (visible), as is any failure that has no caller to return to.
  dispatch.on_error = [host_log](const std::string& message) {
    host_log->error("dispatcher: {}", message);
  };
  dispatch.on_dead_letter = [host_log](const OutboxMessage& message, const std::string& reason) {
    host_log->error("dead letter: outbox message {} ({} via {}) for interview {}: {}", message.id,
                    message.kind, message.channel, message.interview, reason);
  };
  auto dispatcher = Dispatcher::make(store, channels, log, dispatch).value();

  const auto recruiter = Actor::make(ActorRole::recruiter, "rita").value();
  const Candidate zoe{CandidateId::make("cand-zoe").value(),
                      person("Zoë Ñúñez", "zoe@example.com", "Asia/Kathmandu")};
  const Candidate li{CandidateId::make("cand-li").value(),
                     person("李雷", "li@bounce.example.org", "Asia/Shanghai")};
  const Interviewer ann{InterviewerId::make("ann").value(),
                        person("Ann O'Brien", "ann@example.com", "America/New_York")};
  const Interviewer bo{InterviewerId::make("bo").value(),
                       person("Bo Berg", "bo@example.com", "Europe/Berlin")};

  const auto tomorrow = date::floor<date::days>(std::chrono::system_clock::now()) + date::days{2};
  const auto at = [&](std::chrono::hours h) { return date::sys_seconds{tomorrow} + h; };

  auto panel = service->create({"Systems design", zoe, {ann, bo}}, recruiter).value();
  auto solo = service->create({"Coding", li, {ann}}, recruiter).value();
  fmt::print("Created interview {} ({} with a panel) and {} ({}).\n", panel.id,
             panel.candidate.person, solo.id, solo.candidate.person);

  // A transition reports the interview after it and every notification it put in the outbox.
  auto outcome = service->book(panel.id, TimeRange::make(at(14h), 1h).value(), recruiter).value();
  const auto& booked = outcome.interview;
  fmt::print("Booked {} at {}; meeting link {}; {} notifications queued\n", panel.id, *booked.slot,
             booked.meeting_link, outcome.enqueued.size());
  for (const auto& who : {zoe.person, ann.person, bo.person}) {
    const auto local = who.time_zone().to_local(booked.slot->start());
    fmt::print("  {:<12} sees {} ({})\n", who.name(), date::format("%a %d %b %H:%M", local),
               who.time_zone().name());
  }

  auto clash = service->book(solo.id, TimeRange::make(at(14h) + 30min, 1h).value(), recruiter);
  fmt::print("Booking {} over Ann's slot: {}\n", solo.id, clash.error());
  auto after_buffer = service->book(solo.id, TimeRange::make(at(15h), 1h).value(), recruiter);
  fmt::print("Booking {} right after it (15 min buffer): {}\n", solo.id, after_buffer.error());
  (void)service->book(solo.id, TimeRange::make(at(16h), 1h).value(), recruiter).value();
  fmt::print("Booked {} at 16:00 UTC instead.\n", solo.id);

  (void)service->confirm(panel.id, recruiter).value();
  (void)service->reschedule(panel.id, TimeRange::make(at(18h), 1h).value(), recruiter).value();
  (void)service->cancel(solo.id, "candidate withdrew", recruiter).value();
  auto illegal = service->complete(solo.id, recruiter);
  fmt::print("Completing the cancelled interview {}: {}\n\n", solo.id, illegal.error());

  // The dispatcher delivers in the background. Invites that a later change made stale (the
  // panel was rescheduled, the other interview cancelled) are expired, not sent.
  fmt::print("Dispatching (the host's logger shows what is given up):\n");
  dispatcher->start();
  for (int i = 0; i < 400; ++i) {
    auto due = store->next_due();
    if (due && (!*due || **due > std::chrono::system_clock::now() + 1h))
      break;  // only reminders, due later, are left
    std::this_thread::sleep_for(5ms);
  }
  dispatcher->stop();
  fmt::print("\n");

  fmt::print("ActionLog:\n");
  for (const auto& entry : log_sink->query({})) {
    if (entry.action != ActionType::notification_enqueued)
      print_entry(entry);
  }

  fmt::print("\nWhich notifications for interview {} failed, and why?\n", panel.id);
  for (const auto& e :
       log_sink->query({.action = ActionType::notification_failed, .interview = panel.id})) {
    fmt::print("  attempt {} of {} to {}: {}\n", e.details["attempt"].get<int>(),
               e.details["kind"].get<std::string>(), e.details["recipient"].get<std::string>(),
               e.details["error"].get<std::string>());
  }
  std::size_t emails = 0;
  for (const auto& entry : std::filesystem::directory_iterator(mail_dir)) {
    emails += entry.path().extension() == ".eml" ? 1 : 0;
  }
  fmt::print("\n{} emails with calendar invites written to {}\n", emails, mail_dir.string());
  // The founding question, answered from what the policy should have sent versus what the
  // outbox holds (not from failed attempts, which include people reached on a retry).
  fmt::print("\nWho never got a notification, and why?\n");
  auto reconciler =
      Reconciler::make(store, {.channels = options.channels, .grace = std::chrono::milliseconds{0}})
          .value();
  const auto since = UtcMillis{date::sys_days{date::year{2000} / 1 / 1}};
  for (const auto& gap : reconciler.reconcile(since, SystemClock{}.now() + 1s).value()) {
    const auto& n = gap.notification;
    fmt::print("  interview {} {} {} via {}: {} ({})\n", gap.interview, n.recipient, n.kind,
               n.channel, n.fate, n.detail);
  }
  const auto counts = store->count_outbox({}).value();
  fmt::print("\nOutbox: {} pending  {} delivered  {} dead  {} expired", counts.pending,
             counts.delivered, counts.dead, counts.expired);
  fmt::print("\n\nDead letters, from the store:\n");
  for (const auto& m : store->list_outbox({.state = OutboxState::dead}).value()) {
    fmt::print("  outbox {} {} via {}: {}\n", m.id, m.kind, m.channel, m.last_error);
  }
  return EXIT_SUCCESS;
}
