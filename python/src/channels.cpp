// Channels: the Notifiers a Dispatcher delivers through. SMTP email with an iCalendar invite,
// signed webhooks, and files (an .eml and an .ics per message, for development). Built from
// keyword arguments mirroring the C++ option structs; bad options raise InvalidInput.
#include <optional>

#include <interviewkit/notify/notifier.hpp>

#include "bindings.hpp"
#ifdef INTERVIEWKIT_PY_CHANNELS
#include <interviewkit/channels/file_notifier.hpp>
#include <interviewkit/channels/smtp_notifier.hpp>
#include <interviewkit/channels/webhook_notifier.hpp>
#endif

namespace interviewkit::python {
namespace {

#ifdef INTERVIEWKIT_PY_CHANNELS
using StartTls = SmtpOptions::StartTls;
using Ms = std::chrono::milliseconds;

// The sender and the Message-ID domain have no defaults, as in C++: make() names a missing
// one unless test_mode chooses RFC 2606 placeholders.
struct Sender {
  std::optional<std::string> from_address;
  std::string from_name;
  std::string message_id_domain;
  bool test_mode = false;
};

EmailOptions email_options(Sender sender) {
  EmailOptions email;
  if (sender.from_address)
    email.from = unwrap(EmailAddress::make(*sender.from_address));
  email.from_name = std::move(sender.from_name);
  email.message_id_domain = std::move(sender.message_id_domain);
  email.test_mode = sender.test_mode;
  return email;
}

std::shared_ptr<SmtpNotifier> make_smtp(std::string url, std::optional<std::string> from_address,
                                        std::string from_name, std::string message_id_domain,
                                        bool test_mode, StartTls starttls, std::string username,
                                        std::string password, bool allow_plaintext_auth,
                                        bool verify_peer, Ms connect_timeout, Ms timeout) {
  SmtpOptions options{.url = std::move(url),
                      .starttls = starttls,
                      .username = std::move(username),
                      .password = std::move(password),
                      .allow_plaintext_auth = allow_plaintext_auth,
                      .verify_peer = verify_peer,
                      .connect_timeout = connect_timeout,
                      .timeout = timeout,
                      .email = email_options({std::move(from_address), std::move(from_name),
                                              std::move(message_id_domain), test_mode})};
  return unwrap(SmtpNotifier::make(std::move(options)));
}

void bind_smtp(py::module_& m) {
  py::enum_<StartTls>(m, "StartTls")
      .value("off", StartTls::off)
      .value("if_offered", StartTls::if_offered)
      .value("required", StartTls::required);
  py::class_<SmtpNotifier, Notifier, std::shared_ptr<SmtpNotifier>>(m, "SmtpNotifier")
      .def_static("make", &make_smtp, py::arg("url"), py::kw_only(),
                  py::arg("from_address") = py::none(), py::arg("from_name") = "Interviews",
                  py::arg("message_id_domain") = "", py::arg("test_mode") = false,
                  py::arg("starttls") = StartTls::if_offered, py::arg("username") = "",
                  py::arg("password") = "", py::arg("allow_plaintext_auth") = false,
                  py::arg("verify_peer") = true, py::arg("connect_timeout") = Ms{10000},
                  py::arg("timeout") = Ms{60000},
                  "Email with an iCalendar invite over SMTP (smtp:// or smtps:// URL).");
}

std::shared_ptr<WebhookNotifier> make_webhook(std::string url, std::string secret, Ms timeout,
                                              Ms connect_timeout, bool verify_peer) {
  return unwrap(WebhookNotifier::make({.url = std::move(url),
                                       .secret = std::move(secret),
                                       .timeout = timeout,
                                       .connect_timeout = connect_timeout,
                                       .verify_peer = verify_peer}));
}

std::shared_ptr<FileNotifier> make_file(const std::string& directory,
                                        std::optional<std::string> from_address,
                                        std::string from_name, std::string message_id_domain,
                                        bool test_mode, bool sync) {
  return unwrap(
      FileNotifier::make({.directory = directory,
                          .email = email_options({std::move(from_address), std::move(from_name),
                                                  std::move(message_id_domain), test_mode}),
                          .sync = sync}));
}

void bind_webhook_and_file(py::module_& m) {
  py::class_<WebhookNotifier, Notifier, std::shared_ptr<WebhookNotifier>>(m, "WebhookNotifier")
      .def_static("make", &make_webhook, py::arg("url"), py::arg("secret"), py::kw_only(),
                  py::arg("timeout") = Ms{15000}, py::arg("connect_timeout") = Ms{5000},
                  py::arg("verify_peer") = true,
                  "Signed JSON events (Standard Webhooks) POSTed to an http(s) URL.");
  py::class_<FileNotifier, Notifier, std::shared_ptr<FileNotifier>>(m, "FileNotifier")
      .def(py::init(&make_file), py::arg("directory"), py::kw_only(),
           py::arg("from_address") = py::none(), py::arg("from_name") = "Interviews",
           py::arg("message_id_domain") = "", py::arg("test_mode") = false, py::arg("sync") = true)
      .def_property_readonly("directory",
                             [](const FileNotifier& f) { return f.directory().string(); });
}
#endif

}  // namespace

void bind_channels(py::module_& m) {
  py::class_<Notifier, std::shared_ptr<Notifier>>(m, "Notifier")
      .def_property_readonly("destination", &Notifier::destination);
#ifdef INTERVIEWKIT_PY_CHANNELS
  bind_smtp(m);
  bind_webhook_and_file(m);
#endif
}

}  // namespace interviewkit::python
