// The dispatch config file (JSON): channels by name, dispatcher settings. Secrets are never
// in it: a channel names the environment variable that holds its password or signing
// secret ("password_env", "secret_env"), and a config with a literal one is refused.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <interviewkit/outbox/dispatcher.hpp>

namespace interviewctl {

struct ChannelConfig {
  std::string name;
  std::string type;         ///< "smtp", "webhook" or "file"
  nlohmann::json settings;  ///< the channel's object, checked by build_channels
};

struct DispatchConfig {
  std::vector<ChannelConfig> channels;  ///< in name order; at least one
  nlohmann::json dispatcher = nlohmann::json::object();
};

/// Reads and checks the file's shape. Throws CommandFailed (usage, exit 2) naming the file
/// and what is wrong: unreadable, not JSON, no channels, unknown type, a literal secret.
[[nodiscard]] DispatchConfig load_config(const std::string& path);

/// The channel names of the file (for fate/reconcile: what the BookingService uses).
[[nodiscard]] std::vector<std::string> config_channel_names(const std::string& path);

#ifdef INTERVIEWCTL_WITH_CHANNELS
/// One notifier per channel, secrets read from the environment variables the config names.
/// Throws CommandFailed (usage) for an unknown setting, a missing variable, an option the
/// channel refuses.
[[nodiscard]] interviewkit::Dispatcher::Channels build_channels(const DispatchConfig& config);

/// DispatcherOptions from the config's "dispatcher" object (batch_size, idle_poll_ms,
/// lease_ms, delivery_timeout_ms, max_attempts ...); unknown settings are refused.
[[nodiscard]] interviewkit::DispatcherOptions dispatcher_options(const DispatchConfig& config);
#endif

}  // namespace interviewctl
