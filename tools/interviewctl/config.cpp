// Reading the dispatch config file strictly: every unknown setting, wrong type and literal
// secret is refused with the file, channel and setting named.
#include "config.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#ifdef INTERVIEWCTL_WITH_CHANNELS
#include <interviewkit/channels/file_notifier.hpp>
#include <interviewkit/channels/smtp_notifier.hpp>
#include <interviewkit/channels/webhook_notifier.hpp>
#endif

#include "cli.hpp"

namespace interviewctl {

using nlohmann::json;

namespace {

// A key that holds a secret itself rather than naming the variable that does.
bool literal_secret(const std::string& key) {
  const bool secretish = key.find("password") != std::string::npos ||
                         key.find("secret") != std::string::npos || key == "token" ||
                         key == "api_key";
  return secretish && !key.ends_with("_env");
}

json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    usage_error(fmt::format("config {}: cannot read the file", path));
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded())
    usage_error(fmt::format("config {}: not valid JSON", path));
  if (!parsed.is_object())
    usage_error(fmt::format("config {}: expected a JSON object at the top", path));
  return parsed;
}

ChannelConfig read_channel(const std::string& path, const std::string& name, const json& value) {
  const auto where = fmt::format("config {}: channel '{}'", path, name);
  if (!value.is_object())
    usage_error(where + ": expected an object");
  for (const auto& [key, setting] : value.items()) {
    if (literal_secret(key)) {
      usage_error(fmt::format(
          "{}: \"{}\" holds a literal secret; secrets come only from the environment: put it "
          "in a variable and name it with \"{}_env\"",
          where, key, key));
    }
  }
  const auto type = value.find("type");
  if (type == value.end() || !type->is_string())
    usage_error(where + ": needs \"type\": \"smtp\", \"webhook\" or \"file\"");
  const auto kind = type->get<std::string>();
  if (kind != "smtp" && kind != "webhook" && kind != "file")
    usage_error(fmt::format("{}: unknown type '{}' (smtp, webhook or file)", where, kind));
  return ChannelConfig{name, kind, value};
}

}  // namespace

DispatchConfig load_config(const std::string& path) {
  const auto document = read_json_file(path);
  DispatchConfig config;
  for (const auto& [key, value] : document.items()) {
    if (key != "channels" && key != "dispatcher")
      usage_error(fmt::format("config {}: unknown setting '{}' (channels, dispatcher)", path, key));
  }
  const auto channels = document.find("channels");
  if (channels == document.end() || !channels->is_object() || channels->empty())
    usage_error(fmt::format("config {}: needs \"channels\": an object with at least one", path));
  for (const auto& [name, value] : channels->items())
    config.channels.push_back(read_channel(path, name, value));
  if (const auto d = document.find("dispatcher"); d != document.end()) {
    if (!d->is_object())
      usage_error(fmt::format("config {}: \"dispatcher\" must be an object", path));
    config.dispatcher = *d;
  }
  return config;
}

std::vector<std::string> config_channel_names(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& channel : load_config(path).channels)
    names.push_back(channel.name);
  return names;
}

#ifdef INTERVIEWCTL_WITH_CHANNELS

namespace {

using namespace interviewkit;

// Reads the settings of one object; `finish` refuses the ones nobody asked for.
class Settings {
 public:
  Settings(std::string where, const json& object) : where_(std::move(where)), object_(object) {}

  std::optional<std::string> text(const std::string& key) {
    return get<std::string>(key, "a string", &json::is_string);
  }
  std::optional<bool> flag(const std::string& key) {
    return get<bool>(key, "true or false", &json::is_boolean);
  }
  std::optional<std::chrono::milliseconds> millis(const std::string& key) {
    auto value = get<std::int64_t>(key, "a whole number of milliseconds", &json::is_number_integer);
    if (value && *value <= 0)
      usage_error(fmt::format("{}: \"{}\" must be above 0", where_, key));
    return value ? std::optional(std::chrono::milliseconds{*value}) : std::nullopt;
  }
  std::optional<std::uint64_t> count(const std::string& key) {
    return get<std::uint64_t>(key, "a whole number", &json::is_number_unsigned);
  }
  std::string required(const std::string& key) {
    auto value = text(key);
    if (!value || value->empty())
      usage_error(fmt::format("{}: needs \"{}\"", where_, key));
    return *value;
  }
  /// The value of the environment variable named by `key` ("password_env"), if named.
  std::optional<std::string> secret(const std::string& key) {
    auto variable = text(key);
    if (!variable)
      return std::nullopt;
    const char* value = std::getenv(variable->c_str());
    if (value == nullptr || *value == '\0')
      usage_error(fmt::format("{}: environment variable {} (named by \"{}\") is not set", where_,
                              *variable, key));
    return std::string(value);
  }
  void finish() const {
    for (const auto& [key, value] : object_.items()) {
      if (!used_.contains(key))
        usage_error(fmt::format("{}: unknown setting \"{}\"", where_, key));
    }
  }
  [[nodiscard]] const std::string& where() const noexcept { return where_; }

