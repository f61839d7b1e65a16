target_sources(interviewkit_channels_tests PRIVATE
  webhook_test.cpp
)
target_compile_definitions(interviewkit_channels_tests PRIVATE
  INTERVIEWKIT_TEST_SERVERS_DIR="${PROJECT_SOURCE_DIR}/tests/servers")
