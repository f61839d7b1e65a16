// CalendarSync: a calendar's resources mirrored in the Store, and the busy time they give.
//
// Why the resources themselves are cached, not only the busy time: the window moves with the
// clock, and a recurring event read once gives busy time for any window; keeping its text
// lets every sync recompute the busy time without asking the server for anything unchanged.
//
// Why a full read fetches every resource instead of asking for a time range: servers place
// recurring, all-day and floating events in a range each their own way (expansion is
// optional in practice, and some read floating times as UTC), and filtering costs them more
// than listing (Radicale: 0.7 s for a prop-filter over 500 events, 35 ms for a multiget of
// all of them). Holding every resource also lets a window that moves past the computed range
// be computed anew without the server.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <libical/ical.h>
#include <nlohmann/json.hpp>

#include <interviewkit/calendar/calendar_sync.hpp>

#include "net/redact.hpp"

namespace interviewkit {

namespace {

// The IANA zone a CALDAV:calendar-timezone names (the TZID of its VTIMEZONE), or "".
std::string zone_of(const std::string& calendar_timezone) {
  if (calendar_timezone.empty())
    return "";
  icalcomponent* root = icalparser_parse_string(calendar_timezone.c_str());
  if (root == nullptr)
    return "";
  std::string out;
  icalcomponent* tz = icalcomponent_isa(root) == ICAL_VTIMEZONE_COMPONENT
                          ? root
                          : icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
  if (tz != nullptr) {
    if (auto* tzid = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY)) {
      const char* name = icalproperty_get_tzid(tzid);
      if (name != nullptr && TimeZone::make(name))
        out = name;
    }
  }
  icalcomponent_free(root);
  return out;
}

// The furthest CalendarSyncOptions::read_ahead reaches: a year.
constexpr std::chrono::hours max_read_ahead{24 * 366};

using Resources = std::map<std::string, CachedCalendarResource>;

// The hrefs read in this sync (all of them after a fresh read): whose skipped events are new.
std::set<std::string> read_since(const Resources& before, const Resources& now, bool fresh) {
  std::set<std::string> out;
  for (const auto& [href, r] : now) {
    const auto old = before.find(href);
    if (fresh || old == before.end() || old->second.etag != r.etag)
      out.insert(href);
  }
  return out;
}

Resources by_href(std::vector<CachedCalendarResource> list) {
  Resources out;
  for (auto& r : list)
    out.insert_or_assign(r.href, std::move(r));
  return out;
}

void absorb(Resources& into, std::vector<CalendarResource> read, SyncReport& report) {
  for (auto& r : read) {
    ++report.fetched;
    into.insert_or_assign(r.href,
                          CachedCalendarResource{r.href, std::move(r.etag), std::move(r.ics)});
  }
}

}  // namespace

struct CalendarSync::Impl {
  std::shared_ptr<Store> store;
  std::shared_ptr<CalDavClient> client;
  CalendarSyncOptions options;

  // Everything afresh: the collection's state, the list of its resources (with the sync
  // token that goes with it, where the server has one), and every resource.
  Result<void> read_all(const CalDavCalendar& calendar, CachedCalendar& cache, Resources& resources,
                        SyncReport& report) {
    report.full_read = true;
    auto state = client->state(calendar);
    ++report.round_trips;
    if (!state)
      return state.error();
    std::vector<ResourceTag> listed;
    cache.sync_token.clear();
    if (!state->sync_token.empty()) {
      auto all = client->changes_since(calendar, "");
      ++report.round_trips;
      if (!all)
        return all.error();
      if (!all->token_expired) {
        listed = std::move(all->changed);
        cache.sync_token = all->sync_token;
      }
    }
    if (cache.sync_token.empty()) {
      auto tags = client->tags(calendar);
      ++report.round_trips;
      if (!tags)
        return tags.error();
      listed = std::move(*tags);
    }
    resources.clear();
    if (auto fetched = fetch_changed(calendar, listed, resources, report); !fetched)
      return fetched.error();
    cache.ctag = state->ctag;
    cache.time_zone = zone_of(state->time_zone);
    return {};
  }

