// BookingService: every operation on an interview, as one transaction of the Store.
//
// The shape of each operation (apply): validate the request without touching the store;
// then, inside Store::write, load the interview, check the version and the transition table,
// build the next revision, check it for conflicts, write it, expire the notifications it makes
// obsolete, enqueue the ones the policy plans (the transactional outbox: a booking and its
// invites commit together or not at all) and, when the ActionLog lives in the same store,
// append the log entries too. After the commit the log entries go to any other log, and the
// dispatcher is woken.
//
// Store::write may run its work more than once (PostgreSQL retries a transaction that lost a
// serialization race), so the work starts from scratch each time: it resets what it builds
// and takes "now" from outside. Nothing is sent from here; delivery is the Dispatcher's.
#include <algorithm>
#include <array>
#include <memory_resource>
#include <set>
#include <string.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/notify/lifecycle.hpp>
#include <interviewkit/scheduling/booking_service.hpp>
#include <interviewkit/store/store_sink.hpp>

#include "../log/guarded.hpp"
#include "../notify/notification_json.hpp"

namespace interviewkit {

namespace {

// A meeting link is a bearer secret: anyone holding it joins. 192 bits cannot be guessed.
constexpr std::size_t session_key_bytes = 24;
// Lets a receiver tell a genuine delivery from a forged one (webhooks sign it); 128 bits.
constexpr std::size_t message_token_bytes = 16;
// Bounds on caller text: stored, logged and mailed, so it must not grow without limit.
constexpr std::size_t max_reason = 2000;
constexpr std::size_t max_idempotency_key = 200;

// The session key appended to the host's meeting URL: a trailing '=' or '#' means the URL
// already ends where a value goes (".../join?room=", "...#"), so no '/' is added.
std::string join_link(const std::string& base, const std::string& key) {
  const char last = base.back();
  return (last == '/' || last == '=' || last == '#') ? base + key : base + "/" + key;
}

// True for a time in the years 0000..9999, the only ones a stored timestamp can carry
// (format_utc writes four digits, parse_utc reads four).
bool writable(date::sys_seconds t) {
  const int year = static_cast<int>(date::year_month_day{date::floor<date::days>(t)}.year());
  return year >= 0 && year <= 9999;
}

Result<void> check_slot(const TimeRange& slot) {
  if (slot.duration() > max_interview_length) {
    return InvalidInput{
        fmt::format("slot {} is longer than {} hours", slot, max_interview_length.count())};
  }
  if (!writable(slot.start()) || !writable(slot.end()))
    return InvalidInput{fmt::format("slot {} lies outside the years 0000 to 9999", slot)};
  return {};
}

// What an operation refuses before it touches the store: over-long text, idempotency keys
// on operations that cannot replay, and slots no interview may have.
Result<void> check_request(InterviewEvent event, const OperationOptions& options,
                           const std::optional<TimeRange>& slot, const std::string& reason) {
  if (auto ok = validate_text("cancellation reason", reason, max_reason, true); !ok)
    return ok.error();
  if (!options.idempotency_key.empty()) {
    if (event != InterviewEvent::book) {
      return InvalidInput{
          fmt::format("idempotency keys are only supported for book, not {}", event)};
    }
    if (auto ok = validate_text("idempotency key", options.idempotency_key, max_idempotency_key);
        !ok) {
      return ok.error();
    }
  }
  if (slot)
    return check_slot(*slot);
  return {};
}

// The caller's view of enqueued messages, in outbox id order (TransitionOutcome's promise;
// stores hand out ids in the order given, but the report does not rely on it). Every
// caller is done with the messages, so their text is moved into the report.
template <class Messages>
std::vector<EnqueuedNotification> reported(Messages&& messages) {
  std::vector<EnqueuedNotification> out;
  out.reserve(messages.size());
  for (auto& m : messages)
    out.push_back({.outbox = m.id,
                   .recipient = std::move(m.recipient),
                   .kind = m.kind,
                   .channel = std::move(m.channel),
                   .due = m.due});
  // Usually in order already; sorting even a sorted range moves every element twice.
  const auto by_id = [](const auto& a, const auto& b) { return a.outbox < b.outbox; };
  if (!std::is_sorted(out.begin(), out.end(), by_id))
    std::sort(out.begin(), out.end(), by_id);
  return out;
}

// The work for Store::write, behind one reference: std::function keeps a callable that small
// in place, but allocates for a lambda capturing several references, as every operation's does.
template <class Work>
auto by_reference(const Work& work) {
  return [&work](StoreTransaction& tx) -> Result<void> { return work(tx); };
}

}  // namespace

// What one successful operation did, for the log entries written after the commit.
namespace {

// The randomness of one operation, drawn from the configured source in one call: a booking
// needs a meeting key and a token per message, and each call to SystemRandom is a system
// call (two getrandom calls were 7% of a MemoryStore create + book). Each byte is handed out
// once, and cleared as it is; what is left is cleared when the operation ends. Nothing is
// drawn until something is asked for, and a request larger than the batch goes to the
// source as it is. Used by one operation on one thread: not thread-safe.
class OperationRandom final : public RandomSource {
 public:
  explicit OperationRandom(RandomSource& source) : source_(source) {}
  OperationRandom(const OperationRandom&) = delete;
  OperationRandom& operator=(const OperationRandom&) = delete;
  ~OperationRandom() override { explicit_bzero(batch_.data(), batch_.size()); }

