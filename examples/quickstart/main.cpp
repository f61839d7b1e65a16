// quickstart: create interviews and walk them through their lifecycle, printing each
// transition the table allows and each one it refuses.
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

namespace {

// Applies `event` if the table allows it from the interview's current status.
Result<void> apply(Interview& interview, InterviewEvent event) {
  const auto transition = find_transition(interview.status, event);
  if (!transition)
    return IllegalTransition{interview.status, event, target_of(event)};
  fmt::print("  interview {}: {}\n", interview.id, *transition);
  interview.status = transition->to;
  ++interview.version;
  return {};
}

}  // namespace

int main() {
  fmt::print("interviewkit {} quickstart\n\n", version_string);

  const auto start = date::sys_days{date::year{2024} / 3 / 12} + 14h;
  Interview interview{
      .id = InterviewId{1},
      .title = "Systems design",
      .candidate = {CandidateId::make("cand-1").value(),
                    Participant::make("Zoë Ñúñez", "zoe@example.com", "Asia/Kathmandu").value()},
      .interviewers =
          {{InterviewerId::make("int-1").value(),
            Participant::make("Ann Lee", "ann@example.com", "America/New_York").value()}},
      .slot = std::nullopt,
      .status = InterviewStatus::pending,
      .version = 1,
      .meeting_link = {},
      .created_at = start - 72h,
      .updated_at = start - 72h,
  };

  fmt::print("Walking interview {} for {} through its lifecycle:\n", interview.id,
             interview.candidate.person);
  interview.slot = TimeRange::make(start, 1h).value();
  const std::vector<InterviewEvent> events = {InterviewEvent::book,       InterviewEvent::confirm,
                                              InterviewEvent::reschedule, InterviewEvent::confirm,
                                              InterviewEvent::complete,   InterviewEvent::cancel};
  for (auto event : events) {
    if (auto done = apply(interview, event); !done)
      fmt::print("  refused: {}\n", done.error());
  }
  fmt::print("Final status: {} (version {})\n\n", interview.status, interview.version);

  fmt::print("Strict parsing: ");
  auto parsed = parse_interview_status("Scheduled");
  fmt::print("{}\n", parsed ? "accepted?!" : parsed.error().message());
  return EXIT_SUCCESS;
}