  // Reads the resources in `changed` whose entity tag differs from the cached one.
  Result<void> fetch_changed(const CalDavCalendar& calendar,
                             const std::vector<ResourceTag>& changed, Resources& resources,
                             SyncReport& report) {
    std::vector<std::string> wanted;
    for (const auto& tag : changed) {
      const auto it = resources.find(tag.href);
      if (it == resources.end() || it->second.etag != tag.etag)
        wanted.push_back(tag.href);
    }
    if (wanted.empty())
      return {};
    auto read = client->fetch(calendar, wanted);
    report.round_trips +=
        (wanted.size() + CalDavClient::hrefs_per_fetch - 1) / CalDavClient::hrefs_per_fetch;
    if (!read)
      return read.error();
    // A resource removed between the two requests is simply not there.
    for (const auto& href : wanted) {
      if (std::ranges::none_of(*read, [&](const auto& r) { return r.href == href; }))
        report.removed += resources.erase(href);
    }
    absorb(resources, std::move(*read), report);
    return {};
  }

  // RFC 6578: what changed since the cached token. False when the server no longer knows
  // it (read everything afresh).
  Result<bool> sync_by_token(const CalDavCalendar& calendar, CachedCalendar& cache,
                             Resources& resources, SyncReport& report) {
    auto changes = client->changes_since(calendar, cache.sync_token);
    ++report.round_trips;
    if (!changes)
      return changes.error();
    if (changes->token_expired)
      return false;
    for (const auto& href : changes->removed)
      report.removed += resources.erase(href);
    if (auto fetched = fetch_changed(calendar, changes->changed, resources, report); !fetched)
      return fetched.error();
    cache.sync_token = changes->sync_token;
    return true;
  }

  // Without sync tokens: the ctag says whether anything changed, entity tags what.
  Result<void> sync_by_tags(const CalDavCalendar& calendar, CachedCalendar& cache,
                            Resources& resources, SyncReport& report) {
    if (!cache.ctag.empty()) {
      auto state = client->state(calendar);
      ++report.round_trips;
      if (!state)
        return state.error();
      if (state->ctag == cache.ctag)
        return {};
      cache.ctag = state->ctag;
    }
    auto tags = client->tags(calendar);
    ++report.round_trips;
    if (!tags)
      return tags.error();
    std::set<std::string> present;
    for (const auto& t : *tags)
      present.insert(t.href);
    std::erase_if(resources, [&](const auto& entry) {
      const bool gone = !present.contains(entry.first);
      report.removed += gone ? 1 : 0;
      return gone;
    });
    return fetch_changed(calendar, *tags, resources, report);
  }

  // The busy time of every cached resource in the covered range; skipped events of the
  // resources read in this sync are reported (and logged) once.
  void recompute(CachedCalendar& cache, const Resources& resources,
                 const std::set<std::string>& read_now, SyncReport& report) {
    auto busy_options = options.busy;
    if (auto zone = TimeZone::make(cache.time_zone); zone && !cache.time_zone.empty())
      busy_options.calendar_zone = *zone;
    cache.busy.clear();
    cache.resources.clear();
    for (const auto& [href, r] : resources) {
      auto busy = read_busy_times(r.ics, href, *cache.covered, busy_options);
      for (const auto& b : busy.busy)
        cache.busy.push_back(b.range);
      report.own += busy.own;
      if (read_now.contains(href))
        report.skipped.insert(report.skipped.end(), busy.skipped.begin(), busy.skipped.end());
      cache.resources.push_back(r);
    }
    report.busy = cache.busy.size();
  }

  // Brings `resources` up to date with the server: incrementally when a copy was held
  // (`usable`), afresh otherwise or when the server no longer knows the sync token. True
  // when it read afresh.
  Result<bool> refresh(const CalDavCalendar& calendar, bool usable, CachedCalendar& cache,
                       Resources& resources, SyncReport& report) {
    bool fresh = !usable;
    if (usable && !cache.sync_token.empty()) {
      auto kept = sync_by_token(calendar, cache, resources, report);
      if (!kept)
        return kept.error();
      fresh = !*kept;
    } else if (usable) {
      if (auto synced = sync_by_tags(calendar, cache, resources, report); !synced)
        return synced.error();
    }
    if (fresh) {
      if (auto read = read_all(calendar, cache, resources, report); !read)
        return read.error();
    }
    return fresh;
  }

  void log_skipped(const CachedCalendar& cache, const std::string& url, const SyncReport& report,
                   UtcMillis now) const;

  UtcMillis now() const { return options.clock ? options.clock->now() : SystemClock().now(); }
};

// The last segment of a resource's path: its name, without the collection's path, which
// may hold a capability token (the calendar is logged by scheme, host and port only).
std::string last_segment(std::string_view href) {
  while (href.ends_with('/'))
    href.remove_suffix(1);
  const auto slash = href.rfind('/');
  return std::string(slash == std::string_view::npos ? href : href.substr(slash + 1));
}

