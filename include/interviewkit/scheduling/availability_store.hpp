// The thin layer between the slot search and a Store: it reads the interviews the store holds
// for each interviewer, so that a search sees everything already booked.
#pragma once

#include <span>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/scheduling/availability.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Replaces each interviewer's `booked` with the slots of their interviews that hold one
/// (scheduled or confirmed) around the query's window: far enough around it to cover buffers
/// and the whole local days that daily caps count. The interview `query.excluding` names is
/// left out. Capacity is kept, so reusing the same interviewers across queries allocates
/// little. Store errors are returned as they are.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> load_booked(
    const Store& store, const SlotQuery& query, std::span<InterviewerAvailability> interviewers);

/// Replaces `query.candidate_booked` with the slots of `query.candidate`'s interviews around
/// the window (empty when `candidate` is unset), leaving out `query.excluding`. Store errors
/// are returned as they are.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> load_candidate_booked(const Store& store,
                                                                     SlotQuery& query);

/// load_booked and load_candidate_booked, then one search: the free slots given what `store`
/// holds right now, for the interviewers and, when `query.candidate` is set, the candidate.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::vector<Slot>> find_slots(
    const Store& store, SlotQuery query, std::vector<InterviewerAvailability> interviewers);

}  // namespace interviewkit
