// CalDavNotifier: the outbox channel that keeps interviewers' calendars in step with their
// interviews.
//
// Why a write starts with If-None-Match: * instead of a read: most messages are the first of
// their interview (a booking), so creating blindly costs one request; a 412 says the event is
// there, and only then is it read for its entity tag and SEQUENCE. Why SEQUENCE is compared
// before replacing: the outbox delivers a lane in order, but a message retried for hours can
// still meet an event a later version wrote through another path (a host writing directly);
// an older version never replaces a newer one.
#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <variant>

#include <date/date.h>
#include <fmt/format.h>
#include <libical/ical.h>

#include <interviewkit/calendar/caldav_notifier.hpp>
#include <interviewkit/domain/status.hpp>

#include "net/redact.hpp"

namespace interviewkit {

namespace {

constexpr std::string_view product_id = "-//interviewkit//interviewkit//EN";

// Text for a TEXT property: libical escapes commas, semicolons and line breaks; other
// control characters have no place in a calendar and become spaces.
std::string text_value(std::string_view text) {
  std::string out(text);
  std::ranges::replace_if(
      out, [](char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f; },
      ' ');
  return out;
}

icaltimetype utc_time(date::sys_seconds t) {
  return icaltime_from_timet_with_zone(static_cast<time_t>(t.time_since_epoch().count()), 0,
                                       icaltimezone_get_utc_timezone());
}

icalproperty_status status_of(const Notification& n) {
  if (n.kind == NotificationKind::interview_cancelled ||
      n.interview.status == InterviewStatus::cancelled)
    return ICAL_STATUS_CANCELLED;
  if (n.interview.status == InterviewStatus::scheduled)
    return ICAL_STATUS_TENTATIVE;
  return ICAL_STATUS_CONFIRMED;
}

// The SEQUENCE of the event in `ics`, or nullopt if it has none or cannot be read.
std::optional<int> sequence_of(const std::string& ics) {
  icalcomponent* root = icalparser_parse_string(ics.c_str());
  if (root == nullptr)
    return std::nullopt;
  icalcomponent* event = icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT
                             ? root
                             : icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
  std::optional<int> out;
  if (event != nullptr && icalcomponent_get_first_property(event, ICAL_SEQUENCE_PROPERTY))
    out = icalcomponent_get_sequence(event);
  icalcomponent_free(root);
  return out;
}

// What an HTTP status of a write means for the message.
DeliveryOutcome failure_for(long status, const std::string& server) {
  const auto what = fmt::format("CalDAV {}: ", server);
  switch (status) {
    case 401:
    case 403:
      return DeliveryOutcome::permanent_failure(
          fmt::format("{}the server refused the calendar's account ({})", what, status));
    case 404:
    case 409:
      return DeliveryOutcome::permanent_failure(
          fmt::format("{}there is no calendar at this URL ({})", what, status));
    case 408:
    case 429:
    case 507:
      return DeliveryOutcome::transient_failure(
          fmt::format("{}the server cannot take the event now ({})", what, status));
    default:
      break;
  }
  if (status >= 500)
    return DeliveryOutcome::transient_failure(
        fmt::format("{}the server failed ({})", what, status));
  return DeliveryOutcome::permanent_failure(
      fmt::format("{}the server refused the event ({})", what, status));
}

bool written(long status) {
  return status >= 200 && status < 300;
}

}  // namespace

Result<std::string> calendar_event(const Notification& notification, std::string_view uid_domain,
                                   UtcMillis now) {
  const auto& interview = notification.interview;
  const auto slot = interview.slot ? interview.slot : notification.previous_slot;
  if (!slot)
    return InvalidInput{fmt::format("interview {} has no slot to put in a calendar", interview.id)};
  icalcomponent* calendar = icalcomponent_new_vcalendar();
  icalcomponent_add_property(calendar, icalproperty_new_version("2.0"));
  icalcomponent_add_property(calendar, icalproperty_new_prodid(std::string(product_id).c_str()));
  icalcomponent* event = icalcomponent_new_vevent();
  const auto uid = calendar_uid(interview.id, uid_domain);
  icalcomponent_add_property(event, icalproperty_new_uid(uid.c_str()));
  icalcomponent_add_property(
      event, icalproperty_new_dtstamp(utc_time(date::floor<std::chrono::seconds>(now))));
  icalcomponent_add_property(event,
                             icalproperty_new_sequence(static_cast<int>(std::min<std::uint64_t>(
                                 interview.version, static_cast<std::uint64_t>(INT32_MAX)))));
  icalcomponent_add_property(event, icalproperty_new_dtstart(utc_time(slot->start())));
  icalcomponent_add_property(event, icalproperty_new_dtend(utc_time(slot->end())));
  icalcomponent_add_property(event, icalproperty_new_summary(text_value(interview.title).c_str()));
  icalcomponent_add_property(
      event,
      icalproperty_new_description(
          text_value(fmt::format("Interview with {}", interview.candidate.person.name())).c_str()));
  icalcomponent_add_property(event, icalproperty_new_status(status_of(notification)));
  icalcomponent_add_property(event, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
  icalcomponent_add_component(calendar, event);
  char* text = icalcomponent_as_ical_string_r(calendar);
  std::string out = text != nullptr ? text : "";
  icalmemory_free_buffer(text);
  icalcomponent_free(calendar);
  return out;
}

struct CalDavNotifier::Impl {
  CalDavNotifierOptions options;
  std::unique_ptr<CalDavClient> client;
  std::mutex mutex;  // deliveries one at a time: the client is not thread-safe

  UtcMillis now() const { return options.clock ? options.clock->now() : SystemClock().now(); }

  // The event written, or replaced after reading it; `conflicts` counts the 412s met.
  DeliveryOutcome upsert(const CalDavCalendar& cal, const std::string& name, const std::string& ics,
                         std::uint64_t version, const std::string& server) {
    std::uint32_t conflicts = 0;
    auto created = client->put(cal, name, ics, "");
    if (!created)
      return DeliveryOutcome::transient_failure(created.error().message());
    if (written(created->status))
      return DeliveryOutcome::delivered(fmt::format("event created ({})", created->status));
    if (created->status != 412)
      return failure_for(created->status, server);
    while (true) {  // it exists: read it for its entity tag, then replace it
      auto existing = client->get(cal, name);
      if (!existing)
        return DeliveryOutcome::transient_failure(existing.error().message());
      if (!*existing) {  // removed meanwhile: create it again
        auto again = client->put(cal, name, ics, "");
        if (!again)
          return DeliveryOutcome::transient_failure(again.error().message());
        if (written(again->status))
          return DeliveryOutcome::delivered(fmt::format("event created ({})", again->status));
        if (again->status != 412)
          return failure_for(again->status, server);
        if (++conflicts > options.conflict_retries)
          return DeliveryOutcome::transient_failure(
              fmt::format("CalDAV {}: the event kept changing under the write (412, {} times)",
                          server, conflicts));
        continue;
      }
      const std::string etag = (*existing)->etag;
      {
        const auto held = sequence_of((*existing)->ics);
        if (held && *held > static_cast<std::int64_t>(version)) {
          return DeliveryOutcome::delivered(fmt::format(
              "the calendar already holds version {}; version {} not written", *held, version));
        }
      }
      auto replaced = client->put(cal, name, ics, etag.empty() ? "*" : etag);
      if (!replaced)
        return DeliveryOutcome::transient_failure(replaced.error().message());
      if (written(replaced->status)) {
        return DeliveryOutcome::delivered(
            conflicts == 0 ? fmt::format("event updated ({})", replaced->status)
                           : fmt::format("event updated ({}) after {} concurrent edit(s) (412)",
                                         replaced->status, conflicts));
      }
      if (replaced->status != 412)
        return failure_for(replaced->status, server);
      if (++conflicts > options.conflict_retries) {
        return DeliveryOutcome::transient_failure(
            fmt::format("CalDAV {}: the event kept changing under the write (412, {} times)",
                        server, conflicts));
      }
    }
  }

  // The event removed; one already gone is fine.
  DeliveryOutcome remove(const CalDavCalendar& cal, const std::string& name,
                         const std::string& server) {
    for (std::uint32_t conflicts = 0;; ++conflicts) {
      auto existing = client->get(cal, name);
      if (!existing)
        return DeliveryOutcome::transient_failure(existing.error().message());
      if (!*existing)
        return DeliveryOutcome::delivered("no event to remove");
      auto removed = client->remove(cal, name, (*existing)->etag);
      if (!removed)
        return DeliveryOutcome::transient_failure(removed.error().message());
      if (written(removed->status) || removed->status == 404)
        return DeliveryOutcome::delivered(fmt::format("event removed ({})", removed->status));
      if (removed->status != 412)
        return failure_for(removed->status, server);
      if (conflicts >= options.conflict_retries) {
        return DeliveryOutcome::transient_failure(
            fmt::format("CalDAV {}: the event kept changing under the removal (412, {} times)",
                        server, conflicts + 1));
      }
    }
  }

  DeliveryOutcome deliver(const Notification& n, const CalDavCalendar& cal) {
    const auto server = detail::redact_url(cal.url);
    const auto name = CalDavClient::resource_name(calendar_uid(n.interview.id, options.uid_domain));
    if (n.kind == NotificationKind::interview_cancelled &&
        options.on_cancel == CancelledEntry::removed)
      return remove(cal, name, server);
    auto ics = calendar_event(n, options.uid_domain, now());
    if (!ics)
      return DeliveryOutcome::permanent_failure(ics.error().message());
    return upsert(cal, name, *ics, n.interview.version, server);
  }
};

CalDavNotifier::CalDavNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CalDavNotifier::~CalDavNotifier() = default;

Result<std::shared_ptr<CalDavNotifier>> CalDavNotifier::make(CalDavNotifierOptions options) {
  if (!options.calendar_of)
    return InvalidInput{"CalDavNotifierOptions::calendar_of is required"};
  if (options.uid_domain.empty())
    return InvalidInput{"CalDavNotifierOptions::uid_domain is required"};
  auto client = CalDavClient::make(options.client);
  if (!client)
    return client.error();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->client = std::move(*client);
  return std::shared_ptr<CalDavNotifier>(new CalDavNotifier(std::move(impl)));
}

DeliveryOutcome CalDavNotifier::deliver(const Notification& notification,
                                        const DeliveryContext& context) {
  if (notification.recipient.is_candidate())
    return DeliveryOutcome::delivered("the candidate has no calendar on this channel");
  if (notification.kind == NotificationKind::interview_reminder)
    return DeliveryOutcome::delivered("a reminder changes no calendar entry");
  const auto& interviewer = std::get<InterviewerId>(notification.recipient.id);
  std::optional<CalDavCalendar> calendar;
  try {
    calendar = impl_->options.calendar_of(interviewer);
  } catch (const std::exception& e) {
    return DeliveryOutcome::transient_failure(
        fmt::format("calendar_of({}) threw: {}", interviewer, e.what()));
  }
  if (!calendar)
    return DeliveryOutcome::delivered(fmt::format("no calendar for interviewer {}", interviewer));
  std::lock_guard lock(impl_->mutex);
  impl_->client->set_deadline(context.deadline);
  auto outcome = impl_->deliver(notification, *calendar);
  impl_->client->set_deadline(std::nullopt);
  return outcome;
}

}  // namespace interviewkit
