#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include <interviewkit/channels/smtp_notifier.hpp>

#include "curl_util.hpp"
#include "redact.hpp"

namespace interviewkit {

using detail::CurlHandle;
using detail::CurlList;

namespace {

// Closes the connection. libcurl says QUIT and waits for the reply, where the transfer's
// timeout no longer applies and the per-reply one does (two minutes by default): a server
// that stopped answering would hold the caller that long.
void close_connection(CurlHandle& curl) noexcept {
  if (curl)
    curl_easy_setopt(curl.get(), CURLOPT_SERVER_RESPONSE_TIMEOUT, 1L);
  curl.reset();
}

}  // namespace

struct SmtpNotifier::Impl {
  SmtpOptions options;
  std::shared_ptr<const Clock> clock;
  std::string destination;           // the URL without user info, path or query
  std::vector<std::string> secrets;  // what no outcome detail may repeat
  std::mutex mutex;
  CurlHandle curl;  // kept between messages of a batch: libcurl reuses its connection
  bool in_batch = false;

  // Upload state for one message.
  std::string_view pending;
  // The last reply line the server sent, and the first 4xx/5xx one ("550 5.1.1 <x@y>: no
  // such user"): after a failure curl still says QUIT, so the last line is only "221 Bye".
  std::string last_reply;
  std::string error_reply;

  static std::size_t read(char* buffer, std::size_t size, std::size_t count, void* self) {
    auto* impl = static_cast<Impl*>(self);
    const auto n = std::min(size * count, impl->pending.size());
    std::memcpy(buffer, impl->pending.data(), n);
    impl->pending.remove_prefix(n);
    return n;
  }

  // libcurl waits for the reply to the final dot in a loop that its transfer timeout does
  // not bound (only the per-reply one does, two minutes by default), but that does call
  // this: abort there once the deadline has passed.
  std::chrono::steady_clock::time_point abort_at;
  bool deadline_passed = false;
  static int progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* impl = static_cast<Impl*>(self);
    if (std::chrono::steady_clock::now() < impl->abort_at)
      return 0;
    impl->deadline_passed = true;
    return 1;
  }

  static int debug(CURL*, curl_infotype type, char* data, std::size_t size, void* self) {
    if (type == CURLINFO_HEADER_IN) {
      std::string line(data, size);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
      auto* impl = static_cast<Impl*>(self);
      if (impl->error_reply.empty() && !line.empty() && (line[0] == '4' || line[0] == '5')) {
        impl->error_reply = line;
      }
      impl->last_reply = std::move(line);
    }
    return 0;
  }

  ~Impl() { close_connection(curl); }

  CURL* handle() {
    if (!curl)
      curl.reset(curl_easy_init());
    return curl.get();
  }
};

Result<std::shared_ptr<SmtpNotifier>> SmtpNotifier::make(SmtpOptions options,
                                                         std::shared_ptr<const Clock> clock) {
  if (!(options.url.starts_with("smtp://") || options.url.starts_with("smtps://"))) {
    return InvalidInput{fmt::format("SMTP URL \"{}\" must start with smtp:// or smtps://",
                                    detail::redact_url(options.url))};
  }
  if (options.url.find_first_of(" \r\n\t") != std::string::npos) {
    return InvalidInput{"SMTP URL must not contain whitespace"};
  }
  if (options.timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return InvalidInput{"SMTP timeouts must be positive"};
  }
  if (!options.username.empty() && !options.allow_plaintext_auth &&
      options.url.starts_with("smtp://") && options.starttls == SmtpOptions::StartTls::off) {
    return InvalidInput{fmt::format(
        "SMTP credentials for {} would be sent unencrypted: use StartTls::required or an "
        "smtps:// URL, or set allow_plaintext_auth for a trusted relay",
        detail::redact_url(options.url))};
  }
  detail::curl_global();
  auto impl = std::make_unique<Impl>();
  impl->destination = detail::redact_url(options.url);
  impl->secrets = detail::url_secrets(options.url);
  if (!options.password.empty()) {
    impl->secrets.push_back(options.password);
    // What AUTH PLAIN and AUTH LOGIN put on the wire, should a server echo it back.
    impl->secrets.push_back(detail::base64(options.password));
    impl->secrets.push_back(
        detail::base64(std::string(1, '\0') + options.username + '\0' + options.password));
  }
  impl->options = std::move(options);
  impl->clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
  return std::shared_ptr<SmtpNotifier>(new SmtpNotifier(std::move(impl)));
}

SmtpNotifier::SmtpNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SmtpNotifier::~SmtpNotifier() = default;