  Result<void> fill(std::span<std::byte> out) override {
    if (out.size() > batch_.size())
      return source_.fill(out);
    if (out.size() > left_) {
      left_ = 0;  // until the source has answered: a failed fill leaves nothing to hand out
      if (auto ok = source_.fill(batch_); !ok)
        return ok;
      left_ = batch_.size();
    }
    const auto from = batch_.data() + (batch_.size() - left_);
    std::copy_n(from, out.size(), out.data());
    explicit_bzero(from, out.size());
    left_ -= out.size();
    return {};
  }

 private:
  RandomSource& source_;
  // A booking takes 24 + 16 per message: up to 14 messages in one draw.
  std::array<std::byte, 256> batch_{};
  std::size_t left_ = 0;
};

}  // namespace

struct BookingService::Change {
  // What the log and the notifications need of the revision before: the interview itself
  // is moved into the next revision, which spares a copy of it.
  struct Before {
    InterviewStatus status;
    std::optional<TimeRange> slot;
  };
  // The enqueued messages come from `arena` (see apply); every random byte from `source`.
  Change(std::pmr::memory_resource* arena, RandomSource& source)
      : random(source), enqueued(arena) {}
  // Back to nothing done, for a rerun of the work; the arena keeps what it gave out.
  void reset() {
    before.reset();
    after.reset();
    enqueued.clear();
    enqueued_details.clear();
    superseded.clear();
    replayed = false;
  }

