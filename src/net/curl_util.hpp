// Internal libcurl helpers shared by the network channels (SMTP, webhook) and the CalDAV
// client: RAII handles, deadlines, certificate checks and which curl errors are worth a
// retry. Not installed.
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <curl/curl.h>

#include <interviewkit/notify/notifier.hpp>

namespace interviewkit::detail {

// curl_global_init is not thread-safe and must run before any other libcurl call; the
// channels call this from make(), so a host that never builds one never initialises curl.
inline void curl_global() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What is wrong with `url` as the address of a server, by libcurl's own URL parser (the one
// that will connect to it), or nullopt: it must parse, name a host, and any port it gives
// must be 1..65535. Called by make(), so a typo fails there instead of at the first delivery.
inline std::optional<std::string> url_problem(const std::string& url) {
  const std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), curl_url_cleanup);
  if (!parsed)
    return "cannot be parsed: out of memory";
  if (const auto rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK)
    return std::string("cannot be parsed: ") + curl_url_strerror(rc);
  const auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* text = nullptr;
    if (curl_url_get(parsed.get(), which, &text, 0) != CURLUE_OK || text == nullptr)
      return std::nullopt;
    std::string out(text);
    curl_free(text);
    return out;
  };
  // libcurl reads "https:///x" as host "x"; a URL that spells no authority names no host.
  const auto authority = url.find("://");
  const auto literal = authority == std::string::npos ? std::string::npos : authority + 3;
  const bool spelt = literal < url.size() && url.find_first_of("/?#", literal) != literal;
  const auto host = part(CURLUPART_HOST);
  if (!spelt || !host || host->empty() || *host == "[]")
    return "names no host";
  // libcurl accepts port 0 and leaves out-of-range ports to fail at connect time.
  if (const auto port = part(CURLUPART_PORT)) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (ec != std::errc{} || end != port->data() + port->size() || value < 1 || value > 65535)
      return "has port " + *port + "; a port is 1..65535";
  }
  return std::nullopt;
}

struct CurlDeleter {
  void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct ShareDeleter {
  void operator()(CURLSH* share) const noexcept { curl_share_cleanup(share); }
};
using CurlShare = std::unique_ptr<CURLSH, ShareDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

/// Appends `line` to `list`; false when libcurl runs out of memory (the list is unchanged).
inline bool append(CurlList& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr)
    return false;
  // The head is the old one, or a new node when the list was empty: either way it owns all.
  (void)list.release();
  list.reset(head);
  return true;
}

/// Checks the server's certificate chain and that it names the host (VERIFYHOST 2: the one
/// value that checks the name in every libcurl version). Off only for tests against
/// self-signed servers.
inline void verify_server(CURL* curl, bool verify) {
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
}

/// Milliseconds left until `deadline`, capped by `limit`; at least 1 so curl never waits
/// forever on a 0.
inline long remaining_ms(const DeliveryContext& context, std::chrono::milliseconds limit) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      context.deadline - std::chrono::steady_clock::now());
  return static_cast<long>(std::max<std::int64_t>(1, std::min(left, limit).count()));
}

/// True for curl failures that say nothing about the message itself: worth retrying. They
/// are about reaching the server (DNS, connect, TLS handshake, a connection lost midway or
/// timed out); the rest (a malformed URL, a refused login, an unsupported protocol, a
/// certificate that does not verify) would fail the same way on every attempt.
inline bool transient_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

}  // namespace interviewkit::detail