std::string SmtpNotifier::destination() const {
  return impl_->destination;
}

void SmtpNotifier::begin_batch() {
  std::lock_guard lock(impl_->mutex);
  impl_->in_batch = true;
}

void SmtpNotifier::end_batch() noexcept {
  std::lock_guard lock(impl_->mutex);
  impl_->in_batch = false;
  close_connection(impl_->curl);  // QUIT: do not hold an idle connection the server will time out
}

DeliveryOutcome SmtpNotifier::deliver(const Notification& notification,
                                      const DeliveryContext& context) {
  auto message = render_email(notification, context, impl_->options.email, impl_->clock->now());
  if (!message) {
    return DeliveryOutcome::permanent_failure(
        fmt::format("cannot render the email: {}", message.error().message()));
  }
  return send(*message, context);
}

DeliveryOutcome SmtpNotifier::send(const EmailMessage& message, const DeliveryContext& context) {
  std::lock_guard lock(impl_->mutex);
  const auto& o = impl_->options;
  CURL* curl = impl_->handle();
  if (curl == nullptr)
    return DeliveryOutcome::transient_failure("curl_easy_init failed");
  if (!o.reuse_connection || !impl_->in_batch) {
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 0L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 0L);
  }

  CurlList recipients;
  for (const auto& to : message.envelope_to) {
    auto* list = curl_slist_append(recipients.get(), fmt::format("<{}>", to.str()).c_str());
    if (list == nullptr)
      return DeliveryOutcome::transient_failure("out of memory");
    (void)recipients.release();
    recipients.reset(list);
  }
  const auto from = fmt::format("<{}>", message.envelope_from.str());
  char error[CURL_ERROR_SIZE] = {};
  impl_->pending = message.data;
  impl_->last_reply.clear();
  impl_->error_reply.clear();

  curl_easy_setopt(curl, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &Impl::read);
  curl_easy_setopt(curl, CURLOPT_READDATA, impl_.get());
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, &Impl::debug);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, impl_.get());
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);  // feeds the debug callback, prints nothing
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   detail::remaining_ms(context, o.connect_timeout));
  const long budget = detail::remaining_ms(context, o.timeout);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, budget);
  impl_->abort_at = std::chrono::steady_clock::now() + std::chrono::milliseconds{budget};
  impl_->deadline_passed = false;
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Impl::progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, impl_.get());
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, 0L);  // bounded by the above
  // Credentials never travel unencrypted unless the host said so: with them, "if offered"
  // means "required" (make() refused "off").
  const bool credentials = !o.username.empty() && !o.allow_plaintext_auth;
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   o.starttls == SmtpOptions::StartTls::required || credentials ? CURLUSESSL_ALL
                   : o.starttls == SmtpOptions::StartTls::if_offered            ? CURLUSESSL_TRY
                                                                                : CURLUSESSL_NONE);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, o.verify_peer ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, o.verify_peer ? 2L : 0L);
  if (!o.ca_file.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, o.ca_file.c_str());
  if (!o.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, o.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, o.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  // Drop references to this call's buffers before they go out of scope.
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  impl_->pending = {};

  if (rc == CURLE_OK) {
    return DeliveryOutcome::delivered(
        impl_->last_reply.empty()
            ? fmt::format("{}", code)
            : detail::bound(detail::scrub(impl_->last_reply, impl_->secrets)));
  }
  close_connection(impl_->curl);  // never reuse a connection in an unknown state
  const bool timed_out =
      rc == CURLE_OPERATION_TIMEDOUT || (rc == CURLE_ABORTED_BY_CALLBACK && impl_->deadline_passed);
  const std::string reason =
      rc == CURLE_ABORTED_BY_CALLBACK && impl_->deadline_passed
          ? "timeout: no reply from the server by the deadline"
          : (error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc)));
  if (!impl_->error_reply.empty())
    code = std::strtol(impl_->error_reply.c_str(), nullptr, 10);
  // libcurl's error text may quote the URL, a server's reply anything: scrub both.
  const auto detail = detail::bound(
      detail::scrub(!impl_->error_reply.empty()
                        ? fmt::format("SMTP {} ({})", impl_->error_reply, reason)
                        : fmt::format("SMTP delivery to {} failed: {}", impl_->destination, reason),
                    impl_->secrets));
  if (code >= 500)
    return DeliveryOutcome::permanent_failure(detail);
  if (code >= 400 || timed_out || detail::transient_curl_error(rc)) {
    return DeliveryOutcome::transient_failure(detail);
  }
  return DeliveryOutcome::permanent_failure(detail);
}

}  // namespace interviewkit
