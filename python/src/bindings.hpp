// Shared by every source of the Python module: the pybind11 includes, the conversions of
// interviewkit's time types to timezone-aware datetimes, and `unwrap`, which turns an error
// Result into the matching Python exception. Each bind_* function adds one area's names.
#pragma once

#include <chrono>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <string>
#include <utility>

#include <date/date.h>

#include <interviewkit/domain/result.hpp>

namespace interviewkit::python {

namespace py = pybind11;

/// The value of `result`, or throws ErrorException, which errors.cpp's translator turns into
/// the interviewkit.Error subclass of its kind. Safe with the GIL released: the exception is
/// translated only once the call is back in Python.
template <class T>
T unwrap(Result<T>&& result) {
  if (!result)
    throw ErrorException(result.error());
  if constexpr (!std::is_void_v<T>)
    return std::move(result).value();
}

void bind_errors(py::module_& m);
void bind_time(py::module_& m);
void bind_domain(py::module_& m);
void bind_values(py::module_& m);
void bind_interview(py::module_& m);
void bind_stores(py::module_& m);
void bind_booking(py::module_& m);
void bind_action_log(py::module_& m);
void bind_availability(py::module_& m);
void bind_dispatcher(py::module_& m);
void bind_channels(py::module_& m);
void bind_fate(py::module_& m);

// Conversions used by the type casters below (time.cpp).
std::chrono::milliseconds millis_since_epoch(py::handle datetime);  // throws for naive/bad
py::object datetime_from_millis(std::chrono::milliseconds since_epoch);
std::chrono::microseconds timedelta_micros(py::handle delta);  // throws for a non-timedelta
py::object timedelta_from_micros(std::chrono::microseconds micros);

}  // namespace interviewkit::python

namespace pybind11::detail {

/// A UTC instant (UtcMillis, date::sys_seconds) is a timezone-aware datetime. A naive datetime
/// is refused with TypeError rather than guessed to be local time (pybind11/chrono.h's rule,
/// which is why that header is not used here). Sub-precision parts are truncated.
template <class Duration>
struct type_caster<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;
  PYBIND11_TYPE_CASTER(TimePoint, const_name("datetime.datetime"));

  bool load(handle src, bool /*convert*/) {
    auto millis = interviewkit::python::millis_since_epoch(src);
    value = TimePoint(std::chrono::floor<Duration>(millis));
    return true;
  }
  static handle cast(const TimePoint& t, return_value_policy /*policy*/, handle /*parent*/) {
    auto millis = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch());
    return interviewkit::python::datetime_from_millis(millis).release();
  }
};

/// A duration (seconds, minutes, milliseconds) is a datetime.timedelta, and only that.
template <class Rep, class Period>
struct type_caster<std::chrono::duration<Rep, Period>> {
  using Duration = std::chrono::duration<Rep, Period>;
  PYBIND11_TYPE_CASTER(Duration, const_name("datetime.timedelta"));

  bool load(handle src, bool /*convert*/) {
    value = std::chrono::floor<Duration>(interviewkit::python::timedelta_micros(src));
    return true;
  }
  static handle cast(const Duration& d, return_value_policy /*policy*/, handle /*parent*/) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(d);
    return interviewkit::python::timedelta_from_micros(micros).release();
  }
};

}  // namespace pybind11::detail
