target_sources(interviewkit_channels_tests PRIVATE
  email_message_test.cpp
  file_notifier_test.cpp
  ics_test.cpp
  templates_test.cpp
)

# The message tests read what they render back with Python's email package and
# python3-icalendar (check_email.py). Debian installs python3-icalendar for the system
# interpreter, while a python3 found first on PATH (pyenv, a venv) may lack it: take the first
# candidate that can import it.
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
target_compile_definitions(interviewkit_channels_tests PRIVATE
  INTERVIEWKIT_TEST_PYTHON="${INTERVIEWKIT_TEST_PYTHON}"
  INTERVIEWKIT_CHECK_EMAIL="${CMAKE_CURRENT_SOURCE_DIR}/check_email.py")
