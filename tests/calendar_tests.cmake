# The calendar component's tests read real calendars: a Radicale server on loopback
# (servers/radicale_server.py), written and read back with Debian's python3-caldav client,
# and busy times compared with an independent expander, python3-recurring-ical-events
# (servers/caldav_reference.py).

# Debian installs these modules for the system interpreter, while a python3 found first on
# PATH (pyenv, a venv) may lack them: take the first candidate that imports all three.
if(NOT INTERVIEWKIT_CALDAV_PYTHON)
  find_program(_interviewkit_caldav_path_python NAMES python3)
  foreach(_candidate IN ITEMS /usr/bin/python3 ${_interviewkit_caldav_path_python})
    execute_process(COMMAND "${_candidate}" -c "import radicale, caldav, recurring_ical_events"
      RESULT_VARIABLE _status OUTPUT_QUIET ERROR_QUIET)
    if(_status EQUAL 0)
      set(INTERVIEWKIT_CALDAV_PYTHON "${_candidate}" CACHE FILEPATH
        "Python 3 with radicale, caldav and recurring_ical_events, for the calendar tests")
      break()
    endif()
  endforeach()
  if(NOT INTERVIEWKIT_CALDAV_PYTHON)
    message(WARNING "no python3 with radicale, caldav and recurring_ical_events (apt-get "
      "install radicale python3-caldav python3-recurring-ical-events): the [caldav] tests "
      "that use a server or the reference expander will fail")
    set(INTERVIEWKIT_CALDAV_PYTHON python3)
  endif()
endif()

# CalendarSync is tested on a SQLite file as well as in memory, when that store is built.
set(_calendar_test_sources
  calendar/busy_times_test.cpp
  calendar/caldav_client_test.cpp
  calendar/reference_test.cpp)
set(_calendar_test_libraries interviewkit::calendar)
if(TARGET interviewkit_sqlite)
  list(APPEND _calendar_test_sources calendar/calendar_sync_test.cpp
    calendar/caldav_notifier_test.cpp)
  list(APPEND _calendar_test_libraries interviewkit::sqlite)
endif()

# Not under ThreadSanitizer: that preset runs the [concurrency] tests only, and none is here.
interviewkit_add_test_binary(interviewkit_calendar_tests NO_TSAN
  SOURCES ${_calendar_test_sources}
  LIBRARIES ${_calendar_test_libraries}
  DEFINITIONS
    INTERVIEWKIT_TEST_PYTHON="${INTERVIEWKIT_CALDAV_PYTHON}")
