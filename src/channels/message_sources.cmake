target_sources(interviewkit_channels PRIVATE
  email_message.cpp
  file_notifier.cpp
  ics.cpp
  mail_text.cpp
  templates.cpp
)
