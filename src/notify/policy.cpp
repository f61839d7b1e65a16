#include <algorithm>

#include <interviewkit/notify/policy.hpp>

namespace interviewkit {

NotificationPolicy NotificationPolicy::defaults(std::optional<std::chrono::seconds> reminder_lead) {
  using E = InterviewEvent;
  using K = NotificationKind;
  using S = InterviewStatus;
  // clang-format off
  std::vector<NotificationRule> rules = {
      // event          from            kind                      audience                before start
      {E::book,       std::nullopt,   K::interview_scheduled,   Audience::everyone,     std::nullopt},
      {E::confirm,    std::nullopt,   K::interview_confirmed,   Audience::interviewers, std::nullopt},
      {E::reschedule, std::nullopt,   K::interview_rescheduled, Audience::everyone,     std::nullopt},
      {E::cancel,     S::scheduled,   K::interview_cancelled,   Audience::everyone,     std::nullopt},
      {E::cancel,     S::confirmed,   K::interview_cancelled,   Audience::everyone,     std::nullopt},
  };
  if (reminder_lead) {
    rules.push_back({E::book,       std::nullopt, K::interview_reminder, Audience::everyone, reminder_lead});
    rules.push_back({E::reschedule, std::nullopt, K::interview_reminder, Audience::everyone, reminder_lead});
  }
  // A change that moves or ends the interview makes every earlier invite and reminder
  // untrue: they are expired in the same transaction, whether still pending or dead (so an
  // operator cannot requeue a stale invite either).
  std::vector<SupersedeRule> supersede;
  for (auto event : {E::reschedule, E::cancel, E::complete, E::mark_no_show}) {
    for (auto kind : {K::interview_scheduled, K::interview_confirmed, K::interview_rescheduled,
                      K::interview_reminder}) {
      supersede.push_back({event, kind});
    }
  }
  // clang-format on
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
