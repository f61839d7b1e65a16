// Prints, one per line, the C++ Error message of each argument given to a strict parse
// function ("status:Scheduled" parses "Scheduled" as an InterviewStatus), so the Python tests
// can check that the module raises with exactly the text C++ gives.
#include <iostream>
#include <string_view>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

namespace {

std::string message_of(std::string_view kind, std::string_view text) {
  using namespace interviewkit;
  if (kind == "status")
    return parse_interview_status(text).error().message();
  if (kind == "event")
    return parse_interview_event(text).error().message();
  return parse_actor_role(text).error().message();
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    auto colon = arg.find(':');
    std::cout << message_of(arg.substr(0, colon), arg.substr(colon + 1)) << '\n';
  }
}
