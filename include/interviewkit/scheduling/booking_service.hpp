// BookingService: the operations a hiring product calls. Every change goes through the
// transition table, is stored atomically with the notifications it causes, and is recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/random.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_log.hpp>
#include <interviewkit/notify/policy.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

struct BookingOptions {
  /// Free time required before and after each interview for everyone in it. Two interviews
  /// sharing a person conflict when they are closer than the larger of the two buffers.
  std::chrono::seconds buffer_before{0};
  std::chrono::seconds buffer_after{0};
  /// Meeting links are this URL followed by the session key ("/" is added unless the URL
  /// already ends in '/', '=' or '#'). Must be an http(s) URL.
  std::string meeting_base_url = "https://meet.example.com/";
  NotificationPolicy policy = NotificationPolicy::defaults();
  /// Every planned notification is enqueued once per channel named here, as its own outbox
  /// message, so each channel's outcome (delivered, retried, dead) is tracked on its own.
  /// The Dispatcher needs a notifier for each. Default: {"default"}.
  std::vector<std::string> channels{"default"};
  /// Time source for bookings, log entries and the "too late to book" checks.
  /// Default: the system clock.
  std::shared_ptr<const Clock> clock{};
  /// Source of meeting session keys and message tokens; must be cryptographically secure.
  /// Default: the operating system's (SystemRandom).
  std::shared_ptr<RandomSource> random{};
};

/// Per-call options common to the operations.
struct OperationOptions {
  /// Optimistic concurrency: fail with StaleVersion unless the stored version is this.
  std::optional<std::uint64_t> expected_version{};
  /// book only: a repeated request with the same key returns the first result and changes
  /// nothing; the same key with a different request is InvalidInput.
  std::string idempotency_key{};
};

/// A notification a transition put in the outbox, so a caller can say "invite queued for 3
/// people" and later ask for its fate (Reconciler::fate, Store::find_outbox).
struct EnqueuedNotification {
  OutboxId outbox;
  std::string recipient;  ///< "candidate:c-1", "interviewer:i-7"
  NotificationKind kind = NotificationKind::interview_scheduled;
  std::string channel;
  UtcMillis due{};
  friend bool operator==(const EnqueuedNotification&, const EnqueuedNotification&) = default;
};

/// What a transition did: the interview after it, and the notifications it enqueued (one
/// per recipient, kind and channel, in outbox id order). A repeated request with the same
/// idempotency key reports the first request's notifications again.
struct TransitionOutcome {
  Interview interview;
  std::vector<EnqueuedNotification> enqueued;
};

struct CreateRequest {
  std::string title{};
  Candidate candidate;
  std::vector<Interviewer> interviewers{};
};

/// Thread-safe: share one instance between request threads. Everything it changes goes
/// through the Store's transactions, so several services (in several processes, with a
/// shared store) can work on the same interviews.
class INTERVIEWKIT_EXPORT BookingService {
 public:
  /// Validates the options (base URL, buffers, channels); a service needs a store and a log.
  [[nodiscard]] static Result<std::unique_ptr<BookingService>> make(std::shared_ptr<Store> store,
                                                                    std::shared_ptr<ActionLog> log,
                                                                    BookingOptions options = {});

  /// Called after each commit that enqueued notifications (e.g. Dispatcher::wake), on the
  /// thread of the operation. If it throws, the exception is ignored: the change stands.
  void on_enqueued(std::function<void()> callback);

  [[nodiscard]] Result<Interview> create(const CreateRequest& request, const Actor& actor);
  [[nodiscard]] Result<TransitionOutcome> book(InterviewId id, const TimeRange& slot,
                                               const Actor& actor,
                                               const OperationOptions& options = {});
  [[nodiscard]] Result<TransitionOutcome> confirm(InterviewId id, const Actor& actor,
                                                  const OperationOptions& options = {});
  [[nodiscard]] Result<TransitionOutcome> reschedule(InterviewId id, const TimeRange& slot,
                                                     const Actor& actor,
                                                     const OperationOptions& options = {});
  [[nodiscard]] Result<TransitionOutcome> cancel(InterviewId id, const std::string& reason,
                                                 const Actor& actor,
                                                 const OperationOptions& options = {});
  /// complete and mark_no_show are refused (InvalidInput) before the interview's slot starts.
  [[nodiscard]] Result<TransitionOutcome> complete(InterviewId id, const Actor& actor,
                                                   const OperationOptions& options = {});
  [[nodiscard]] Result<TransitionOutcome> mark_no_show(InterviewId id, const Actor& actor,
                                                       const OperationOptions& options = {});

  [[nodiscard]] Result<Interview> get(InterviewId id) const;

  BookingService(const BookingService&) = delete;
  BookingService& operator=(const BookingService&) = delete;
  ~BookingService();

 private:
  struct Change;
  BookingService(std::shared_ptr<Store> store, std::shared_ptr<ActionLog> log,
                 BookingOptions options);
  Result<Interview> draft(const CreateRequest& request) const;
  Result<Interview> create_interview(const CreateRequest& request, const Actor& actor);
  void notify_enqueued() const noexcept;
  static Result<void> before_start(const Interview& current, InterviewEvent event, UtcMillis now);
  Result<TransitionOutcome> apply(InterviewId id, InterviewEvent event, const Actor& actor,
                                  const OperationOptions& options,
                                  const std::optional<TimeRange>& slot, const std::string& reason);
  Result<std::vector<EnqueuedNotification>> replayed_notifications(const Interview& result) const;
  Result<void> step(StoreTransaction& tx, Change& change, InterviewId id, InterviewEvent event,
                    const OperationOptions& options, const std::optional<TimeRange>& slot,
                    const std::string& reason, UtcMillis now);
  Result<void> replay(StoreTransaction& tx, Change& change, const std::string& key,
                      const std::string& request) const;
  Result<Interview> next_revision(Interview current, const Transition& transition,
                                  const std::optional<TimeRange>& slot, UtcMillis now) const;
  Result<void> check_free(StoreTransaction& tx, const Interview& next) const;
  Result<void> enqueue(StoreTransaction& tx, Change& change, const Transition& transition,
                       const std::string& reason, UtcMillis now);
  std::vector<ActionEntry> entries(const Change& change, InterviewEvent event, const Actor& actor,
                                   const OperationOptions& options, const std::string& reason,
                                   UtcMillis now) const;
  Result<void> record(StoreTransaction* tx, const std::vector<ActionEntry>& log) const;
  bool kept(ActionType action) const noexcept;

  std::shared_ptr<Store> store_;
  std::shared_ptr<ActionLog> log_;
  BookingOptions options_;  // clock and random are set
  std::function<void()> on_enqueued_;
  bool log_in_store_ = false;  // entries commit with the change (see logs_into)
};

}  // namespace interviewkit
