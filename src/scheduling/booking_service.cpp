#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/scheduling/booking_service.hpp>

namespace interviewkit {

namespace {

constexpr std::size_t session_key_bytes = 24;  // 192 bits
constexpr std::size_t message_token_bytes = 16;
constexpr std::size_t max_reason = 2000;
constexpr std::size_t max_idempotency_key = 200;

ActionType action_for(InterviewEvent event) {
  switch (event) {
    case InterviewEvent::book:
      return ActionType::interview_booked;
    case InterviewEvent::confirm:
      return ActionType::interview_confirmed;
    case InterviewEvent::reschedule:
      return ActionType::interview_rescheduled;
    case InterviewEvent::cancel:
      return ActionType::interview_cancelled;
    case InterviewEvent::complete:
      return ActionType::interview_completed;
    case InterviewEvent::mark_no_show:
      return ActionType::interview_no_show;
  }
  return ActionType::interview_created;
}

std::string join_link(const std::string& base, const std::string& key) {
  const char last = base.back();
  return (last == '/' || last == '=' || last == '#') ? base + key : base + "/" + key;
}

Result<void> check_slot(const TimeRange& slot) {
  if (slot.duration() > max_interview_length) {
    return InvalidInput{
        fmt::format("slot {} is longer than {} hours", slot, max_interview_length.count())};
  }
  return {};
}

}  // namespace

// What one successful operation did, for the log entries written after the commit.
struct BookingService::Change {
  std::optional<Interview> before;
  std::optional<Interview> after;
  std::vector<OutboxMessage> enqueued;
  std::vector<OutboxMessage> superseded;
  bool replayed = false;
};

Result<std::unique_ptr<BookingService>> BookingService::make(std::shared_ptr<Store> store,
                                                             std::shared_ptr<ActionLog> log,
                                                             BookingOptions options,
                                                             std::shared_ptr<const Clock> clock,
                                                             std::shared_ptr<RandomSource> random) {
  if (!store)
    return InvalidInput{"BookingService needs a store"};
  if (!log)
    return InvalidInput{"BookingService needs an action log"};
  const auto& url = options.meeting_base_url;
  if (!(url.starts_with("https://") || url.starts_with("http://")) ||
      url.find_first_of(" \t\r\n\"<>") != std::string::npos || url.size() > 1024) {
    return InvalidInput{fmt::format(
        "meeting base URL \"{}\" must be an http(s) URL without spaces, quotes or angle brackets",
        url)};
  }
  if (options.buffer_before.count() < 0 || options.buffer_after.count() < 0) {
    return InvalidInput{"booking buffers must not be negative"};
  }
  if (!clock)
    clock = std::make_shared<SystemClock>();
  if (!random)
    random = std::make_shared<SystemRandom>();
  return std::unique_ptr<BookingService>(new BookingService(
      std::move(store), std::move(log), std::move(options), std::move(clock), std::move(random)));
}

BookingService::BookingService(std::shared_ptr<Store> store, std::shared_ptr<ActionLog> log,
                               BookingOptions options, std::shared_ptr<const Clock> clock,
                               std::shared_ptr<RandomSource> random)
    : store_(std::move(store)),
      log_(std::move(log)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      random_(std::move(random)) {}

BookingService::~BookingService() = default;

void BookingService::on_enqueued(std::function<void()> callback) {
  on_enqueued_ = std::move(callback);
}

Result<Interview> BookingService::get(InterviewId id) const {
  return store_->find(id);
}

Result<Interview> BookingService::create(const CreateRequest& request, const Actor& actor) {
  const auto now = date::floor<std::chrono::seconds>(clock_->now());
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
  auto written = store_->write([&](StoreTransaction& tx) -> Result<void> {
    auto id = tx.insert(interview);
    if (!id)
      return id.error();
    interview.id = *id;
    return {};
  });
  if (!written)
    return written.error();
  log_->record(ActionEntry{.time = clock_->now(),
                           .action = ActionType::interview_created,
                           .interview = interview.id,
                           .actor = actor,
                           .from = std::nullopt,
                           .to = InterviewStatus::pending,
                           .details = {{"title", interview.title},
                                       {"candidate", interview.candidate.id.str()},
                                       {"interviewers", interview.interviewers.size()}}});
  return interview;
}

Result<Interview> BookingService::book(InterviewId id, const TimeRange& slot, const Actor& actor,
                                       const OperationOptions& options) {
  return apply(id, InterviewEvent::book, actor, options, slot, {});
}

Result<Interview> BookingService::confirm(InterviewId id, const Actor& actor,
                                          const OperationOptions& options) {
  return apply(id, InterviewEvent::confirm, actor, options, std::nullopt, {});
}

Result<Interview> BookingService::reschedule(InterviewId id, const TimeRange& slot,
                                             const Actor& actor, const OperationOptions& options) {
  return apply(id, InterviewEvent::reschedule, actor, options, slot, {});
}

Result<Interview> BookingService::cancel(InterviewId id, const std::string& reason,
                                         const Actor& actor, const OperationOptions& options) {
  return apply(id, InterviewEvent::cancel, actor, options, std::nullopt, reason);
}

Result<Interview> BookingService::complete(InterviewId id, const Actor& actor,
                                           const OperationOptions& options) {
  return apply(id, InterviewEvent::complete, actor, options, std::nullopt, {});
}

Result<Interview> BookingService::mark_no_show(InterviewId id, const Actor& actor,
                                               const OperationOptions& options) {
  return apply(id, InterviewEvent::mark_no_show, actor, options, std::nullopt, {});
}

Result<Interview> BookingService::apply(InterviewId id, InterviewEvent event, const Actor& actor,
                                        const OperationOptions& options,
                                        const std::optional<TimeRange>& slot,
                                        const std::string& reason) {
  if (auto ok = validate_text("cancellation reason", reason, max_reason, true); !ok) {
    return ok.error();
  }
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
  if (slot) {
    if (auto ok = check_slot(*slot); !ok)
      return ok.error();
  }
  // Identifies the request, so a reused idempotency key with a different request is caught.
  const auto request = fmt::format("{} {} {}", event, id, slot ? fmt::format("{}", *slot) : "");
  const auto now = clock_->now();
  const auto widest_buffer = std::max(options_.buffer_before, options_.buffer_after);

  Change change;
  auto written = store_->write([&](StoreTransaction& tx) -> Result<void> {
    change = Change{};
    if (!options.idempotency_key.empty()) {
      auto seen = tx.find_idempotency(options.idempotency_key);
      if (!seen)
        return seen.error();
      if (*seen) {
        if ((*seen)->request != request) {
          return InvalidInput{
              fmt::format("idempotency key \"{}\" was already used for a different request ({})",
                          options.idempotency_key, (*seen)->request)};
        }
        change.after = (*seen)->result;
        change.replayed = true;
        return {};
      }
    }
    auto current = tx.load(id);
    if (!current)
      return current.error();
    change.before = *current;
    if (options.expected_version && *options.expected_version != current->version) {
      return StaleVersion{id, *options.expected_version, current->version};
    }
    const auto transition = find_transition(current->status, event);
    if (!transition)
      return IllegalTransition{current->status, event, target_of(event)};

    Interview next = *current;
    next.status = transition->to;
    next.version = current->version + 1;
    next.updated_at = date::floor<std::chrono::seconds>(now);
    if (slot)
      next.slot = *slot;
    if (slot && UtcMillis{slot->start()} <= now) {
      return InvalidInput{fmt::format("slot {} starts in the past", *slot)};
    }
    if (event == InterviewEvent::book && next.meeting_link.empty()) {
      auto key = random_token(*random_, session_key_bytes);
      if (!key) {
        return Unavailable{
            fmt::format("cannot create a meeting session key: {}", key.error().message())};
      }
      next.meeting_link = join_link(options_.meeting_base_url, *key);
    }
    if (holds_slot(next.status) && next.slot) {
      auto conflict = tx.find_conflict(next, next.slot->widened(widest_buffer, widest_buffer));
      if (!conflict)
        return conflict.error();
      if (*conflict)
        return **conflict;
    }
    if (auto ok = tx.update(next); !ok)
      return ok.error();

    for (auto kind : options_.policy.superseded_by(event)) {
      auto superseded = tx.supersede(id, kind, fmt::format("superseded by {}", event), now);
      if (!superseded)
        return superseded.error();
      change.superseded.insert(change.superseded.end(), superseded->begin(), superseded->end());
    }
    for (auto& planned : options_.policy.plan(*transition, *current, next, reason, now)) {
      auto token = random_token(*random_, message_token_bytes);
      if (!token) {
        return Unavailable{
            fmt::format("cannot create a message token: {}", token.error().message())};
      }
      change.enqueued.push_back(OutboxMessage{
          .id = OutboxId{},
          .idempotency_key = planned.notification.idempotency_key,
          .interview = id,
          .kind = planned.notification.kind,
          .channel = "default",
          .payload = planned.notification,
          .message_token = std::move(*token),
          .due = planned.due,
          .attempts = 0,
          .last_error = {},
          .state = OutboxState::pending,
          .claimed_until = std::nullopt,
          .created_at = now,
          .updated_at = now,
      });
    }
    if (auto ok = tx.enqueue(change.enqueued); !ok)
      return ok.error();
    if (!options.idempotency_key.empty()) {
      if (auto ok = tx.save_idempotency({options.idempotency_key, request, next}); !ok) {
        return ok.error();
      }
    }
    change.after = std::move(next);
    return {};
  });
  if (!written)
    return written.error();
  if (change.replayed)
    return *change.after;
  const auto& before = *change.before;
  auto& after = *change.after;

  nlohmann::json details = {{"version", after.version}};
  if (after.slot)
    details["slot"] = *after.slot;
  if (before.slot && before.slot != after.slot)
    details["previous_slot"] = *before.slot;
  if (!reason.empty())
    details["reason"] = reason;
  if (!options.idempotency_key.empty())
    details["idempotency_key"] = options.idempotency_key;
  log_->record(ActionEntry{.time = now,
                           .action = action_for(event),
                           .interview = id,
                           .actor = actor,
                           .from = before.status,
                           .to = after.status,
                           .details = std::move(details)});
  for (const auto& message : change.superseded) {
    log_->record(ActionEntry{.time = now,
                             .action = ActionType::notification_expired,
                             .interview = id,
                             .actor = actor,
                             .from = std::nullopt,
                             .to = std::nullopt,
                             .details = {{"idempotency_key", message.idempotency_key},
                                         {"kind", std::string(to_string(message.kind))},
                                         {"error", message.last_error}}});
  }
  for (const auto& message : change.enqueued) {
    log_->record(ActionEntry{
        .time = now,
        .action = ActionType::notification_enqueued,
        .interview = id,
        .actor = actor,
        .from = std::nullopt,
        .to = std::nullopt,
        .details = {
            {"idempotency_key", message.idempotency_key},
            {"kind", std::string(to_string(message.kind))},
            {"recipient", message.payload.at("recipient").at("role").get<std::string>() + ":" +
                              message.payload.at("recipient").at("id").get<std::string>()},
            {"due", format_utc(message.due)}}});
  }
  if (!change.enqueued.empty() && on_enqueued_)
    on_enqueued_();
  return std::move(after);
}

}  // namespace interviewkit
