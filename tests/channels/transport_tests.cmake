target_sources(interviewkit_channels_tests PRIVATE
  fault_test.cpp
  smtp_test.cpp
  webhook_interop_test.cpp
  webhook_test.cpp
)
# The [interop] tests run the Standard Webhooks reference library (npm "standardwebhooks",
# pinned in interop/package.json) under node; scripts/install-deps installs it into
# interop/node_modules.
find_program(INTERVIEWKIT_TEST_NODE NAMES node nodejs)
if(NOT INTERVIEWKIT_TEST_NODE)
  message(WARNING "no node on PATH (apt-get install nodejs npm): the [interop] webhook tests "
    "will fail")
  set(INTERVIEWKIT_TEST_NODE node)
endif()
target_compile_definitions(interviewkit_channels_tests PRIVATE
  INTERVIEWKIT_TEST_NODE="${INTERVIEWKIT_TEST_NODE}"
  INTERVIEWKIT_INTEROP_DIR="${CMAKE_CURRENT_SOURCE_DIR}/interop")