  OperationRandom random;
  // The revision the caller holds (book and reschedule from an Interview), or null: read by
  // id. Per operation, so reset() keeps it.
  const Interview* held = nullptr;
  std::optional<Before> before;
  std::optional<Interview> after;
  std::pmr::vector<OutboxMessage> enqueued;  // with the ids and recipient keys the store gave
  // The details of their notification_enqueued entries, when the log keeps those.
  std::vector<std::shared_ptr<const JsonValue::Source>> enqueued_details;
  std::vector<OutboxMessage> superseded;
  bool replayed = false;
};

namespace {

// Everything make() refuses, with the offending value in the message.
Result<void> validate(const BookingOptions& options) {
  const auto& url = options.meeting_base_url;
  if (url.empty()) {
    return InvalidInput{
        "BookingOptions::meeting_base_url is required: the start of every meeting link sent "
        "in invites (or set test_mode)"};
  }
  if (!(url.starts_with("https://") || url.starts_with("http://")) ||
      url.find_first_of(" \t\r\n\"<>") != std::string::npos || url.size() > 1024) {
    return InvalidInput{fmt::format(
        "meeting base URL \"{}\" must be an http(s) URL without spaces, quotes or angle brackets",
        url)};
  }
  // Every link is minted from it, and a link must be text a notification can carry.
  if (auto ok = validate_text("meeting base URL", url, 1024); !ok)
    return ok.error();
  // At most a day, as the slot search bounds them: it loads a day around its window.
  for (const auto buffer : {options.buffer_before, options.buffer_after}) {
    if (buffer.count() < 0 || buffer > max_interview_length) {
      return InvalidInput{fmt::format("booking buffer {} s must be between 0 and {} hours",
                                      buffer.count(), max_interview_length.count())};
    }
  }
  if (options.channels.empty())
    return InvalidInput{"BookingOptions::channels must name at least one channel"};
  for (auto it = options.channels.begin(); it != options.channels.end(); ++it) {
    if (auto ok = validate_text("channel name", *it, 100); !ok)
      return ok.error();
    // Two messages per notification on one channel would be sent twice.
    if (std::find(options.channels.begin(), it, *it) != it)
      return InvalidInput{fmt::format("BookingOptions::channels names \"{}\" twice", *it)};
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<BookingService>> BookingService::make(std::shared_ptr<Store> store,
                                                             std::shared_ptr<ActionLog> log,
                                                             BookingOptions options) {
  if (!store)
    return InvalidInput{"BookingService needs a store"};
  if (!log)
    return InvalidInput{"BookingService needs an action log"};
  if (options.test_mode && options.meeting_base_url.empty())
    options.meeting_base_url = "https://meet.invalid/";
  if (auto ok = validate(options); !ok)
    return ok.error();
  if (!options.clock)
    options.clock = std::make_shared<SystemClock>();
  if (!options.random)
    options.random = std::make_shared<SystemRandom>();
  return std::unique_ptr<BookingService>(
      new BookingService(std::move(store), std::move(log), std::move(options)));
}

BookingService::BookingService(std::shared_ptr<Store> store, std::shared_ptr<ActionLog> log,
                               BookingOptions options)
    : store_(std::move(store)),
      log_(std::move(log)),
      options_(std::move(options)),
      log_in_store_(logs_into(*log_, *store_)) {}

BookingService::~BookingService() = default;

void BookingService::on_enqueued(std::function<void()> callback) {
  on_enqueued_ = std::move(callback);
}

Result<Interview> BookingService::get(InterviewId id) const {
  return detail::guarded("the store", [&] { return store_->find(id); });
}

// A new pending interview, checked before anything is written: valid values, and nobody
// both the candidate and an interviewer (they would be invited twice, in two roles).
Result<Interview> BookingService::draft(const CreateRequest& request) const {
  const auto now = date::floor<std::chrono::seconds>(options_.clock->now());
  Interview interview{
      .id = InterviewId{},
      .title = request.title,
      .candidate = request.candidate,
      .interviewers = request.interviewers,
      .slot = std::nullopt,
      .status = InterviewStatus::pending,
      .version = 1,
      .meeting_link = {},
      .created_at = now,
      .updated_at = now,
  };
  if (auto ok = validate(interview); !ok)
    return ok.error();
  for (const auto& interviewer : interview.interviewers) {
    if (interviewer.person.email() == interview.candidate.person.email()) {
      return InvalidInput{fmt::format("the candidate's address {} is also an interviewer's",
                                      interview.candidate.person.email())};
    }
  }
  return interview;
}

// Public operations go through detail::guarded: a host's clock, randomness or store that
// throws against its contract fails the operation with an error value, never an exception.
Result<Interview> BookingService::create(const CreateRequest& request, const Actor& actor) {
  return detail::guarded("BookingService", [&] { return create_interview(request, actor); });
}

Result<Interview> BookingService::create_interview(const CreateRequest& request,
                                                   const Actor& actor) {
  auto interview = draft(request);
  if (!interview)
    return interview;
  std::vector<ActionEntry> log;
  // The work may run more than once (Store::write's contract): it rebuilds `log` each time.
  const auto work = [&](StoreTransaction& tx) -> Result<void> {
    auto id = tx.insert(*interview);
    if (!id)
      return id.error();
    interview->id = *id;
    if (!kept(ActionType::interview_created))
      return {};  // the sink would drop the entry: nothing to build
    log = {ActionEntry{.time = options_.clock->now(),
                       .action = ActionType::interview_created,
                       .interview = interview->id,
                       .actor = actor,
                       .from = std::nullopt,
                       .to = InterviewStatus::pending,
                       .details = {{"title", interview->title},
                                   {"candidate", interview->candidate.id.str()},
                                   {"interviewers", interview->interviewers.size()}}}};
    return record(&tx, log);
  };
  auto written = store_->write(by_reference(work));
  if (!written)
    return written.error();
  (void)record(nullptr, log);
  return interview;
}

// The change is committed: a host callback that throws must not turn it into a failed
// operation (the caller would retry a booking that stands). Nothing is lost by ignoring it:
// the dispatcher finds the messages on its next poll without being woken.
void BookingService::notify_enqueued() const noexcept {
  try {
    on_enqueued_();
  } catch (...) {  // NOLINT(bugprone-empty-catch): see above
  }
}

// Whether an entry of `action` is recorded anywhere: always when the log lives in the store,
// otherwise when the ActionLog's sink keeps it (ActionLogSink::wants). Entries nobody keeps
// are not built: with a sink that drops everything they were a tenth of a booking's cost.
bool BookingService::kept(ActionType action) const noexcept {
  return log_in_store_ || log_->wants(action);
}

// Entries go into the transaction when the log lives in the store (tx given), or to the
// ActionLog after the commit otherwise (tx null). Each call does one of the two.
Result<void> BookingService::record(StoreTransaction* tx,
                                    const std::vector<ActionEntry>& log) const {
  if (log_in_store_ != (tx != nullptr))
    return {};
  for (const auto& entry : log) {
    if (tx == nullptr) {
      log_->record(entry);
    } else if (auto ok = tx->append_action(entry); !ok) {
      return ok.error();
    }
  }
  return {};
}

Result<TransitionOutcome> BookingService::book(InterviewId id, const TimeRange& slot,
                                               const Actor& actor,
                                               const OperationOptions& options) {
  return detail::guarded("BookingService",
                         [&] { return apply(id, InterviewEvent::book, actor, options, slot, {}); });
}

Result<TransitionOutcome> BookingService::confirm(InterviewId id, const Actor& actor,
                                                  const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply(id, InterviewEvent::confirm, actor, options, std::nullopt, {});
  });
}

Result<TransitionOutcome> BookingService::reschedule(InterviewId id, const TimeRange& slot,
                                                     const Actor& actor,
                                                     const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply(id, InterviewEvent::reschedule, actor, options, slot, {});
  });
}

