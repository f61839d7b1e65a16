// SmtpNotifier: sends each notification as a MIME email with its iCalendar invite over SMTP
// (RFC 5321) through libcurl, with STARTTLS or implicit TLS, AUTH, deadlines and connection
// reuse within a dispatcher pass.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include <interviewkit/channels/smtp_notifier.hpp>

#include "connection_pool.hpp"
#include "net/curl_util.hpp"
#include "mail_text.hpp"
#include "net/redact.hpp"

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

// One connection slot (see connection_pool.hpp): an easy handle, which libcurl keeps its
// SMTP session in between messages, and the state of the message being sent on it. Used by
// one delivery at a time, so nothing here needs a lock.
struct SmtpSession {
  CurlHandle curl{curl_easy_init()};  // null if curl has no memory

  // Upload state for one message: the part of its data libcurl has not read yet. libcurl
  // does the SMTP dot-stuffing (RFC 5321 section 4.5.2) and adds the final ".".
  std::string_view pending;
  // The last reply line the server sent, and the first 4xx/5xx one ("550 5.1.1 <x@y>: no
  // such user"): after a failure curl still says QUIT, so the last line is only "221 Bye".
  std::string last_reply;
  std::string error_reply;

  // libcurl waits for the reply to the final dot in a loop that its transfer timeout does
  // not bound (only the per-reply one does, two minutes by default), but that does call
  // progress(): abort there once the deadline has passed.
  std::chrono::steady_clock::time_point abort_at;
  bool deadline_passed = false;

  SmtpSession() = default;
  SmtpSession(const SmtpSession&) = delete;
  SmtpSession& operator=(const SmtpSession&) = delete;
  ~SmtpSession() { close_connection(curl); }

  static std::size_t read(char* buffer, std::size_t size, std::size_t count, void* self) {
    auto* session = static_cast<SmtpSession*>(self);
    const auto n = std::min(size * count, session->pending.size());
    std::memcpy(buffer, session->pending.data(), n);
    session->pending.remove_prefix(n);
    return n;
  }

  static int progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* session = static_cast<SmtpSession*>(self);
    if (std::chrono::steady_clock::now() < session->abort_at)
      return 0;
    session->deadline_passed = true;
    return 1;
  }

  // Every reply line the server sends reaches this as CURLINFO_HEADER_IN (CURLOPT_VERBOSE
  // turns it on): it is where the server's own words are read, for details and for codes.
  static int debug(CURL*, curl_infotype type, char* data, std::size_t size, void* self) {
    if (type == CURLINFO_HEADER_IN) {
      std::string line(data, size);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
      auto* session = static_cast<SmtpSession*>(self);
      if (session->error_reply.empty() && !line.empty() && (line[0] == '4' || line[0] == '5'))
        session->error_reply = line;
      session->last_reply = std::move(line);
    }
    return 0;
  }

  // Drops the handle's references to one message's buffers before they go out of scope.
  void forget_message() {
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, nullptr);
    pending = {};
  }
};

}  // namespace

struct SmtpNotifier::Impl {
  SmtpOptions options;        // options.clock is never null
  detail::Redactor redactor;  // the server's name and what no detail may repeat
  detail::ConnectionPool<SmtpSession> pool;

  explicit Impl(std::size_t max_connections) : pool(max_connections) {}

