#include <algorithm>
#include <array>

#include <interviewkit/notify/lifecycle.hpp>
#include <interviewkit/notify/policy.hpp>

namespace interviewkit {

NotificationPolicy NotificationPolicy::defaults(std::optional<std::chrono::seconds> reminder_lead) {
  using E = InterviewEvent;
  using S = InterviewStatus;
  // Who hears about what; the kind each event is announced as comes from the lifecycle table.
  struct Announce {
    InterviewEvent event;
    std::optional<InterviewStatus> from;
    Audience audience;
  };
  // clang-format off
  constexpr std::array<Announce, 5> announce{{
      // event          from            audience
      {E::book,       std::nullopt,   Audience::everyone},
      {E::confirm,    std::nullopt,   Audience::interviewers},
      {E::reschedule, std::nullopt,   Audience::everyone},
      {E::cancel,     S::scheduled,   Audience::everyone},  // a pending interview told nobody
      {E::cancel,     S::confirmed,   Audience::everyone},
  }};
  // clang-format on
  std::vector<NotificationRule> rules;
  for (const auto& a : announce) {
    rules.push_back(
        {a.event, a.from, *lifecycle_of(a.event).announced_as, a.audience, std::nullopt});
  }
  if (reminder_lead) {
    for (auto event : {E::book, E::reschedule}) {
      rules.push_back({event, std::nullopt, NotificationKind::interview_reminder,
                       Audience::everyone, reminder_lead});
    }
  }
  // A change that moves or ends the interview makes every earlier invite and reminder
  // untrue: they are expired in the same transaction, whether still pending or dead (so an
  // operator cannot requeue a stale invite either).
  std::vector<SupersedeRule> supersede;
  for (const auto& step : lifecycle_table) {
    if (!step.supersedes_slot_announcements)
      continue;
    for (auto kind : all_notification_kinds) {
      if (carries_slot(kind))
        supersede.push_back({step.event, kind});
    }
  }
  return {std::move(rules), std::move(supersede)};
}

NotificationPolicy& NotificationPolicy::add(NotificationRule rule) {
  rules_.push_back(rule);
  return *this;
}

NotificationPolicy& NotificationPolicy::add(SupersedeRule rule) {
  supersede_.push_back(rule);
  return *this;
}

NotificationPolicy& NotificationPolicy::remove(NotificationKind kind) {
  std::erase_if(rules_, [&](const NotificationRule& r) { return r.kind == kind; });
  std::erase_if(supersede_, [&](const SupersedeRule& r) { return r.kind == kind; });
  return *this;
}

// The same rule walk as `plan`, on keys: recipient keys stand in for Recipients (the
// candidate's first), so nothing is built that reconciliation would throw away.
std::vector<ExpectedNotification> NotificationPolicy::expect(
    const Transition& transition, std::span<const std::string> recipients,
    const std::optional<TimeRange>& slot, UtcMillis at) const {
  std::vector<ExpectedNotification> expected;
  expected.reserve(rules_.size() * recipients.size());  // at most one per rule and recipient
  for (const auto& rule : rules_) {
    if (rule.event != transition.event || (rule.from && *rule.from != transition.from))
      continue;
    UtcMillis due = at;
    if (rule.before_start) {
      if (!slot)
        continue;
      due = UtcMillis{slot->start() - *rule.before_start};
      if (due <= at)
        continue;  // too late for a reminder
    }
    for (std::size_t i = 0; i < recipients.size(); ++i) {
      const bool candidate = i == 0;
      if ((candidate && rule.audience == Audience::interviewers) ||
          (!candidate && rule.audience == Audience::candidate))
        continue;
      const auto duplicate = std::any_of(expected.begin(), expected.end(), [&](const auto& e) {
        return e.kind == rule.kind && e.recipient == recipients[i];
      });
      if (!duplicate)
        expected.push_back({rule.kind, recipients[i], due});
    }
  }
  return expected;
}

std::vector<PlannedNotification> NotificationPolicy::plan(const Transition& transition,
                                                          const Interview& before,
                                                          const Interview& after,
                                                          const std::string& reason,
                                                          UtcMillis now) const {
  std::vector<PlannedNotification> planned;
  for (const auto& rule : rules_) {
    if (rule.event != transition.event || (rule.from && *rule.from != transition.from))
      continue;
    UtcMillis due = now;
    if (rule.before_start) {
      if (!after.slot)
        continue;
      due = UtcMillis{after.slot->start() - *rule.before_start};
      if (due <= now)
        continue;  // too late for a reminder
    }
    std::vector<Recipient> recipients;
    if (rule.audience != Audience::interviewers)
      recipients.push_back(Recipient::of(after.candidate));
    if (rule.audience != Audience::candidate) {
      for (const auto& interviewer : after.interviewers) {
        recipients.push_back(Recipient::of(interviewer));
      }
    }
    for (auto& recipient : recipients) {
      auto key = make_idempotency_key(after.id, after.version, recipient, rule.kind);
      const bool duplicate = std::any_of(planned.begin(), planned.end(), [&](const auto& p) {
        return p.notification.idempotency_key == key;
      });
      if (duplicate)
        continue;  // two rules saying the same thing send it once
      planned.push_back({Notification{rule.kind, std::move(recipient), after,
                                      before.slot != after.slot ? before.slot : std::nullopt,
                                      reason, std::move(key)},
                         due});
    }
  }
  return planned;
}

std::vector<NotificationKind> NotificationPolicy::superseded_by(InterviewEvent event) const {
  std::vector<NotificationKind> kinds;
  for (const auto& rule : supersede_) {
    if (rule.event == event && std::find(kinds.begin(), kinds.end(), rule.kind) == kinds.end()) {
      kinds.push_back(rule.kind);
    }
  }
  return kinds;
}

}  // namespace interviewkit