Result<TransitionOutcome> BookingService::cancel(InterviewId id, const std::string& reason,
                                                 const Actor& actor,
                                                 const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply(id, InterviewEvent::cancel, actor, options, std::nullopt, reason);
  });
}

Result<TransitionOutcome> BookingService::complete(InterviewId id, const Actor& actor,
                                                   const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply(id, InterviewEvent::complete, actor, options, std::nullopt, {});
  });
}

Result<TransitionOutcome> BookingService::mark_no_show(InterviewId id, const Actor& actor,
                                                       const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply(id, InterviewEvent::mark_no_show, actor, options, std::nullopt, {});
  });
}

Result<TransitionOutcome> BookingService::book(const Interview& current, const TimeRange& slot,
                                               const Actor& actor,
                                               const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply_held(current, InterviewEvent::book, actor, options, slot);
  });
}

Result<TransitionOutcome> BookingService::reschedule(const Interview& current,
                                                     const TimeRange& slot, const Actor& actor,
                                                     const OperationOptions& options) {
  return detail::guarded("BookingService", [&] {
    return apply_held(current, InterviewEvent::reschedule, actor, options, slot);
  });
}

// The operation on the revision the caller holds, and by id if that is not the stored one.
// The store may check `held` only with the writes (StoreTransaction::load_held), so an error
// decided before them, from `held`, may not be the stored revision's: an IllegalTransition
// or InvalidInput (the transition table, before_start, validate) is decided again by id, as
// is the StaleVersion of a held revision the store refused. (A request refused by its own
// checks is refused again before any transaction.) An expected version other than held's
// skips this attempt (the stored version may still match it); one equal to it can only fail
// through the store's check. Errors the store decided after its check (NotFound,
// SlotConflict) and Unavailable stand.
Result<TransitionOutcome> BookingService::apply_held(const Interview& held, InterviewEvent event,
                                                     const Actor& actor,
                                                     const OperationOptions& options,
                                                     const TimeRange& slot) {
  if (!options.expected_version || *options.expected_version == held.version) {
    auto done = apply(held.id, event, actor, options, slot, {}, &held);
    if (done)
      return done;
    const auto& e = done.error();
    if (!e.is<StaleVersion>() && !e.is<IllegalTransition>() && !e.is<InvalidInput>())
      return done;
  }
  return apply(held.id, event, actor, options, slot, {});
}

