#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <interviewkit/notify/dispatcher.hpp>

namespace interviewkit {

struct Dispatcher::Impl {
  std::shared_ptr<Store> store;
  std::shared_ptr<Notifier> notifier;
  std::shared_ptr<ActionLog> log;
  DispatcherOptions options;
  std::shared_ptr<const Clock> clock;

  std::mutex jitter_mutex;
  std::mt19937_64 jitter;

  // Only one pass talks to the notifier at a time: notifiers need not be thread-safe.
  std::mutex notifier_mutex;

  std::mutex thread_mutex;
  std::condition_variable wakeup;
  bool stop_requested = false;
  bool woken = false;
  std::thread worker;

  std::chrono::milliseconds backoff(std::uint32_t attempt) {
    std::lock_guard lock(jitter_mutex);
    return options.retry.backoff(attempt, jitter);
  }

  void record(const OutboxMessage& message, ActionType action, nlohmann::json details) {
    details["outbox_id"] = message.id.value();
    details["attempt"] = message.attempts;
    details["idempotency_key"] = message.idempotency_key;
    details["kind"] = std::string(to_string(message.kind));
    details["channel"] = message.channel;
    log->record(ActionEntry{.time = clock->now(),
                            .action = action,
                            .interview = message.interview,
                            .actor = Actor::system(),
                            .from = std::nullopt,
                            .to = std::nullopt,
                            .details = std::move(details)});
  }

  // Delivers one claimed message and stores its outcome.
  void handle(const OutboxMessage& message, DrainStats& stats) {
    const auto now = clock->now();
    std::optional<Notification> notification;
    std::string decode_error;
    try {
      notification = message.payload.get<Notification>();
    } catch (...) {
      decode_error = describe_exception(std::current_exception());
    }

    OutboxCompletion completion;
    nlohmann::json details = nlohmann::json::object();
    ActionType action = ActionType::notification_delivered;
    if (!notification) {
      completion = {OutboxState::dead, std::nullopt,
                    fmt::format("payload is not a valid notification: {}", decode_error)};
      action = ActionType::notification_dead_lettered;
      ++stats.dead;
    } else if (notification->interview.slot &&
               UtcMillis{notification->interview.slot->start()} <= now) {
      completion = {OutboxState::expired, std::nullopt,
                    fmt::format("interview started at {}; not sent late",
                                format_utc(notification->interview.slot->start()))};
      action = ActionType::notification_expired;
      ++stats.expired;
    } else {
      details["recipient"] = notification->recipient.key();
      details["email"] = notification->recipient.person.email().str();
      const DeliveryContext context{
          .deadline = std::chrono::steady_clock::now() + options.delivery_timeout,
          .attempt = message.attempts,
          .message_token = message.message_token,
      };
      DeliveryOutcome outcome;
      try {
        outcome = notifier->deliver(*notification, context);
      } catch (...) {
        outcome = DeliveryOutcome::transient_failure(
            fmt::format("notifier threw: {}", describe_exception(std::current_exception())));
      }
      if (outcome.ok()) {
        completion = {OutboxState::delivered, std::nullopt, {}};
        if (!outcome.detail.empty())
          details["detail"] = outcome.detail;
        ++stats.delivered;
      } else {
        details["error"] = outcome.detail;
        details["retryable"] = outcome.retryable;
        const bool retry = outcome.retryable && message.attempts < options.retry.max_attempts;
        if (retry) {
          const auto next = outcome.retry_at ? *outcome.retry_at : now + backoff(message.attempts);
          details["next_attempt"] = format_utc(next);
          completion = {OutboxState::pending, next, outcome.detail};
          ++stats.failed;
        } else {
          completion = {OutboxState::dead, std::nullopt, outcome.detail};
          ++stats.dead;
        }
        record(message, ActionType::notification_failed, details);
        action = retry ? ActionType::notification_failed : ActionType::notification_dead_lettered;
      }
    }
    if (completion.state != OutboxState::delivered && !completion.error.empty()) {
      details["error"] = completion.error;
    }

    auto stored = store->complete(message.id, message.attempts, completion, clock->now());
    if (!stored) {
      details["store_error"] = stored.error().message();
    } else if (!*stored) {
      details["fenced"] = true;  // another worker owns the message now
      ++stats.fenced;
    }
    if (action != ActionType::notification_failed)
      record(message, action, std::move(details));
  }

