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
#include <interviewkit/scheduling/availability.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Options of BookingService::make.
struct BookingOptions {
  /// Free time required before and after each interview for everyone in it. Two interviews
  /// sharing a person conflict when they are closer than the larger of the two buffers.
  /// 0 to 24 hours each (make() refuses others).
  std::chrono::seconds buffer_before{0};
  std::chrono::seconds buffer_after{0};  ///< see buffer_before
  /// Meeting links are this URL followed by the session key ("/" is added unless the URL
  /// already ends in '/', '=' or '#'). Must be an http(s) URL. Required: no placeholder can
  /// stand in for the host's meeting service in invites sent to real people, so make()
  /// refuses an empty one unless `test_mode` is set.
  std::string meeting_base_url{};
  /// For tests and demos: an empty `meeting_base_url` becomes https://meet.invalid/ (an
  /// RFC 2606 name that never resolves). Nothing else changes.
  bool test_mode = false;
  /// Which notifications each transition enqueues.
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
  OutboxId outbox;        ///< the outbox message's id
  std::string recipient;  ///< "candidate:c-1", "interviewer:i-7"
  NotificationKind kind = NotificationKind::interview_scheduled;  ///< what it tells
  std::string channel;                                            ///< the channel it goes out on
  UtcMillis due{};  ///< when it becomes due for delivery
  friend bool operator==(const EnqueuedNotification&, const EnqueuedNotification&) = default;
};

/// What a transition did: the interview after it, and the notifications it enqueued (one
/// per recipient, kind and channel, in outbox id order). A repeated request with the same
/// idempotency key reports the first request's notifications again.
struct TransitionOutcome {
  Interview interview;                         ///< the interview as committed
  std::vector<EnqueuedNotification> enqueued;  ///< what the transition put in the outbox
};

/// What BookingService::create needs: the interview starts pending, with no slot.
struct CreateRequest {
  std::string title{};  ///< free text, may be empty (validated as text)
  Candidate candidate;  ///< who is interviewed
  /// At least one; distinct ids, none with the candidate's address.
  std::vector<Interviewer> interviewers{};
};

/// A slot search for one interview (BookingService::find_slots): the window and the working
/// hours. The people, their time zones and the buffers come from the interview and the
/// service.
struct InterviewSlotRequest {
  /// The slots offered lie entirely inside this window (see SlotQuery::window).
  TimeRange window;
  /// Length of each slot. Default: the length of the interview's current slot, or 45 minutes
  /// while it has none.
  std::optional<std::chrono::seconds> duration{};
  std::chrono::seconds step{std::chrono::minutes{15}};  ///< grid of slot starts (SlotQuery::step)
  /// SlotMode::all: everyone at once. SlotMode::any is refused (see find_slots).
  SlotMode mode = SlotMode::all;
  /// Earliest start is now + minimum_notice. Default: the service's clock.
  std::optional<date::sys_seconds> now{};
  std::chrono::seconds minimum_notice{0};  ///< how far ahead of `now` the earliest slot starts
  /// Working hours in each interviewer's own time zone: `hours` for everyone, unless
  /// `hours_by_interviewer` names them. Default: 09:00-17:00, Monday to Friday.
  WeeklyHours hours =
      WeeklyHours::monday_to_friday({{std::chrono::hours{9}, std::chrono::hours{17}}});
  /// Working hours of particular interviewers, by id.
  std::vector<std::pair<InterviewerId, WeeklyHours>> hours_by_interviewer{};
};

/// The inputs of one slot search (BookingService::slot_search), for a host to adjust (days
/// off, calendar busy blocks, daily caps) before find_slots(store, query, interviewers).
struct SlotSearchInput {
  SlotQuery query;                                    ///< window, grid, candidate, buffers
  std::vector<InterviewerAvailability> interviewers;  ///< the interview's, in its order
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

  /// Stores a new pending interview (version 1, no slot) and logs interview_created.
  /// InvalidInput for a request that breaks validate(const Interview&) (no interviewer,
  /// duplicate ids, the candidate's address also an interviewer's, bad title text);
  /// Unavailable when the store or the clock fails.
  [[nodiscard]] Result<Interview> create(const CreateRequest& request, const Actor& actor);

  /// @name Transitions
  /// Each moves the interview along the transition table (transition.hpp) and, in one store
  /// transaction, saves the new revision, supersedes the pending messages it makes untrue
  /// and enqueues the notifications the policy plans; the ActionLog gets the transition's
  /// entry and one per message expired or enqueued (in the same transaction when the log
  /// lives in the store). Errors, with nothing written: NotFound for an unknown id;
  /// StaleVersion when `options.expected_version` is set and differs; IllegalTransition
  /// when the current status does not allow the event; SlotConflict when a new slot clashes
  /// with another active interview of the same person (buffers included); InvalidInput for
  /// a slot that starts in the past or is longer than 24 h, a bad reason, or an idempotency
  /// key on anything but book; Unavailable when the store, clock or randomness fails.
  /// @{

