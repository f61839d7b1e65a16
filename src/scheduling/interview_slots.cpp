// BookingService::find_slots: a slot search built from an interview, so that a host does not
// copy its people, their time zones and the service's buffers into a query by hand (and get
// one of them wrong). The search itself is availability.cpp's, fed from the store by
// availability_store.cpp.
#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include <interviewkit/scheduling/availability_store.hpp>
#include <interviewkit/scheduling/booking_service.hpp>

namespace interviewkit {

namespace {

const WeeklyHours& hours_of(const InterviewSlotRequest& request, const InterviewerId& id) {
  for (const auto& [who, hours] : request.hours_by_interviewer) {
    if (who == id)
      return hours;
  }
  return request.hours;
}

bool can_take_a_slot(InterviewStatus status) {
  return status == InterviewStatus::pending || status == InterviewStatus::scheduled ||
         status == InterviewStatus::confirmed;
}

}  // namespace

Result<SlotSearchInput> BookingService::slot_search(InterviewId id,
                                                    const InterviewSlotRequest& request) const {
  auto interview = get(id);
  if (!interview)
    return interview.error();
  if (!can_take_a_slot(interview->status)) {
    return InvalidInput{
        fmt::format("interview {} is {}: it cannot take a slot any more", id, interview->status)};
  }
  // Round-robin offers a slot when any one interviewer is free, but an interview books all
  // of its interviewers: such a slot would not book.
  if (request.mode != SlotMode::all) {
    return InvalidInput{fmt::format(
        "interview {} books all {} of its interviewers: round-robin (SlotMode::any) is for a "
        "pool, with find_slots(store, query, interviewers) before the interview is created",
        id, interview->interviewers.size())};
  }
  // The booking rule (check_free): two interviews sharing a person are at least the larger
  // buffer apart, for the candidate as for each interviewer.
  const auto before = options_.buffer_before;
  const auto after = options_.buffer_after;
  SlotSearchInput input{.query = {.mode = request.mode, .window = request.window},
                        .interviewers = {}};
  auto& query = input.query;
  query.duration = request.duration.value_or(interview->slot ? interview->slot->duration()
                                                             : std::chrono::minutes{45});
  query.step = request.step;
  // book refuses a slot that starts at or before now, to the millisecond: the first whole
  // second after now is the earliest start that books.
  const auto after_now =
      date::floor<std::chrono::seconds>(options_.clock->now()) + std::chrono::seconds{1};
  query.now = request.now.value_or(after_now);
  query.minimum_notice = request.minimum_notice;
  query.candidate_time_zone = interview->candidate.person.time_zone();
  query.candidate = interview->candidate.id;
  query.candidate_buffer = std::max(before, after);
  query.excluding = id;
  input.interviewers.reserve(interview->interviewers.size());
  for (const auto& person : interview->interviewers) {
    input.interviewers.push_back({.id = person.id,
                                  .time_zone = person.person.time_zone(),
                                  .weekly = hours_of(request, person.id),
                                  .buffer_before = before,
                                  .buffer_after = after});
  }
  return input;
}

Result<std::vector<Slot>> BookingService::find_slots(InterviewId id,
                                                     const InterviewSlotRequest& request) const {
  auto input = slot_search(id, request);
  if (!input)
    return input.error();
  return interviewkit::find_slots(*store_, std::move(input->query), std::move(input->interviewers));
}

}  // namespace interviewkit