// REQUIRES: called by the public operations only. Phases: validate the request outside
// any transaction; in one transaction replay or step the interview, plan and enqueue its
// notifications and (when the log lives in the store) record them; then log (otherwise)
// and wake the dispatcher.
Result<TransitionOutcome> BookingService::apply(InterviewId id, InterviewEvent event,
                                                const Actor& actor, const OperationOptions& options,
                                                const std::optional<TimeRange>& slot,
                                                const std::string& reason, const Interview* held) {
  if (auto ok = check_request(event, options, slot, reason); !ok)
    return ok.error();
  const auto now = options_.clock->now();
  // The messages a transition plans take about 2 KB (a booking's six, 336 bytes each), and
  // a heap request that size makes glibc consolidate its fast bins every time:
  // malloc_consolidate and unlink_chunk were 14% of a MemoryStore create + book. They are
  // built here on the stack instead; more than fit spill to the heap.
  alignas(OutboxMessage) std::array<std::byte, 3 * 1024> arena;
  std::pmr::monotonic_buffer_resource resource(arena.data(), arena.size());
  Change change(&resource, *options_.random);
  change.held = held;
  std::vector<ActionEntry> log;
  // The work may run more than once (Store::write's contract): it starts from scratch.
  const auto work = [&](StoreTransaction& tx) -> Result<void> {
    change.reset();
    log.clear();
    if (auto ok = step(tx, change, id, event, options, slot, reason, now); !ok || change.replayed)
      return ok;
    log = entries(change, event, actor, options, reason, now);
    return record(&tx, log);
  };
  auto written = store_->write(by_reference(work));
  if (!written)
    return written.error();
  if (change.replayed) {
    // The first request's messages were enqueued by another call (perhaps another process):
    // only the store still knows them.
    auto enqueued = replayed_notifications(*change.after);
    if (!enqueued)
      return enqueued.error();
    return TransitionOutcome{std::move(*change.after), std::move(*enqueued)};
  }
  (void)record(nullptr, log);
  if (!change.enqueued.empty() && on_enqueued_)
    notify_enqueued();
  return TransitionOutcome{std::move(*change.after), reported(std::move(change.enqueued))};
}

// The messages enqueued with revision `result` of its interview, read back after a replay.
// While that revision is current, Store::revisions lists them (one indexed read); once a
// later change has replaced it, they are found by scanning the interview's outbox for the
// revision. Either way nothing the first request enqueued is left out, whatever its state.
Result<std::vector<EnqueuedNotification>> BookingService::replayed_notifications(
    const Interview& result) const {
  auto current = store_->revisions({.interview = result.id, .with_delivered = true});
  if (!current)
    return current.error();
  if (current->size() == 1 && current->front().version == result.version)
    return reported(std::move(current->front().messages));
  std::vector<OutboxMessage> messages;
  OutboxQuery query{.interview = result.id};
  for (;;) {
    auto page = page_outbox(*store_, query);
    if (!page)
      return page.error();
    std::copy_if(page->messages.begin(), page->messages.end(), std::back_inserter(messages),
                 [&](const OutboxMessage& m) { return m.revision == result.version; });
    if (!page->next)
      return reported(std::move(messages));
    query.after = *page->next;
  }
}

// One transition inside the transaction: idempotent replay, version and transition checks,
// the new revision, the conflict check, the update, and the notifications it causes.
// REQUIRES: inside Store::write's work (it may run again from scratch on a retry).
Result<void> BookingService::step(StoreTransaction& tx, Change& change, InterviewId id,
                                  InterviewEvent event, const OperationOptions& options,
                                  const std::optional<TimeRange>& slot, const std::string& reason,
                                  UtcMillis now) {
  // Identifies the request, so a reused idempotency key with a different request is caught.
  // Only a request with a key is ever compared or saved, so only then is it spelt out.
  const auto request =
      options.idempotency_key.empty()
          ? std::string()
          : fmt::format("{} {} {}", event, id, slot ? fmt::format("{}", *slot) : "");
  if (auto replayed = replay(tx, change, options.idempotency_key, request); !replayed)
    return replayed.error();
  if (change.replayed)
    return {};

  // The stored revision must be the one the caller read, and the table must allow the event.
  // (Revisions are moved, not copied: each copy of an interview is a dozen allocations.)
  auto loaded = change.held ? tx.load_held(*change.held) : tx.load(id);
  if (!loaded)
    return loaded.error();
  auto& current = *loaded;
  const auto& before = change.before.emplace(Change::Before{current.status, current.slot});
  if (options.expected_version && *options.expected_version != current.version)
    return StaleVersion{id, *options.expected_version, current.version};
  const auto transition = find_transition(current.status, event);
  if (!transition)
    return IllegalTransition{current.status, event, target_of(event)};
  if (auto early = before_start(current, event, now); !early)
    return early;

  // The next revision, whose slot must be free for everyone in it (buffers included).
  auto next = next_revision(std::move(current), *transition, slot, now, change.random);
  if (!next)
    return next.error();
  if (auto free = check_free(tx, *next); !free)
    return free;

  // Written together with the notifications it causes: the transactional outbox.
  if (auto ok = tx.update(*next); !ok)
    return ok.error();
  // Reconciliation recomputes from it what this revision should have enqueued.
  if (auto ok = tx.record_transition(id, RecordedTransition{event, before.status}); !ok)
    return ok.error();
  const auto& after = change.after.emplace(std::move(*next));
  if (auto ok = enqueue(tx, change, *transition, reason, now); !ok)
    return ok;
  if (!options.idempotency_key.empty())
    return tx.save_idempotency({options.idempotency_key, request, after});
  return {};
}

