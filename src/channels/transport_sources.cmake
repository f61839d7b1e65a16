target_sources(interviewkit_channels PRIVATE
  smtp_notifier.cpp
  webhook_notifier.cpp
)
