# The channels' tests read what they produce with real parsers and servers: Python's email
# package and python3-icalendar (channels/check_email.py), the Standard Webhooks reference
# library under node (channels/interop), SMTP and HTTP servers on loopback (servers/).

# Debian installs python3-icalendar for the system interpreter, while a python3 found first
# on PATH (pyenv, a venv) may lack it: take the first candidate that can import it.
if(NOT INTERVIEWKIT_TEST_PYTHON)
  find_program(_interviewkit_path_python NAMES python3)
  foreach(_candidate IN ITEMS /usr/bin/python3 ${_interviewkit_path_python})
    execute_process(COMMAND "${_candidate}" -c "import email, icalendar"
      RESULT_VARIABLE _status OUTPUT_QUIET ERROR_QUIET)
    if(_status EQUAL 0)
      set(INTERVIEWKIT_TEST_PYTHON "${_candidate}" CACHE FILEPATH
        "Python 3 with the icalendar module, for the message tests")
      break()
    endif()
  endforeach()
  if(NOT INTERVIEWKIT_TEST_PYTHON)
    message(WARNING "no python3 with the icalendar module (apt-get install python3-icalendar): "
      "the [email] and [ics] tests that parse messages back will fail")
    set(INTERVIEWKIT_TEST_PYTHON python3)
  endif()
endif()

# The [interop] tests run the npm package "standardwebhooks" (pinned in
# channels/interop/package.json); scripts/install-deps installs it into interop/node_modules.
find_program(INTERVIEWKIT_TEST_NODE NAMES node nodejs)
if(NOT INTERVIEWKIT_TEST_NODE)
  message(WARNING "no node on PATH (apt-get install nodejs npm): the [interop] webhook tests "
    "will fail")
  set(INTERVIEWKIT_TEST_NODE node)
endif()

interviewkit_add_test_binary(interviewkit_channels_tests
  SOURCES
    channels/concurrency_test.cpp
    channels/email_message_test.cpp
    channels/fault_test.cpp
    channels/file_notifier_test.cpp
    channels/required_options_test.cpp
    channels/ics_test.cpp
    channels/smtp_test.cpp
    channels/templates_test.cpp
    channels/webhook_interop_test.cpp
    channels/webhook_test.cpp
  LIBRARIES interviewkit::channels
  DEFINITIONS
    INTERVIEWKIT_TEST_PYTHON="${INTERVIEWKIT_TEST_PYTHON}"
    INTERVIEWKIT_CHECK_EMAIL="${CMAKE_CURRENT_SOURCE_DIR}/channels/check_email.py"
    INTERVIEWKIT_TEST_NODE="${INTERVIEWKIT_TEST_NODE}"
    INTERVIEWKIT_INTEROP_DIR="${CMAKE_CURRENT_SOURCE_DIR}/channels/interop")