// An interview cannot have taken place, nor been missed, before it starts: completing it or
// marking a no-show earlier is refused (a click on the wrong row would otherwise end an
// upcoming interview, and its reminders with it).
Result<void> BookingService::before_start(const Interview& current, InterviewEvent event,
                                          UtcMillis now) {
  if (event != InterviewEvent::complete && event != InterviewEvent::mark_no_show)
    return {};
  if (!current.slot || now >= UtcMillis{current.slot->start()})
    return {};
  return InvalidInput{
      fmt::format("interview {} starts at {}; it cannot be {} before then", current.id,
                  format_utc(current.slot->start()),
                  event == InterviewEvent::complete ? "completed" : "marked a no-show")};
}

// A request seen before under `key` is answered with its first result (change.replayed);
// the same key with a different request is an error, never a silent second booking.
Result<void> BookingService::replay(StoreTransaction& tx, Change& change, const std::string& key,
                                    const std::string& request) const {
  if (key.empty())
    return {};
  auto seen = tx.find_idempotency(key);
  if (!seen)
    return seen.error();
  if (!*seen)
    return {};
  if ((*seen)->request != request) {
    return InvalidInput{
        fmt::format("idempotency key \"{}\" was already used for a different request ({})", key,
                    (*seen)->request)};
  }
  change.after = (*seen)->result;
  change.replayed = true;
  return {};
}

// `current` moved along `transition`: new status, version and slot, and a meeting link
// minted on the first booking (it stays the same across reschedules, so invites agree).
Result<Interview> BookingService::next_revision(Interview current, const Transition& transition,
                                                const std::optional<TimeRange>& slot, UtcMillis now,
                                                RandomSource& random) const {
  Interview next = std::move(current);
  next.status = transition.to;
  next.version += 1;
  next.updated_at = date::floor<std::chrono::seconds>(now);
  if (slot) {
    if (UtcMillis{slot->start()} <= now)
      return InvalidInput{fmt::format("slot {} starts in the past", *slot)};
    next.slot = *slot;
  }
  if (transition.event == InterviewEvent::book && next.meeting_link.empty()) {
    auto key = random_token(random, session_key_bytes);
    if (!key) {
      return Unavailable{
          fmt::format("cannot create a meeting session key: {}", key.error().message())};
    }
    next.meeting_link = join_link(options_.meeting_base_url, *key);
  }
  // Every revision's notifications carry it: it must read back exactly as written, or a
  // store could not keep it and a dispatcher could not deliver it (a clock beyond 9999).
  if (auto ok = validate(next); !ok)
    return ok.error();
  if (!writable(next.created_at) || !writable(next.updated_at))
    return InvalidInput{
        fmt::format("interview {}: the clock reads {}, outside the years 0000 to "
                    "9999",
                    next.id, format_utc(UtcMillis{next.updated_at}))};
  return next;
}

// A revision that holds a slot must not overlap, buffers included, another interview of
// anyone in it. Checked in the same transaction as the write, so two bookings racing for
// one person cannot both pass.
Result<void> BookingService::check_free(StoreTransaction& tx, const Interview& next) const {
  if (!holds_slot(next.status) || !next.slot)
    return {};
  const auto widest_buffer = std::max(options_.buffer_before, options_.buffer_after);
  return tx.require_free(next, next.slot->widened(widest_buffer, widest_buffer));
}

