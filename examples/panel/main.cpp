// A panel interview from search to inbox: create the interview, find the times that suit two
// interviewers in different time zones and the candidate (whose other interview is left
// out), book the first, deliver the invites over SMTP, and ask which invites did not arrive.
//
//   panel SMTP_URL [DATABASE]     e.g. panel smtp://127.0.0.1:2525
//
// The SMTP server here is a local one (plain SMTP, no credentials). In production the URL is
// smtps:// or smtp:// with StartTls::required, with credentials (see docs/guide.md).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <date/date.h>
#include <fmt/format.h>

#include <interviewkit/channels.hpp>
#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

namespace {

Interviewer interviewer(const char* id, const char* name, const char* email, const char* zone) {
  return {InterviewerId::make(id).value(), Participant::make(name, email, zone).value()};
}

Candidate candidate() {
  return {CandidateId::make("c-17").value(),
          Participant::make("Priya Raman", "priya@candidates.example", "Asia/Kolkata").value()};
}

// Monday of next week, 00:00 UTC: the search window starts there and runs five days.
TimeRange next_week() {
  const auto today = date::floor<date::days>(std::chrono::system_clock::now());
  const auto monday = today + (date::Monday - date::weekday{today}) + date::days{7};
  return TimeRange::make(date::sys_seconds{monday}, date::days{5}).value();
}

std::shared_ptr<Notifier> smtp(const std::string& url) {
  SmtpOptions options{.url = url,
                      .starttls = SmtpOptions::StartTls::off,  // a local server: see above
                      .email = {.from_name = "Acme Hiring",
                                .from = EmailAddress::make("hiring@acme.example").value(),
                                .message_id_domain = "mail.acme.example"}};
  return SmtpNotifier::make(options).value();
}

// The candidate already has an interview on Monday 14:00-15:00 UTC with someone else: the
// panel's search must not offer that hour (nor the 15 minutes of buffer after it).
void book_earlier_interview(BookingService& service, const TimeRange& week, const Actor& actor) {
  auto other = service
                   .create({.title = "Screening call",
                            .candidate = candidate(),
                            .interviewers = {interviewer("i-9", "Cy Adeyemi", "cy@acme.example",
                                                         "Europe/London")}},
                           actor)
                   .value();
  const auto monday_14 = week.start() + 14h;
  (void)service.book(other.id, TimeRange::make(monday_14, 1h).value(), actor).value();
  fmt::print("Priya already has a screening call at {}\n",
             format_local_time(monday_14, candidate().person));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: panel SMTP_URL [DATABASE]\n");
    return 2;
  }
  const std::filesystem::path db =
      argc > 2 ? argv[2] : std::filesystem::temp_directory_path() / "interviewkit-panel.db";
  std::filesystem::remove(db);
  auto store = SqliteStore::open(db).value();
  auto log = ActionLog::make(StoreSink::make(store).value()).value();
  auto service = BookingService::make(store, log,
                                      {.buffer_after = 15min,
                                       .meeting_base_url = "https://meet.acme.example/",
                                       .channels = {"email"}})
                     .value();
  const auto recruiter = Actor::make(ActorRole::recruiter, "recruiter-3").value();
  const auto week = next_week();
  book_earlier_interview(*service, week, recruiter);

  // ---- Find slots for the panel: the interview knows its people, their zones, the buffers.
  auto interview = service
                       ->create({.title = "System design",
                                 .candidate = candidate(),
                                 .interviewers = {interviewer("i-1", "Ann Vogel",
                                                              "ann@acme.example", "Europe/Berlin"),
                                                  interviewer("i-2", "Bo Carter", "bo@acme.example",
                                                              "America/New_York")}},
                                recruiter)
                       .value();
  const auto slots =
      service
          ->find_slots(interview.id, {.window = week,
                                      .duration = 60min,
                                      .step = 30min,
                                      .hours = WeeklyHours::monday_to_friday({{9h, 17h}})})
          .value();
  fmt::print("{} panel slots next week; the first three, as Priya sees them:\n", slots.size());
  for (std::size_t i = 0; i < slots.size() && i < 3; ++i)
    fmt::print("  {}\n", format_local_time(slots[i].range.start(), interview.candidate.person));
  if (slots.empty())
    return EXIT_FAILURE;

  // ---- Book the first; the invites are in the outbox with the booking.
  auto booked = service->book(interview.id, slots.front().range, recruiter).value();
  fmt::print("booked {}: {} notifications queued\n", booked.interview.id, booked.enqueued.size());

  // ---- Deliver over SMTP; every outcome lands in the ActionLog (here, in the database).
  auto dispatcher = Dispatcher::make(store, {{"email", smtp(argv[1])}}, log).value();
  const auto drained = dispatcher->drain_until_idle(30s);
  if (!drained) {
    fmt::print(stderr, "dispatch: {}\n", drained.error());
    return EXIT_FAILURE;
  }
  fmt::print("delivered {} messages\n", drained->delivered);

  // ---- Which candidates never got their invite, and why?
  auto reconciler = Reconciler::make(store, {.channels = {"email"}}).value();
  const auto gaps = reconciler.reconcile(UtcMillis{}, UtcMillis::max()).value();
  for (const auto& gap : gaps)
    fmt::print("NOT DELIVERED: interview {} {} {}: {}\n", gap.interview, gap.notification.recipient,
               gap.notification.kind, gap.notification.detail);
  fmt::print("{} notifications owed and not delivered\n", gaps.size());
  return gaps.empty() ? EXIT_SUCCESS : EXIT_FAILURE;
}
