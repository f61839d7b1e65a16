// CalDavClient: WebDAV requests over libcurl, multistatus answers read with libxml2.
//
// Why libxml2: a multistatus answer is namespaced XML whose prefixes each server picks
// ("d:", "D:", a default namespace), so elements are matched by namespace URI and local
// name, which needs a namespace-aware parser. It is read with network access and entity
// substitution off: an answer can neither make the parser fetch anything nor expand itself.
//
// Why one easy handle per client: libcurl keeps the connection of the last request open on
// it, so polling many calendars on one server reuses one connection.
#include <algorithm>
#include <cctype>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <date/date.h>
#include <fmt/format.h>
#include <libical/ical.h>

#include <interviewkit/calendar/caldav_client.hpp>

#include "net/curl_util.hpp"
#include "net/redact.hpp"

namespace interviewkit {

namespace {

constexpr std::string_view dav_ns = "DAV:";
constexpr std::string_view caldav_ns = "urn:ietf:params:xml:ns:caldav";
constexpr std::string_view calendarserver_ns = "http://calendarserver.org/ns/";

// Text for an XML element's content or attribute value.
std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ---- Reading a multistatus answer. ----------------------------------------------------------

struct DocDeleter {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};

bool is(const xmlNode* node, std::string_view ns, std::string_view name) {
  return node->type == XML_ELEMENT_NODE && node->ns != nullptr && node->ns->href != nullptr &&
         ns == reinterpret_cast<const char*>(node->ns->href) &&
         name == reinterpret_cast<const char*>(node->name);
}

std::vector<const xmlNode*> children(const xmlNode* node, std::string_view ns,
                                     std::string_view name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (is(c, ns, name))
      out.push_back(c);
  }
  return out;
}

std::string text_of(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return out;
}

// "HTTP/1.1 404 Not Found" -> 404; 0 if unreadable.
int status_code(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4)
    return 0;
  int code = 0;
  for (const char c : line.substr(space + 1, 3)) {
    if (c < '0' || c > '9')
      return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

// One DAV:response: its href, the status it carries itself (a removed resource in a
// sync-collection answer), and the properties found (status 200), by "namespace local-name".
struct DavResponse {
  std::string href;
  int status = 0;
  bool collection = false;  // its DAV:resourcetype holds DAV:collection
  std::map<std::string, std::string, std::less<>> props;

  [[nodiscard]] const std::string* prop(std::string_view ns, std::string_view name) const {
    const auto it = props.find(fmt::format("{} {}", ns, name));
    return it == props.end() ? nullptr : &it->second;
  }
};

struct Multistatus {
  std::vector<DavResponse> responses;
  std::string sync_token;
};

// An href as one spelling for every answer: servers may send it as a whole URL or a path,
// with white space around it (pretty-printed XML), and percent-encode different bytes in
// different answers ("a@b" in one, "a%40b" in another). The path is decoded and encoded
// again the one way, so the same resource always has the same href.
std::string canonical_href(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  // A whole URL ("http://host/c/x.ics"): its path. Only a scheme at the very start counts;
  // "://" later on is part of the path.
  const auto scheme = text.find("://");
  const auto slash = text.find('/');
  if (scheme != std::string::npos && scheme < slash && scheme > 0) {
    const auto path = text.find('/', scheme + 3);
    text = path == std::string::npos ? "/" : text.substr(path);
  }
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  // Bytes a path may hold as they are: unreserved, sub-delims, ":" and "@" (RFC 3986 pchar),
  // and "/" between segments. An encoded "/" stays encoded: it is part of a name.
  constexpr std::string_view plain = "-._~!$&'()*+,;=:@";
  const auto as_is = [&](unsigned char c) {
    return std::isalnum(c) != 0 || plain.find(static_cast<char>(c)) != std::string_view::npos;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      const auto decoded = static_cast<unsigned char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      out += as_is(decoded) ? std::string(1, static_cast<char>(decoded))
                            : fmt::format("%{:02X}", decoded);
      i += 2;
    } else if (as_is(c) || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

DavResponse read_response(const xmlNode* node) {
  DavResponse r;
  for (const auto* href : children(node, dav_ns, "href"))
    r.href = canonical_href(text_of(href));
  for (const auto* status : children(node, dav_ns, "status"))
    r.status = status_code(text_of(status));
  for (const auto* propstat : children(node, dav_ns, "propstat")) {
    const auto statuses = children(propstat, dav_ns, "status");
    if (statuses.empty() || status_code(text_of(statuses.front())) != 200)
      continue;
    for (const auto* prop : children(propstat, dav_ns, "prop")) {
      for (const xmlNode* p = prop->children; p != nullptr; p = p->next) {
        if (is(p, dav_ns, "resourcetype") && !children(p, dav_ns, "collection").empty())
          r.collection = true;
        if (p->type == XML_ELEMENT_NODE && p->ns != nullptr && p->ns->href != nullptr) {
          r.props[fmt::format("{} {}", reinterpret_cast<const char*>(p->ns->href),
                              reinterpret_cast<const char*>(p->name))] = text_of(p);
        }
      }
    }
  }
  return r;
}

std::optional<Multistatus> read_multistatus(const std::string& body) {
  if (body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return std::nullopt;
  const std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr || !is(root, dav_ns, "multistatus"))
    return std::nullopt;
  Multistatus out;
  for (const auto* response : children(root, dav_ns, "response"))
    out.responses.push_back(read_response(response));
  for (const auto* token : children(root, dav_ns, "sync-token"))
    out.sync_token = text_of(token);
  return out;
}

// ---- HTTP. ------------------------------------------------------------------------------

struct Answer {
  long status = 0;
  std::string body;
  std::string etag;  // the ETag header, if any
};

// Collects the answer's body, refusing one larger than the limit.
struct BodySink {
  std::string body;
  std::size_t limit = 0;
  bool overflow = false;
};

size_t collect(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const auto n = size * count;
  if (sink->body.size() + n > sink->limit) {
    sink->overflow = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

// Keeps the value of an ETag header line (the last response's, as libcurl hands over each
// response's headers in turn).
size_t collect_etag(char* data, size_t size, size_t count, void* user) {
  const auto n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view name = "etag:";
  if (line.size() > name.size() &&
      std::equal(name.begin(), name.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    line.remove_prefix(name.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
      line.remove_suffix(1);
    *static_cast<std::string*>(user) = std::string(line);
  } else if (line.starts_with("HTTP/")) {
    static_cast<std::string*>(user)->clear();  // a new response (after 100 Continue, say)
  }
  return n;
}

// What an unexpected HTTP status means for the caller.
std::string status_reason(long status) {
  switch (status) {
    case 401:
      return "the server refused the user name and password (401)";
    case 403:
      return "the server forbids this account to read the calendar (403)";
    case 404:
      return "there is no calendar at this URL (404)";
    case 507:
      return "the server is out of storage (507)";
    default:
      break;
  }
  if (status >= 300 && status < 400)
    return fmt::format("the server redirects elsewhere ({}); give the calendar's own URL", status);
  if (status >= 500)
    return fmt::format("the server failed ({})", status);
  return fmt::format("unexpected HTTP status {}", status);
}

Unavailable failure(std::string_view method, const std::string& url, std::string_view reason) {
  return Unavailable{fmt::format("CalDAV {} {}: {}", method, detail::redact_url(url), reason)};
}

// A calendar's URL is http or https; anything else is refused before a request is made.
std::optional<Error> check_url(const CalDavCalendar& calendar) {
  if (!calendar.url.starts_with("http://") && !calendar.url.starts_with("https://"))
    return InvalidInput{fmt::format("CalDAV calendar URL {} is not http:// or https://",
                                    detail::redact_url(calendar.url))};
  if (calendar.url.find_first_of("?#") != std::string::npos)
    return InvalidInput{
        fmt::format("CalDAV calendar URL {} has a query or fragment; a "
                    "collection's URL has neither",
                    detail::redact_url(calendar.url))};
  if (auto problem = detail::url_problem(calendar.url))
    return InvalidInput{
        fmt::format("CalDAV calendar URL {} {}", detail::redact_url(calendar.url), *problem)};
  return std::nullopt;
}

}  // namespace

struct CalDavClient::Impl {
  CalDavOptions options;
  detail::CurlHandle curl;
  std::optional<std::chrono::steady_clock::time_point> deadline{};

  // One request; the answer whatever its status, or Unavailable when none came. `url` is
  // the calendar's or one of its resources'; `body` is sent when set.
  Result<Answer> send(const CalDavCalendar& calendar, std::string_view method,
                      const std::string& url, const std::vector<std::string>& extra_headers,
                      const std::string* body) {
    if (auto bad = check_url(calendar))
      return *bad;
    CURL* c = curl.get();
    curl_easy_reset(c);
    BodySink sink{{}, options.max_response_bytes, false};
    std::string etag;
    detail::CurlList headers;
    bool listed = detail::append(headers, "Expect:");
    for (const auto& h : extra_headers)
      listed = listed && detail::append(headers, h);
    if (!listed)
      return failure(method, calendar.url, "out of memory");
    const std::string verb(method);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, verb.c_str());
    if (body != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &collect_etag);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &etag);
    configure(c, calendar);
    const CURLcode rc = curl_easy_perform(c);
    if (sink.overflow)
      return failure(method, calendar.url,
                     fmt::format("the answer is larger than {} bytes", options.max_response_bytes));
    if (rc != CURLE_OK)
      return failure(method, calendar.url, curl_easy_strerror(rc));
    Answer answer;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
    answer.body = std::move(sink.body);
    answer.etag = std::move(etag);
    return answer;
  }

  // What every request shares: protocols, timeouts, credentials, certificate checks.
  void configure(CURL* c, const CalDavCalendar& calendar) const {
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    auto timeout = options.request_timeout;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      timeout = std::max(std::chrono::milliseconds{1}, std::min(timeout, left));
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // whatever compression libcurl reads
    if (!calendar.username.empty()) {
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(c, CURLOPT_USERNAME, calendar.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, calendar.password.c_str());
    }
    detail::verify_server(c, options.verify_tls);
  }

  // A WebDAV request with an XML body to the calendar itself.
  Result<Answer> request(const CalDavCalendar& calendar, std::string_view method,
                         std::string_view depth, const std::string& body) {
    return send(calendar, method, calendar.url,
                {fmt::format("Depth: {}", depth), "Content-Type: application/xml; charset=utf-8"},
                &body);
  }

  // A request whose answer must be a 207 multistatus.
  Result<Multistatus> multistatus(const CalDavCalendar& calendar, std::string_view method,
                                  std::string_view depth, const std::string& body) {
    auto answer = request(calendar, method, depth, body);
    if (!answer)
      return answer.error();
    if (answer->status != 207)
      return failure(method, calendar.url, status_reason(answer->status));
    auto read = read_multistatus(answer->body);
    if (!read)
      return failure(method, calendar.url, "the answer is not a WebDAV multistatus document");
    return *std::move(read);
  }
};

namespace {

// The resources of an answer that carry calendar data.
std::vector<CalendarResource> resources_of(const Multistatus& m) {
  std::vector<CalendarResource> out;
  for (const auto& r : m.responses) {
    const auto* data = r.prop(caldav_ns, "calendar-data");
    const auto* etag = r.prop(dav_ns, "getetag");
    if (data != nullptr && !r.href.empty())
      out.push_back({r.href, etag != nullptr ? *etag : "", *data});
  }
  return out;
}

std::string calendar_query(std::string_view event_filter) {
  return fmt::format(R"(<?xml version="1.0" encoding="utf-8"?>)"
                     R"(<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">)"
                     R"(<d:prop><d:getetag/><c:calendar-data/></d:prop>)"
                     R"(<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">{})"
                     R"(</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>)",
                     event_filter);
}

std::string caldav_time(date::sys_seconds t) {
  return date::format("%Y%m%dT%H%M%SZ", t);
}

}  // namespace

Result<std::unique_ptr<CalDavClient>> CalDavClient::make(CalDavOptions options) {
  if (options.connect_timeout.count() <= 0 || options.request_timeout.count() <= 0)
    return InvalidInput{"CalDavOptions: connect_timeout and request_timeout must be positive"};
  if (options.max_response_bytes == 0)
    return InvalidInput{"CalDavOptions: max_response_bytes must be positive"};
  detail::curl_global();
  static std::once_flag xml_once;
  std::call_once(xml_once, [] { xmlInitParser(); });
  detail::CurlHandle curl(curl_easy_init());
  if (!curl)
    return Unavailable{"CalDavClient: libcurl could not make a handle"};
  auto impl = std::make_unique<Impl>(Impl{options, std::move(curl)});
  return std::unique_ptr<CalDavClient>(new CalDavClient(std::move(impl)));
}

CalDavClient::CalDavClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CalDavClient::~CalDavClient() = default;

void CalDavClient::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  impl_->deadline = deadline;
}

Result<CalendarState> CalDavClient::state(const CalDavCalendar& calendar) {
  auto m = impl_->multistatus(
      calendar, "PROPFIND", "0",
      R"(<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" )"
      R"(xmlns:cs="http://calendarserver.org/ns/" xmlns:c="urn:ietf:params:xml:ns:caldav">)"
      R"(<d:prop><d:sync-token/><cs:getctag/><c:calendar-timezone/></d:prop></d:propfind>)");
  if (!m)
    return m.error();
  CalendarState state;
  for (const auto& r : m->responses) {
    if (const auto* token = r.prop(dav_ns, "sync-token"))
      state.sync_token = *token;
    if (const auto* ctag = r.prop(calendarserver_ns, "getctag"))
      state.ctag = *ctag;
    if (const auto* zone = r.prop(caldav_ns, "calendar-timezone"))
      state.time_zone = *zone;
  }
  return state;
}

Result<std::vector<CalendarResource>> CalDavClient::events_in(const CalDavCalendar& calendar,
                                                              const TimeRange& range) {
  auto m = impl_->multistatus(
      calendar, "REPORT", "1",
      calendar_query(fmt::format(R"(<c:time-range start="{}" end="{}"/>)",
                                 caldav_time(range.start()), caldav_time(range.end()))));
  if (!m)
    return m.error();
  return resources_of(*m);
}

Result<std::vector<CalendarResource>> CalDavClient::recurring_events(
    const CalDavCalendar& calendar) {
  std::vector<CalendarResource> out;
  for (const auto* property : {"RRULE", "RDATE"}) {
    auto m =
        impl_->multistatus(calendar, "REPORT", "1",
                           calendar_query(fmt::format(R"(<c:prop-filter name="{}"/>)", property)));
    if (!m)
      return m.error();
    for (auto& r : resources_of(*m)) {
      if (std::ranges::none_of(out, [&](const auto& o) { return o.href == r.href; }))
        out.push_back(std::move(r));
    }
  }
  return out;
}

namespace {

// The busy periods of the VFREEBUSY components in `ics`, or nullopt if it holds none.
std::optional<std::vector<FreeBusyPeriod>> free_busy_periods(const std::string& ics) {
  icalcomponent* root = icalparser_parse_string(ics.c_str());
  if (root == nullptr)
    return std::nullopt;
  std::optional<std::vector<FreeBusyPeriod>> out;
  auto read = [&](icalcomponent* fb) {
    if (!out)
      out.emplace();
    for (auto* p = icalcomponent_get_first_property(fb, ICAL_FREEBUSY_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(fb, ICAL_FREEBUSY_PROPERTY)) {
      auto* type = icalproperty_get_first_parameter(p, ICAL_FBTYPE_PARAMETER);
      const auto kind = type != nullptr ? icalparameter_get_fbtype(type) : ICAL_FBTYPE_BUSY;
      if (kind == ICAL_FBTYPE_FREE)
        continue;
      const auto period = icalproperty_get_freebusy(p);
      const auto start = icaltime_as_timet_with_zone(period.start, icaltimezone_get_utc_timezone());
      const auto end =
          icaltime_is_null_time(period.end)
              ? start + icaldurationtype_as_int(period.duration)
              : icaltime_as_timet_with_zone(period.end, icaltimezone_get_utc_timezone());
      if (auto range = TimeRange::make(date::sys_seconds{std::chrono::seconds{start}},
                                       date::sys_seconds{std::chrono::seconds{end}}))
        out->push_back({*range, kind == ICAL_FBTYPE_BUSYTENTATIVE});
    }
  };
  if (icalcomponent_isa(root) == ICAL_VFREEBUSY_COMPONENT)
    read(root);
  for (auto* c = icalcomponent_get_first_component(root, ICAL_VFREEBUSY_COMPONENT); c != nullptr;
       c = icalcomponent_get_next_component(root, ICAL_VFREEBUSY_COMPONENT))
    read(c);
  icalcomponent_free(root);
  return out;
}

}  // namespace

Result<std::optional<std::vector<FreeBusyPeriod>>> CalDavClient::free_busy(
    const CalDavCalendar& calendar, const TimeRange& range) {
  auto answer = impl_->request(
      calendar, "REPORT", "1",
      fmt::format(R"(<?xml version="1.0" encoding="utf-8"?><c:free-busy-query )"
                  R"(xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="{}" )"
                  R"(end="{}"/></c:free-busy-query>)",
                  caldav_time(range.start()), caldav_time(range.end())));
  if (!answer)
    return answer.error();
  if (answer->status == 401)
    return failure("REPORT", calendar.url, status_reason(answer->status));
  if (answer->status != 200)
    return std::optional<std::vector<FreeBusyPeriod>>{};
  return free_busy_periods(answer->body);
}

Result<CalendarChanges> CalDavClient::changes_since(const CalDavCalendar& calendar,
                                                    const std::string& sync_token) {
  auto answer = impl_->request(
      calendar, "REPORT", "0",
      fmt::format(R"(<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">)"
                  R"(<d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level>)"
                  R"(<d:prop><d:getetag/></d:prop></d:sync-collection>)",
                  xml_escape(sync_token)));
  if (!answer)
    return answer.error();
  // RFC 6578 section 3.2: an unknown token fails the valid-sync-token precondition (403 or
  // 409 with a DAV:error body naming it). Servers answer it in other ways too (410, a bare
  // 403 or 400), so any refusal but 401 is taken for an expired token: the full read that
  // follows meets a real refusal again and reports it.
  if (answer->status >= 400 && answer->status < 500 && answer->status != 401)
    return CalendarChanges{.token_expired = true, .sync_token = ""};
  if (answer->status != 207)
    return failure("REPORT", calendar.url, status_reason(answer->status));
  auto m = read_multistatus(answer->body);
  if (!m)
    return failure("REPORT", calendar.url, "the answer is not a WebDAV multistatus document");
  CalendarChanges changes{.token_expired = false, .sync_token = m->sync_token};
  for (const auto& r : m->responses) {
    if (r.status == 404) {
      changes.removed.push_back(r.href);
    } else if (const auto* etag = r.prop(dav_ns, "getetag"); etag != nullptr && !r.href.empty()) {
      changes.changed.push_back({r.href, *etag});
    }
  }
  return changes;
}

Result<std::vector<ResourceTag>> CalDavClient::tags(const CalDavCalendar& calendar) {
  auto m = impl_->multistatus(calendar, "PROPFIND", "1",
                              R"(<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">)"
                              R"(<d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>)");
  if (!m)
    return m.error();
  std::vector<ResourceTag> out;
  for (const auto& r : m->responses) {
    const auto* etag = r.prop(dav_ns, "getetag");
    // The collection itself answers too.
    if (etag != nullptr && !r.href.empty() && !r.collection)
      out.push_back({r.href, *etag});
  }
  return out;
}

