target_sources(interviewkit_channels_tests PRIVATE
  smtp_test.cpp
  webhook_test.cpp
)