  /// Books `slot` for a pending interview (pending -> scheduled) and mints its meeting link.
  /// With `options.idempotency_key` set, a repeat of the same request returns the first
  /// result and changes nothing.
  [[nodiscard]] Result<TransitionOutcome> book(InterviewId id, const TimeRange& slot,
                                               const Actor& actor,
                                               const OperationOptions& options = {});
  /// The interviewers confirm the booked slot (scheduled -> confirmed).
  [[nodiscard]] Result<TransitionOutcome> confirm(InterviewId id, const Actor& actor,
                                                  const OperationOptions& options = {});
  /// Moves a scheduled or confirmed interview to `slot` (-> scheduled: a confirmed one needs
  /// confirming again). The meeting link stays the same.
  [[nodiscard]] Result<TransitionOutcome> reschedule(InterviewId id, const TimeRange& slot,
                                                     const Actor& actor,
                                                     const OperationOptions& options = {});
  /// Cancels a pending, scheduled or confirmed interview. `reason` (at most 2000 bytes of
  /// valid text, may be empty) goes into the notifications and the log entry.
  [[nodiscard]] Result<TransitionOutcome> cancel(InterviewId id, const std::string& reason,
                                                 const Actor& actor,
                                                 const OperationOptions& options = {});
  /// complete and mark_no_show are refused (InvalidInput) before the interview's slot starts.
  /// complete records that it took place.
  [[nodiscard]] Result<TransitionOutcome> complete(InterviewId id, const Actor& actor,
                                                   const OperationOptions& options = {});
  /// Records that the candidate did not attend; refused before the slot starts.
  [[nodiscard]] Result<TransitionOutcome> mark_no_show(InterviewId id, const Actor& actor,
                                                       const OperationOptions& options = {});
  /// @}

  /// @name Transitions from a revision the caller holds
  /// book and reschedule for a caller that holds the interview as read earlier (from create,
  /// get or a transition's outcome): the same result and errors as the calls by id, whatever
  /// the stored revision is now. On a store that can check the stored row with its writes
  /// (PostgresStore, StoreTransaction::load_held) the operation takes one round trip less
  /// while `current` is still exactly the stored revision (and no other server enqueued
  /// messages for the interview since this one drew its reserve of outbox ids); otherwise
  /// the operation runs again by id, in a second transaction. `options.expected_version`,
  /// when set, is still compared with the stored version.
  /// @{

  /// book(current.id, slot, actor, options), from the revision held.
  [[nodiscard]] Result<TransitionOutcome> book(const Interview& current, const TimeRange& slot,
                                               const Actor& actor,
                                               const OperationOptions& options = {});
  /// reschedule(current.id, slot, actor, options), from the revision held.
  [[nodiscard]] Result<TransitionOutcome> reschedule(const Interview& current,
                                                     const TimeRange& slot, const Actor& actor,
                                                     const OperationOptions& options = {});
  /// @}

  /// The interview as stored now; NotFound for an unknown id, Unavailable when the store fails.
  [[nodiscard]] Result<Interview> get(InterviewId id) const;

  /// @name Slot search for an interview
  /// The free slots for interview `id` as the store holds it now: for its interviewers in
  /// their own time zones, clear of every interview already booked for them or for its
  /// candidate (with this service's buffers around each), and never before `now` +
  /// `minimum_notice`. The interview's own current slot blocks nobody, so the same call finds
  /// times to reschedule to. Each slot books (book or reschedule) unless something else
  /// takes it first. Slots carry the candidate's local times (Slot::candidate_local).
  /// NotFound for an unknown id; InvalidInput for an interview that is over (cancelled,
  /// completed, no-show), for SlotMode::any (an interview books all of its interviewers:
  /// round-robin is for a pool, with find_slots(store, ...)), or a request the search
  /// refuses; Unavailable when the store fails. `now` defaults to the first whole second
  /// after the service's clock, the earliest start book accepts.
  /// @{
  [[nodiscard]] Result<std::vector<Slot>> find_slots(InterviewId id,
                                                     const InterviewSlotRequest& request) const;
  /// The query and interviewers find_slots would search with, without searching.
  [[nodiscard]] Result<SlotSearchInput> slot_search(InterviewId id,
                                                    const InterviewSlotRequest& request) const;
  /// @}

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
                                  const std::optional<TimeRange>& slot, const std::string& reason,
                                  const Interview* held = nullptr);
  Result<TransitionOutcome> apply_held(const Interview& held, InterviewEvent event,
                                       const Actor& actor, const OperationOptions& options,
                                       const TimeRange& slot);
  Result<std::vector<EnqueuedNotification>> replayed_notifications(const Interview& result) const;
  Result<void> step(StoreTransaction& tx, Change& change, InterviewId id, InterviewEvent event,
                    const OperationOptions& options, const std::optional<TimeRange>& slot,
                    const std::string& reason, UtcMillis now);
  Result<void> replay(StoreTransaction& tx, Change& change, const std::string& key,
                      const std::string& request) const;
  Result<Interview> next_revision(Interview current, const Transition& transition,
                                  const std::optional<TimeRange>& slot, UtcMillis now,
                                  RandomSource& random) const;
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