  Result<DrainStats> drain_once() {
    auto claimed = store->claim_due(clock->now(), options.batch_size, options.lease);
    if (!claimed)
      return claimed.error();
    DrainStats stats;
    stats.claimed = claimed->size();
    if (claimed->empty())
      return stats;
    std::lock_guard lock(notifier_mutex);
    try {
      notifier->begin_batch();
    } catch (...) {
      spdlog::warn("interviewkit: notifier begin_batch failed: {}",
                   describe_exception(std::current_exception()));
    }
    for (const auto& message : *claimed)
      handle(message, stats);
    notifier->end_batch();
    return stats;
  }

  void run() {
    std::unique_lock lock(thread_mutex);
    while (true) {
      const bool stopping = stop_requested;
      lock.unlock();
      std::chrono::milliseconds wait = options.idle_poll;
      auto stats = drain_once();
      if (!stats) {
        spdlog::error("interviewkit: dispatcher could not claim messages: {}",
                      stats.error().message());
      } else if (stats->claimed == options.batch_size) {
        wait = std::chrono::milliseconds::zero();  // more may be waiting
      } else if (auto due = store->next_due(); due && *due) {
        const auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(**due - clock->now());
        wait = std::clamp(until, std::chrono::milliseconds{1}, options.idle_poll);
      }
      lock.lock();
      if (stopping)
        return;  // that was the last drain
      if (wait > std::chrono::milliseconds::zero()) {
        wakeup.wait_for(lock, wait, [&] { return woken || stop_requested; });
      }
      woken = false;
    }
  }
};

Dispatcher::Dispatcher(std::shared_ptr<Store> store, std::shared_ptr<Notifier> notifier,
                       std::shared_ptr<ActionLog> log, DispatcherOptions options,
                       std::shared_ptr<const Clock> clock)
    : impl_(std::make_unique<Impl>()) {
  if (!store || !notifier || !log) {
    throw std::invalid_argument("Dispatcher needs a store, a notifier and an action log");
  }
  if (options.retry.max_attempts == 0 || options.batch_size == 0) {
    throw std::invalid_argument("Dispatcher: max_attempts and batch_size must be at least 1");
  }
  impl_->store = std::move(store);
  impl_->notifier = std::move(notifier);
  impl_->log = std::move(log);
  impl_->clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
  impl_->jitter.seed(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}());
  impl_->options = options;
}

Dispatcher::~Dispatcher() {
  stop();
}

Result<DrainStats> Dispatcher::drain_once() {
  return impl_->drain_once();
}

Result<bool> Dispatcher::requeue(OutboxId id, const Actor& actor) {
  const auto now = impl_->clock->now();
  auto done = impl_->store->requeue(id, now);
  if (!done || !*done)
    return done;
  auto messages = impl_->store->list_outbox({.state = OutboxState::pending, .limit = 1000000});
  InterviewId interview;
  if (messages) {
    for (const auto& m : *messages) {
      if (m.id == id)
        interview = m.interview;
    }
  }
  impl_->log->record(ActionEntry{.time = now,
                                 .action = ActionType::notification_requeued,
                                 .interview = interview,
                                 .actor = actor,
                                 .from = std::nullopt,
                                 .to = std::nullopt,
                                 .details = {{"outbox_id", id.value()}}});
  wake();
  return true;
}

void Dispatcher::start() {
  std::lock_guard lock(impl_->thread_mutex);
  if (impl_->worker.joinable())
    return;
  impl_->stop_requested = false;
  impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

void Dispatcher::stop() {
  std::thread worker;
  {
    std::lock_guard lock(impl_->thread_mutex);
    if (!impl_->worker.joinable())
      return;
    impl_->stop_requested = true;
    worker = std::move(impl_->worker);
  }
  impl_->wakeup.notify_all();
  worker.join();
}

void Dispatcher::wake() noexcept {
  {
    std::lock_guard lock(impl_->thread_mutex);
    impl_->woken = true;
  }
  impl_->wakeup.notify_all();
}

bool Dispatcher::running() const noexcept {
  std::lock_guard lock(impl_->thread_mutex);
  return impl_->worker.joinable();
}

}  // namespace interviewkit