Result<std::vector<CalendarResource>> CalDavClient::fetch(const CalDavCalendar& calendar,
                                                          std::span<const std::string> hrefs) {
  std::vector<CalendarResource> out;
  // Batches keep each request and answer of a moderate size.
  constexpr std::size_t per_request = hrefs_per_fetch;
  for (std::size_t at = 0; at < hrefs.size(); at += per_request) {
    std::string listed;
    for (const auto& href : hrefs.subspan(at, std::min(per_request, hrefs.size() - at)))
      listed += fmt::format("<d:href>{}</d:href>", xml_escape(href));
    auto m = impl_->multistatus(
        calendar, "REPORT", "1",
        fmt::format(R"(<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget )"
                    R"(xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">)"
                    R"(<d:prop><d:getetag/><c:calendar-data/></d:prop>{}</c:calendar-multiget>)",
                    listed));
    if (!m)
      return m.error();
    auto got = resources_of(*m);
    out.insert(out.end(), std::make_move_iterator(got.begin()), std::make_move_iterator(got.end()));
  }
  return out;
}

std::string CalDavClient::resource_name(std::string_view uid) {
  std::string out;
  for (const char c : uid) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '@')
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out + ".ics";
}

namespace {

// A resource's URL: the calendar's, with the slash a collection URL should end in, then the
// resource's name.
std::string resource_url(const CalDavCalendar& calendar, const std::string& name) {
  return calendar.url.ends_with('/') ? calendar.url + name : calendar.url + "/" + name;
}

}  // namespace

