// Links against an installed interviewkit and uses its public API.
#include <cstdlib>

#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>

int main() {
  using namespace interviewkit;
  auto status = parse_interview_status("scheduled");
  auto bad = parse_interview_status("Scheduled");
  if (!status || *status != InterviewStatus::scheduled || bad) {
    fmt::print(stderr, "consumer: unexpected parse results\n");
    return EXIT_FAILURE;
  }
  fmt::print("consumer: linked interviewkit {}; parsed '{}'; rejected with: {}\n", version_string,
             *status, bad.error());
  return EXIT_SUCCESS;
}