  // Envelope and body: MAIL FROM, RCPT TO and DATA read from `message`. `from`, `recipients`
  // and `error` must outlive the transfer. Within a batch the session's connection is
  // reused when the options allow; outside one nobody would close it afterwards (see
  // ConnectionPool), so the message gets a connection of its own, closed after it.
  void set_message(SmtpSession& session, const EmailMessage& message, const std::string& from,
                   const curl_slist* recipients, char* error) {
    CURL* easy = session.curl.get();
    session.pending = message.data;
    session.last_reply.clear();
    session.error_reply.clear();
    const long fresh = !options.reuse_connection || !pool.in_batch() ? 1L : 0L;
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, fresh);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, fresh);
    curl_easy_setopt(easy, CURLOPT_URL, options.url.c_str());
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &SmtpSession::read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &session);
    curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, &SmtpSession::debug);
    curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &session);
    curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);  // feeds the debug callback, prints nothing
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    // No signals: the host's threads and handlers are not ours to disturb.
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  }

  // Bounds the whole exchange by the context's deadline or `timeout`, whichever is sooner.
  void set_deadline(SmtpSession& session, const DeliveryContext& context) {
    CURL* easy = session.curl.get();
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     detail::remaining_ms(context, options.connect_timeout));
    const long budget = detail::remaining_ms(context, options.timeout);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, budget);
    // The transfer timeout does not cover the wait after the final dot: see progress().
    session.abort_at = std::chrono::steady_clock::now() + std::chrono::milliseconds{budget};
    session.deadline_passed = false;
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &SmtpSession::progress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &session);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, 0L);  // bounded by the above
  }

  // TLS (RFC 3207 STARTTLS, or RFC 8314 implicit TLS for smtps://) and AUTH.
  void set_security(CURL* easy) {
    using StartTls = SmtpOptions::StartTls;
    // Credentials never travel unencrypted unless the host said so: with them, "if offered"
    // means "required" (make() refused "off"). STARTTLS is offered in the server's EHLO
    // reply, which travels in clear: anyone on the path can strip it.
    const bool credentials = !options.username.empty() && !options.allow_plaintext_auth;
    curl_easy_setopt(easy, CURLOPT_USE_SSL,
                     options.starttls == StartTls::required || credentials ? CURLUSESSL_ALL
                     : options.starttls == StartTls::if_offered            ? CURLUSESSL_TRY
                                                                           : CURLUSESSL_NONE);
    detail::verify_server(easy, options.verify_peer);
    if (!options.ca_file.empty())
      curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.username.empty()) {
      curl_easy_setopt(easy, CURLOPT_USERNAME, options.username.c_str());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, options.password.c_str());
    }
  }

  // The outcome of a failed exchange. SMTP reply codes (RFC 5321 section 4.2.1): 4yz is a
  // "transient negative completion" (mailbox busy, greylisting, a full disk), worth another
  // try; 5yz is permanent (no such user, message refused) and would be refused again. With
  // no reply code, a lost connection or a timeout is transient, other curl errors not. The
  // caller closes the session: a connection in an unknown state is never reused.
  DeliveryOutcome failure(const SmtpSession& session, CURLcode rc, const char* error,
                          long code) const {
    const bool hung = rc == CURLE_ABORTED_BY_CALLBACK && session.deadline_passed;
    const bool timed_out = rc == CURLE_OPERATION_TIMEDOUT || hung;
    const std::string reason =
        hung ? "timeout: no reply from the server by the deadline"
             : (error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc)));
    // The first 4xx/5xx line decides, not curl's code: after a refusal curl still says
    // QUIT, and its last reply ("221") says nothing about the message.
    const auto& error_reply = session.error_reply;
    if (!error_reply.empty())
      code = std::strtol(error_reply.c_str(), nullptr, 10);
    // libcurl's error text may quote the URL, a server's reply anything: scrub both.
    const auto detail =
        redactor.clean(!error_reply.empty() ? fmt::format("SMTP {} ({})", error_reply, reason)
                                            : fmt::format("SMTP delivery to {} failed: {}",
                                                          redactor.destination, reason));
    if (code >= 500)
      return DeliveryOutcome::permanent_failure(detail);
    if (code >= 400 || timed_out || detail::transient_curl_error(rc))
      return DeliveryOutcome::transient_failure(detail);
    return DeliveryOutcome::permanent_failure(detail);
  }
};