namespace {

// The people an interview's notifications go to, the candidate first, then the interviewers:
// the order NotificationPolicy::expect takes recipient keys in.
std::vector<Recipient> recipients_of(const Interview& interview) {
  std::vector<Recipient> out;
  out.reserve(interview.interviewers.size() + 1);
  out.push_back(Recipient::of(interview.candidate));
  for (const auto& interviewer : interview.interviewers)
    out.push_back(Recipient::of(interviewer));
  return out;
}

// One message token per message, drawn in one call to the source: a call is a system call
// with SystemRandom, and a booking needs several tokens. No call when no message is planned,
// so an operation that enqueues nothing never depends on the source.
Result<std::vector<std::string>> message_tokens(RandomSource& random, std::size_t count) {
  std::vector<std::string> tokens;
  if (count == 0)
    return tokens;
  std::vector<std::byte> bytes(count * message_token_bytes);
  if (auto ok = random.fill(bytes); !ok)
    return Unavailable{fmt::format("cannot create a message token: {}", ok.error().message())};
  tokens.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    tokens.push_back(
        base64url(std::span(bytes).subspan(i * message_token_bytes, message_token_bytes)));
  }
  explicit_bzero(bytes.data(), bytes.size());  // the tokens are the only copies left
  return tokens;
}

// What the policy plans for `transition` (before -> after), one outbox message per
// notification and channel. The policy's keys-only answer (expect: the same rules, order and
// deduplication as plan) is used with each payload deferred: the messages share one copy of
// the interview, and each becomes JSON only if a store or reader asks (a SQL store writing
// it). Building and copying six JSON trees of the interview was most of a booking's cost.
// The messages are appended to `messages`.
Result<void> planned_messages(const BookingOptions& options, RandomSource& random,
                              const Transition& transition,
                              const std::optional<TimeRange>& before_slot, const Interview& after,
                              const std::string& reason, UtcMillis now,
                              std::pmr::vector<OutboxMessage>& messages) {
  auto recipients = recipients_of(after);
  std::vector<std::string> keys;
  keys.reserve(recipients.size());
  for (const auto& recipient : recipients)
    keys.push_back(recipient.key());
  auto planned = options.policy.expect(transition, keys, after.slot, now);
  auto tokens = message_tokens(random, planned.size() * options.channels.size());
  if (!tokens)
    return tokens.error();
  if (planned.empty())
    return {};
  const auto parts = detail::NotificationParts::make(
      after, std::move(recipients), before_slot != after.slot ? before_slot : std::nullopt, reason);
  auto token = tokens->begin();
  messages.reserve(tokens->size());
  for (auto& expected : planned) {
    const auto index = static_cast<std::size_t>(
        std::find(keys.begin(), keys.end(), expected.recipient) - keys.begin());
    const auto& recipient = parts->recipients.at(index);
    auto key = make_idempotency_key(after.id, after.version, recipient, expected.kind);
    const auto payload = JsonValue::deferred(
        std::make_shared<const detail::NotificationPayload>(parts, index, expected.kind));
    for (const auto& channel : options.channels) {
      // The key a receiver deduplicates on: stable across retries and crashes of this
      // message, different for every channel so each channel's copy is its own delivery.
      // "default" keeps the plain key. The last channel takes the key and the recipient key
      // instead of copies. recipient and revision are the store's to derive; set here for
      // the caller's report.
      // Built in place, field by field: a braced temporary would be moved in once more.
      const bool last = &channel == &options.channels.back();
      auto& m = messages.emplace_back();
      m.idempotency_key = channel != "default" ? key + "/" + channel
                          : last               ? std::string(std::move(key))
                                               : key;
      m.interview = after.id;
      m.kind = expected.kind;
      m.channel = channel;
      m.payload = payload;  // the copies share it
      m.recipient = last ? std::move(expected.recipient) : expected.recipient;
      m.revision = after.version;
      m.message_token = std::move(*token++);
      m.due = expected.due;
      m.created_at = now;
      m.updated_at = now;
    }
  }
  return {};
}

}  // namespace

namespace {

// The details of a notification_enqueued entry, made only when a sink reads them (a sink
// that drops entries, or keeps only some actions, never pays for them). Assigned field by
// field: a braced list would copy every value once more. The message's recipient key is its
// payload's recipient role + ":" + id (Recipient::key), as the entry says. Made before the
// store takes the message's key (StoreTransaction::enqueue_taking).
class EnqueuedDetails final : public JsonValue::Source {
 public:
  explicit EnqueuedDetails(const OutboxMessage& message)
      : key_(message.idempotency_key),
        kind_(message.kind),
        channel_(message.channel),
        recipient_(message.recipient),
        due_(message.due) {}

  nlohmann::json make() const override {
    auto details = nlohmann::json::object();
    details["idempotency_key"] = key_;
    details["kind"] = std::string(to_string(kind_));
    details["channel"] = channel_;
    details["recipient"] = recipient_;
    details["due"] = format_utc(due_);
    return details;
  }