 private:
  template <class T>
  std::optional<T> get(const std::string& key, const char* expected, bool (json::*is)() const) {
    used_.insert(key);
    const auto it = object_.find(key);
    if (it == object_.end())
      return std::nullopt;
    if (!((*it).*is)())
      usage_error(fmt::format("{}: \"{}\" must be {}", where_, key, expected));
    return it->template get<T>();
  }

  std::string where_;
  const json& object_;
  std::set<std::string> used_{"type"};
};

EmailOptions email_options(Settings& s) {
  EmailOptions email;
  if (auto from = s.text("from"))
    email.from = unwrap(EmailAddress::make(*from), s.where() + ": \"from\"");
  if (auto name = s.text("from_name"))
    email.from_name = *name;
  if (auto domain = s.text("message_id_domain"))
    email.message_id_domain = *domain;
  email.test_mode = s.flag("test_mode").value_or(false);
  return email;
}

SmtpOptions::StartTls starttls(Settings& s) {
  const auto mode = s.text("starttls").value_or("if_offered");
  if (mode == "off")
    return SmtpOptions::StartTls::off;
  if (mode == "required")
    return SmtpOptions::StartTls::required;
  if (mode != "if_offered")
    usage_error(
        fmt::format("{}: \"starttls\" is '{}' (off, if_offered, required)", s.where(), mode));
  return SmtpOptions::StartTls::if_offered;
}

std::shared_ptr<Notifier> smtp_channel(Settings& s) {
  SmtpOptions o;
  o.url = s.required("url");
  o.starttls = starttls(s);
  o.username = s.text("username").value_or("");
  o.password = s.secret("password_env").value_or("");
  o.allow_plaintext_auth = s.flag("allow_plaintext_auth").value_or(false);
  o.verify_peer = s.flag("verify_peer").value_or(true);
  o.ca_file = s.text("ca_file").value_or("");
  o.connect_timeout = s.millis("connect_timeout_ms").value_or(o.connect_timeout);
  o.timeout = s.millis("timeout_ms").value_or(o.timeout);
  o.max_connections = s.count("max_connections").value_or(o.max_connections);
  o.email = email_options(s);
  s.finish();
  return unwrap(SmtpNotifier::make(std::move(o)), s.where());
}

std::shared_ptr<Notifier> webhook_channel(Settings& s) {
  WebhookOptions o;
  o.url = s.required("url");
  auto secret = s.secret("secret_env");
  if (!secret)
    usage_error(s.where() + ": needs \"secret_env\", the environment variable with the secret");
  o.secret = *secret;
  o.verify_peer = s.flag("verify_peer").value_or(true);
  o.connect_timeout = s.millis("connect_timeout_ms").value_or(o.connect_timeout);
  o.timeout = s.millis("timeout_ms").value_or(o.timeout);
  o.max_connections = s.count("max_connections").value_or(o.max_connections);
  s.finish();
  return unwrap(WebhookNotifier::make(std::move(o)), s.where());
}

std::shared_ptr<Notifier> file_channel(Settings& s) {
  FileNotifierOptions o;
  o.directory = s.required("directory");
  o.sync = s.flag("sync").value_or(true);
  o.email = email_options(s);
  s.finish();
  return unwrap(FileNotifier::make(std::move(o)), s.where());
}

}  // namespace

Dispatcher::Channels build_channels(const DispatchConfig& config) {
  Dispatcher::Channels channels;
  for (const auto& c : config.channels) {
    Settings settings(fmt::format("channel '{}'", c.name), c.settings);
    if (c.type == "smtp")
      channels[c.name] = smtp_channel(settings);
    else if (c.type == "webhook")
      channels[c.name] = webhook_channel(settings);
    else
      channels[c.name] = file_channel(settings);
  }
  return channels;
}

DispatcherOptions dispatcher_options(const DispatchConfig& config) {
  DispatcherOptions o;
  Settings s("dispatcher settings", config.dispatcher);
  o.batch_size = s.count("batch_size").value_or(o.batch_size);
  o.max_in_flight = s.count("max_in_flight").value_or(o.max_in_flight);
  o.max_per_destination = s.count("max_per_destination").value_or(o.max_per_destination);
  o.idle_poll = s.millis("idle_poll_ms").value_or(o.idle_poll);
  o.lease = s.millis("lease_ms").value_or(o.lease);
  o.delivery_timeout = s.millis("delivery_timeout_ms").value_or(o.delivery_timeout);
  o.retry.base = s.millis("retry_base_ms").value_or(o.retry.base);
  o.retry.cap = s.millis("retry_cap_ms").value_or(o.retry.cap);
  o.retry.max_age = s.millis("retry_max_age_ms").value_or(o.retry.max_age);
  o.retry.max_attempts = static_cast<std::uint32_t>(s.count("max_attempts").value_or(0));
  s.finish();
  return o;
}

#endif

}  // namespace interviewctl
