// dispatch --config FILE: runs a Dispatcher until SIGTERM or SIGINT, logging to stderr
// through the host's own spdlog logger (the library never writes to spdlog's default one).
#include <csignal>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <interviewkit/log/action_log.hpp>

#include "cli.hpp"
#include "config.hpp"
#include "database.hpp"

namespace interviewctl {

using namespace interviewkit;

#ifdef INTERVIEWCTL_WITH_CHANNELS

namespace {

std::shared_ptr<spdlog::logger> make_logger() {
  auto logger = std::make_shared<spdlog::logger>("interviewctl",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);
  return logger;
}

// Forwards to a channel and tells the host's log how each delivery went.
class LoggingNotifier final : public Notifier {
 public:
  LoggingNotifier(std::string channel, std::shared_ptr<Notifier> inner,
                  std::shared_ptr<spdlog::logger> logger)
      : channel_(std::move(channel)), inner_(std::move(inner)), logger_(std::move(logger)) {}

  DeliveryOutcome deliver(const Notification& n, const DeliveryContext& context) override {
    auto outcome = inner_->deliver(n, context);
    const auto what =
        fmt::format("{} for interview {} to {} via {} (attempt {})", to_string(n.kind),
                    n.interview.id, n.recipient.key(), channel_, context.attempt);
    if (outcome.ok())
      logger_->info("delivered {}: {}", what, outcome.detail);
    else
      logger_->warn("{} failure of {}: {}", outcome.retryable ? "retryable" : "permanent", what,
                    outcome.detail);
    return outcome;
  }
  void begin_batch() override { inner_->begin_batch(); }
  void end_batch() noexcept override { inner_->end_batch(); }
  [[nodiscard]] std::string destination() const override { return inner_->destination(); }
  // As concurrent as the channel: the log lines go to an _mt sink, safe from any thread.
  [[nodiscard]] std::size_t max_concurrency() const noexcept override {
    return inner_->max_concurrency();
  }

 private:
  std::string channel_;
  std::shared_ptr<Notifier> inner_;
  std::shared_ptr<spdlog::logger> logger_;
};

// SIGTERM and SIGINT are blocked in every thread (threads inherit the mask, so this runs
// before any is started) and taken by sigwait on the main thread: no handler runs in the
// middle of the dispatcher's work, and stop() is called from ordinary code.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

std::unique_ptr<Dispatcher> make_dispatcher(const Database& db, const DispatchConfig& config,
                                            const std::shared_ptr<spdlog::logger>& logger) {
  Dispatcher::Channels channels;
  for (auto& [name, notifier] : build_channels(config)) {
    logger->info("channel {}: {}", name, notifier->destination());
    channels[name] = std::make_shared<LoggingNotifier>(name, notifier, logger);
  }
  auto options = dispatcher_options(config);
  options.on_error = [logger](const std::string& message) { logger->error("{}", message); };
  options.on_dead_letter = [logger](const OutboxMessage& m, const std::string& reason) {
    logger->error("dead letter: outbox message {} ({} for interview {} to {} via {}): {}", m.id,
                  to_string(m.kind), m.interview, m.recipient, m.channel, reason);
  };
  auto sink = unwrap(StoreSink::make(db.actions), "setting up the action log");
  auto log =
      unwrap(ActionLog::make(sink, {.on_error = options.on_error}), "setting up the action log");
  return unwrap(Dispatcher::make(db.store, std::move(channels), log, std::move(options)),
                "configuring the dispatcher");
}

ExitCode run_dispatch(const Context& context, const std::string& config_path) {
  const auto config = load_config(config_path);
  const auto signals = block_stop_signals();
  const auto logger = make_logger();
  const auto db = open_database(context.globals.db);
  auto dispatcher = make_dispatcher(db, config, logger);
  dispatcher->start();
  logger->info("dispatching from the {} database; SIGTERM or Ctrl-C stops", db.kind);
  int signal = 0;
  sigwait(&signals, &signal);
  logger->info("{} received: stopping (in-flight deliveries finish, claims are given back)",
               signal == SIGINT ? "SIGINT" : "SIGTERM");
  dispatcher->stop();
  logger->info("stopped cleanly");
  return ExitCode::ok;
}

}  // namespace

void add_dispatch_command(CLI::App& app, Context& context) {
  auto config = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "dispatch", "Deliver the outbox through the config file's channels until stopped");
  cmd->add_option("--config", *config, "Dispatch config file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->footer(R"(Runs in the foreground and logs to stderr; SIGTERM or SIGINT stops it cleanly
(exit 0). Secrets come from environment variables the config names, never from it.
Config example:
  {"channels": {
     "email": {"type": "smtp", "url": "smtp://mail.example.com:587", "starttls": "required",
               "username": "hiring", "password_env": "SMTP_PASSWORD",
               "from": "interviews@example.com", "from_name": "Hiring team",
               "message_id_domain": "mail.example.com"},
     "hooks": {"type": "webhook", "url": "https://hooks.example.com/interviews",
               "secret_env": "WEBHOOK_SECRET"},
     "files": {"type": "file", "directory": "/var/spool/interviews",
               "from": "interviews@example.com", "message_id_domain": "mail.example.com"}},
   "dispatcher": {"batch_size": 64, "max_in_flight": 32, "idle_poll_ms": 500}}
Example:
  SMTP_PASSWORD=... interviewctl --db hiring.db dispatch --config dispatch.json)");
  cmd->callback([&context, config] { context.exit = run_dispatch(context, *config); });
}

#else

void add_dispatch_command(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("dispatch", "(not in this build: needs the channels component)");
  cmd->allow_extras();
  cmd->callback([&context] {
    usage_error("dispatch: this interviewctl was built without the channels component");
    (void)context;
  });
}

#endif

}  // namespace interviewctl
