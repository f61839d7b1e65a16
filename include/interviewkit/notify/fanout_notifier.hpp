// FanoutNotifier: delivers each notification through several channels.
#pragma once

#include <memory>
#include <vector>

#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Every child gets every notification. The outcome is delivered only if all children
/// delivered; otherwise a failure naming each failed child, retryable if any failure was.
/// A throwing child is reported as a retryable failure and does not stop the others.
/// Note that a retry goes to every child again: children should be idempotent on the
/// notification's idempotency key.
class INTERVIEWKIT_EXPORT FanoutNotifier final : public Notifier {
 public:
  explicit FanoutNotifier(std::vector<std::shared_ptr<Notifier>> children);
  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;
  void begin_batch() override;
  void end_batch() noexcept override;

 private:
  std::vector<std::shared_ptr<Notifier>> children_;
};

}  // namespace interviewkit