// Text from a calendar, at most 2000 bytes (cut on a character boundary, "…" appended), as
// the ActionLog's text from outside is (docs/action-log.md). It came through an XML parser,
// so it is UTF-8 without NUL already.
std::string log_text(std::string_view text) {
  constexpr std::size_t limit = 2000;
  if (text.size() <= limit)
    return std::string(text);
  auto cut = limit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U)
    --cut;
  return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

// One entry per skipped event of the resources read in this sync, so an event is logged
// when it first fails to read, not at every sync.
void CalendarSync::Impl::log_skipped(const CachedCalendar& cache, const std::string& url,
                                     const SyncReport& report, UtcMillis now) const {
  if (!options.log)
    return;
  for (const auto& s : report.skipped) {
    ActionEntry entry{.time = now, .action = ActionType::calendar_event_skipped};
    entry.details = JsonValue::object();
    entry.details["interviewer"] = cache.interviewer.str();
    entry.details["calendar"] = log_text(detail::redact_url(url));
    entry.details["href"] = log_text(last_segment(s.source));
    entry.details["uid"] = log_text(s.uid);
    entry.details["reason"] = log_text(s.reason);
    options.log->record(entry);
  }
}

CalendarSync::CalendarSync(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CalendarSync::~CalendarSync() = default;

Result<std::unique_ptr<CalendarSync>> CalendarSync::make(std::shared_ptr<Store> store,
                                                         std::shared_ptr<CalDavClient> client,
                                                         CalendarSyncOptions options) {
  if (!store || !client)
    return InvalidInput{"CalendarSync::make: the store and the client must not be null"};
  if (options.read_ahead.count() < 0 || options.read_ahead > max_read_ahead)
    return InvalidInput{fmt::format("CalendarSyncOptions::read_ahead is {} h; 0 to {} h allowed",
                                    options.read_ahead.count(), max_read_ahead.count())};
  auto impl = std::make_unique<Impl>(Impl{std::move(store), std::move(client), std::move(options)});
  return std::unique_ptr<CalendarSync>(new CalendarSync(std::move(impl)));
}

Result<SyncReport> CalendarSync::sync(const CalDavCalendar& calendar,
                                      const InterviewerId& interviewer, const TimeRange& window) {
  auto& impl = *impl_;
  // Keyed by interviewer and URL: two interviewers may share one calendar (a team's).
  const auto key = fmt::format("{} {}", interviewer.str(), calendar.url);
  auto loaded = impl.store->load_calendar(key);
  if (!loaded)
    return loaded.error();
  SyncReport report;
  CachedCalendar cache{.key = key, .interviewer = interviewer};
  Resources resources;
  const bool usable = *loaded && (*loaded)->interviewer == interviewer;
  if (usable) {
    cache = std::move(**loaded);
    resources = by_href(std::move(cache.resources));
  }
  const auto before = resources;
  const auto token_before = cache.sync_token;
  const auto ctag_before = cache.ctag;
  auto refreshed = impl.refresh(calendar, usable, cache, resources, report);
  if (!refreshed)
    return refreshed.error();
  const bool fresh = *refreshed;
  // The busy time is computed for the window and some way past it; a window beyond that is
  // computed anew from the resources held, with nothing more asked of the server.
  const bool covered = cache.covered && cache.covered->start() <= window.start() &&
                       window.end() <= cache.covered->end();
  if (!covered) {
    auto range = TimeRange::make(window.start(), window.end() + impl.options.read_ahead);
    if (!range)
      return range.error();
    cache.covered = *range;
  }
  if (!fresh && covered && resources == before && cache.sync_token == token_before &&
      cache.ctag == ctag_before) {
    report.busy = cache.busy.size();
    return report;  // nothing changed: nothing to write
  }
  impl.recompute(cache, resources, read_since(before, resources, fresh), report);
  cache.synced_at = impl.now();
  if (auto saved = impl.store->save_calendar(cache); !saved)
    return saved.error();
  impl.log_skipped(cache, calendar.url, report, cache.synced_at);
  return report;
}

Result<void> load_calendar_busy(const Store& store, const SlotQuery& query,
                                std::span<InterviewerAvailability> interviewers) {
  // As far around the window as buffers and daily caps reach (see load_booked).
  const auto reach = std::chrono::hours{24 * 3} + max_interview_length;
  auto around = TimeRange::make(query.window.start() - reach, query.window.end() + reach);
  if (!around)
    return around.error();
  for (auto& person : interviewers) {
    auto busy = store.calendar_busy(person.id, *around);
    if (!busy)
      return busy.error();
    person.busy.insert(person.busy.end(), busy->begin(), busy->end());
  }
  return {};
}

}  // namespace interviewkit
