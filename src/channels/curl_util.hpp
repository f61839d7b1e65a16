// Internal libcurl helpers shared by the network channels. Not installed.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <curl/curl.h>

#include <interviewkit/notify/notifier.hpp>

namespace interviewkit::detail {

inline void curl_global() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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

/// Milliseconds left until `deadline`, capped by `limit`; at least 1 so curl never waits
/// forever on a 0.
inline long remaining_ms(const DeliveryContext& context, std::chrono::milliseconds limit) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      context.deadline - std::chrono::steady_clock::now());
  return static_cast<long>(std::max<std::int64_t>(1, std::min(left, limit).count()));
}

/// True for curl failures that say nothing about the message itself: worth retrying.
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