 private:
  std::string key_;
  NotificationKind kind_;
  std::string channel_;
  std::string recipient_;
  UtcMillis due_;
};

}  // namespace

// Supersedes what the event makes obsolete and enqueues what the policy plans, one outbox
// message per notification and channel.
Result<void> BookingService::enqueue(StoreTransaction& tx, Change& change,
                                     const Transition& transition, const std::string& reason,
                                     UtcMillis now) {
  const auto id = change.after->id;
  for (auto kind : options_.policy.superseded_by(transition.event)) {
    auto superseded = tx.supersede(
        id, kind,
        fmt::format("superseded by revision {} ({})", change.after->version, transition.event),
        now);
    if (!superseded)
      return superseded.error();
    change.superseded.insert(change.superseded.end(), superseded->begin(), superseded->end());
  }
  if (auto planned = planned_messages(options_, change.random, transition, change.before->slot,
                                      *change.after, reason, now, change.enqueued);
      !planned)
    return planned;
  if (kept(ActionType::notification_enqueued)) {
    change.enqueued_details.reserve(change.enqueued.size());
    for (const auto& message : change.enqueued)
      change.enqueued_details.push_back(std::make_shared<const EnqueuedDetails>(message));
  }
  // What the report needs of each message stays; the store takes the rest.
  auto ids = tx.enqueue_taking(change.enqueued);
  if (!ids)
    return ids.error();
  if (ids->size() != change.enqueued.size()) {
    return Unavailable{fmt::format("the store returned {} outbox ids for {} messages", ids->size(),
                                   change.enqueued.size())};
  }
  for (std::size_t i = 0; i < ids->size(); ++i)
    change.enqueued[i].id = (*ids)[i];
  return {};
}

namespace {

// The details of the entry that records the transition itself.
nlohmann::json transition_details(const std::optional<TimeRange>& before_slot,
                                  const Interview& after, const OperationOptions& options,
                                  const std::string& reason) {
  nlohmann::json details = {{"version", after.version}};
  if (after.slot)
    details["slot"] = *after.slot;
  if (before_slot && before_slot != after.slot)
    details["previous_slot"] = *before_slot;
  if (!reason.empty())
    details["reason"] = reason;
  if (!options.idempotency_key.empty())
    details["idempotency_key"] = options.idempotency_key;
  return details;
}

}  // namespace

// The ActionLog entries of one committed change, in a fixed order: the transition, the
// messages it superseded, the messages it enqueued. An entry no log keeps (see kept) is left
// out, and so never built.
std::vector<ActionEntry> BookingService::entries(const Change& change, InterviewEvent event,
                                                 const Actor& actor,
                                                 const OperationOptions& options,
                                                 const std::string& reason, UtcMillis now) const {
  const auto& before = *change.before;
  const auto& after = *change.after;
  const auto make = [&](ActionType action, JsonValue d, std::optional<InterviewStatus> from,
                        std::optional<InterviewStatus> to) {
    return ActionEntry{.time = now,
                       .action = action,
                       .interview = after.id,
                       .actor = actor,
                       .from = from,
                       .to = to,
                       .details = std::move(d)};
  };
  std::vector<ActionEntry> log;
  const std::span<const OutboxMessage> none;  // what a loop over messages nobody logs walks
  const auto logged_as = lifecycle_of(event).logged_as;
  const bool superseded = kept(ActionType::notification_expired);
  log.reserve(1 + (superseded ? change.superseded.size() : 0) + change.enqueued_details.size());
  if (kept(logged_as)) {
    log.push_back(make(logged_as, transition_details(before.slot, after, options, reason),
                       before.status, after.status));
  }
  for (const auto& message :
       superseded ? std::span<const OutboxMessage>(change.superseded) : none) {
    log.push_back(make(ActionType::notification_expired,
                       {{"outbox_id", message.id.value()},
                        {"idempotency_key", message.idempotency_key},
                        {"kind", std::string(to_string(message.kind))},
                        {"channel", message.channel},
                        {"error", message.last_error},
                        {"superseded_by_version", after.version}},
                       std::nullopt, std::nullopt));
  }
  for (const auto& details : change.enqueued_details)  // made by enqueue iff kept
    log.push_back(make(ActionType::notification_enqueued, JsonValue::deferred(details),
                       std::nullopt, std::nullopt));
  return log;
}

}  // namespace interviewkit
