// Internal helpers that keep credentials and capability tokens out of the text the network
// channels produce (outcome details, error messages). Not installed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace interviewkit::detail {

/// "scheme://host[:port]" of a URL: the user info, path, query and fragment are dropped.
/// Text without "://" gives "…": nothing of an unparseable URL is repeated.
inline std::string redact_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0)
    return "…";
  const auto scheme = url.substr(0, scheme_end);
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  return std::string(scheme) + "://" + std::string(authority);
}

/// The parts of a URL that must never be repeated: the whole URL, its user info (and the
/// password inside it), its path, query and fragment. Short parts ("/", "") are left out:
/// replacing them would garble unrelated text and they reveal nothing.
inline std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> out;
  const auto add = [&](std::string_view part) {
    if (part.size() >= 3)
      out.emplace_back(part);
  };
  add(url);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return out;  // not a URL: the whole text is the only thing to hide
  }
  const auto rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    add(userinfo);
    const auto colon = userinfo.find(':');
    add(userinfo.substr(0, colon));  // the user name
    if (colon != std::string_view::npos)
      add(userinfo.substr(colon + 1));
  }
  if (authority_end != std::string_view::npos) {
    const auto tail = rest.substr(authority_end);  // path, query and fragment
    add(tail);
    // libcurl and servers may quote the path and the query separately.
    for (const char separator : {'?', '#'}) {
      const auto at = tail.find(separator);
      if (at != std::string_view::npos) {
        add(tail.substr(0, at));
        add(tail.substr(at + 1));
      }
    }
  }
  return out;
}

/// Replaces every occurrence of each secret in `text` with "…", longest secrets first (so a
/// URL is replaced whole before its parts are).
inline std::string scrub(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    if (secret.empty())
      continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "…");
    }
  }
  return text;
}

/// Cuts `text` to at most `limit` bytes (plus "…" when cut): an outcome detail is a line in
/// a log, not a copy of whatever a server sent. May cut inside a UTF-8 sequence; the
/// dispatcher makes stored text valid UTF-8.
inline std::string bound(std::string text, std::size_t limit = 400) {
  if (text.size() > limit) {
    text.resize(limit);
    text += "…";
  }
  return text;
}

/// What a network channel may say about where it delivers, and what it must never repeat:
/// every outcome detail it produces goes through clean().
struct Redactor {
  std::string destination;           ///< "scheme://host[:port]" of the URL
  std::vector<std::string> secrets;  ///< the URL's secret parts, plus what the channel adds

  Redactor() = default;
  explicit Redactor(std::string_view url)
      : destination(redact_url(url)), secrets(url_secrets(url)) {}

  /// `text` fit for an outcome detail: no secret in it, at most a few hundred bytes. For
  /// text from libcurl (which may quote the URL) and from servers (which may echo anything).
  [[nodiscard]] std::string clean(std::string text) const {
    return bound(scrub(std::move(text), secrets));
  }
};

}  // namespace interviewkit::detail