Result<std::optional<CalendarResource>> CalDavClient::get(const CalDavCalendar& calendar,
                                                          const std::string& name) {
  auto answer = impl_->send(calendar, "GET", resource_url(calendar, name), {}, nullptr);
  if (!answer)
    return answer.error();
  if (answer->status == 404)
    return std::optional<CalendarResource>{};
  if (answer->status != 200)
    return failure("GET", calendar.url, status_reason(answer->status));
  return std::optional(CalendarResource{name, std::move(answer->etag), std::move(answer->body)});
}

Result<WriteAnswer> CalDavClient::put(const CalDavCalendar& calendar, const std::string& name,
                                      const std::string& ics, const std::string& if_match) {
  auto answer =
      impl_->send(calendar, "PUT", resource_url(calendar, name),
                  {"Content-Type: text/calendar; charset=utf-8",
                   if_match.empty() ? std::string("If-None-Match: *") : "If-Match: " + if_match},
                  &ics);
  if (!answer)
    return answer.error();
  return WriteAnswer{answer->status, std::move(answer->etag)};
}

Result<WriteAnswer> CalDavClient::remove(const CalDavCalendar& calendar, const std::string& name,
                                         const std::string& if_match) {
  std::vector<std::string> headers;
  if (!if_match.empty())
    headers.push_back("If-Match: " + if_match);
  auto answer = impl_->send(calendar, "DELETE", resource_url(calendar, name), headers, nullptr);
  if (!answer)
    return answer.error();
  return WriteAnswer{answer->status, std::move(answer->etag)};
}

}  // namespace interviewkit