// Everything checked here would fail every delivery the same way; refusing it up front
// tells the host at start-up instead of filling the outbox with permanent failures.
Result<std::shared_ptr<SmtpNotifier>> SmtpNotifier::make(SmtpOptions options) {
  if (!(options.url.starts_with("smtp://") || options.url.starts_with("smtps://"))) {
    return InvalidInput{fmt::format("SMTP URL \"{}\" must start with smtp:// or smtps://",
                                    detail::redact_url(options.url))};
  }
  if (options.url.find_first_of(" \r\n\t") != std::string::npos) {
    return InvalidInput{"SMTP URL must not contain whitespace"};
  }
  if (auto problem = detail::url_problem(options.url)) {
    return InvalidInput{
        fmt::format("SMTP URL \"{}\" {}", detail::redact_url(options.url), *problem)};
  }
  if (options.timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return InvalidInput{"SMTP timeouts must be positive"};
  }
  if (auto problem = detail::check_max_connections("SMTP", options.max_connections))
    return *problem;
  if (auto ok = check_email_options(options.email); !ok)
    return ok.error();
  if (!options.username.empty() && !options.allow_plaintext_auth &&
      options.url.starts_with("smtp://") && options.starttls == SmtpOptions::StartTls::off) {
    return InvalidInput{fmt::format(
        "SMTP credentials for {} would be sent unencrypted: use StartTls::required or an "
        "smtps:// URL, or set allow_plaintext_auth for a trusted relay",
        detail::redact_url(options.url))};
  }
  detail::curl_global();
  auto impl = std::make_unique<Impl>(options.max_connections);
  // Reply texts reach the ActionLog: nothing of the credentials may survive in them.
  impl->redactor = detail::Redactor(options.url);
  auto& secrets = impl->redactor.secrets;
  if (!options.password.empty()) {
    secrets.push_back(options.password);
    // What AUTH PLAIN and AUTH LOGIN put on the wire, should a server echo it back.
    secrets.push_back(mail_text::base64(options.password));
    secrets.push_back(
        mail_text::base64(std::string(1, '\0') + options.username + '\0' + options.password));
  }
  if (!options.clock)
    options.clock = std::make_shared<SystemClock>();
  impl->options = std::move(options);
  return std::shared_ptr<SmtpNotifier>(new SmtpNotifier(std::move(impl)));
}

SmtpNotifier::SmtpNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SmtpNotifier::~SmtpNotifier() = default;

std::string SmtpNotifier::destination() const {
  return impl_->redactor.destination;
}

std::size_t SmtpNotifier::max_concurrency() const noexcept {
  return impl_->pool.limit();
}

void SmtpNotifier::begin_batch() {
  impl_->pool.begin_batch();
}

void SmtpNotifier::end_batch() noexcept {
  impl_->pool.end_batch();  // QUIT: do not hold idle connections the server will time out
}

DeliveryOutcome SmtpNotifier::deliver(const Notification& notification,
                                      const DeliveryContext& context) {
  auto message =
      render_email(notification, context, impl_->options.email, impl_->options.clock->now());
  // Rendering depends on the notification and the options alone: it would fail again.
  if (!message) {
    return DeliveryOutcome::permanent_failure(
        fmt::format("cannot render the email: {}", message.error().message()));
  }
  return send(*message, context);
}

DeliveryOutcome SmtpNotifier::send(const EmailMessage& message, const DeliveryContext& context) {
  // A connection slot of our own: concurrent sends share nothing but the pool's lock, which
  // is not held while the exchange runs.
  auto session = impl_->pool.checkout(context.deadline);
  if (!session) {
    return DeliveryOutcome::transient_failure(
        fmt::format("SMTP delivery to {} failed: all {} connections stayed busy until the "
                    "deadline",
                    impl_->redactor.destination, impl_->pool.limit()));
  }
  CURL* curl = session->curl.get();
  if (curl == nullptr)
    return DeliveryOutcome::transient_failure("curl_easy_init failed");

  // ---- Envelope: RFC 5321 paths are the bare addresses in angle brackets.
  CurlList recipients;
  for (const auto& to : message.envelope_to) {
    if (!detail::append(recipients, fmt::format("<{}>", to.str())))
      return DeliveryOutcome::transient_failure("out of memory");
  }
  const auto from = fmt::format("<{}>", message.envelope_from.str());
  char error[CURL_ERROR_SIZE] = {};

  // ---- Exchange.
  impl_->set_message(*session, message, from, recipients.get(), error);
  impl_->set_deadline(*session, context);
  impl_->set_security(curl);
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  session->forget_message();

  // ---- Outcome: the server's last reply ("250 2.0.0 Ok: queued as ...") is the detail.
  // Only a session that just succeeded goes back for reuse: after a failure its connection
  // is in an unknown state, and the lease closes it.
  if (rc != CURLE_OK)
    return impl_->failure(*session, rc, error, code);
  session.keep();
  return DeliveryOutcome::delivered(session->last_reply.empty()
                                        ? fmt::format("{}", code)
                                        : impl_->redactor.clean(session->last_reply));
}

}  // namespace interviewkit
