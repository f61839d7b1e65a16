// Defaults of the Store interface.
#include <fmt/format.h>

#include <interviewkit/store/store.hpp>

namespace interviewkit {

Result<void> StoreTransaction::append_action(const ActionEntry& entry) {
  return InvalidInput{fmt::format(
      "this store keeps no action log; {} must be recorded through the ActionLog instead",
      entry.action)};
}

Result<void> StoreTransaction::require_free(const Interview& interview, const TimeRange& window) {
  auto conflict = find_conflict(interview, window);
  if (!conflict)
    return conflict.error();
  if (*conflict)
    return **conflict;
  return {};
}

// A store that keeps no calendars says so; hosts with their own Store implement these to use
// CalendarSync.
Result<std::optional<CachedCalendar>> Store::load_calendar(const std::string& key) const {
  (void)key;
  return Unavailable{"this store keeps no external calendars (Store::load_calendar)"};
}

Result<void> Store::save_calendar(const CachedCalendar& calendar) {
  (void)calendar;
  return Unavailable{"this store keeps no external calendars (Store::save_calendar)"};
}

Result<std::vector<TimeRange>> Store::calendar_busy(const InterviewerId& interviewer,
                                                    const TimeRange& window) const {
  (void)interviewer;
  (void)window;
  return Unavailable{"this store keeps no external calendars (Store::calendar_busy)"};
}

// A full page is followed by a one-message probe past its last id: the probe's answer is
// what says there is a next page (an empty last page is never handed out as "more").
Result<OutboxPage> page_outbox(const Store& store, OutboxQuery query) {
  auto messages = store.list_outbox(query);
  if (!messages)
    return messages.error();
  OutboxPage page{std::move(*messages), std::nullopt};
  if (page.messages.empty() || page.messages.size() < query.limit)
    return page;
  query.after = page.messages.back().id;
  query.limit = 1;
  auto more = store.list_outbox(query);
  if (!more)
    return more.error();
  if (!more->empty())
    page.next = query.after;
  return page;
}

}  // namespace interviewkit
