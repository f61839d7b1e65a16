// Conversions between interviewkit's UTC instants and durations and Python's datetime and
// timedelta. Instants must be timezone-aware: a naive datetime is ambiguous (local time? UTC?)
// and guessing is how a 10:00 interview becomes a 09:00 invite, so it is a TypeError.
#include <interviewkit/domain/time.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

py::module_ datetime_module() {
  return py::module_::import("datetime");
}

py::object utc_epoch() {
  auto dt = datetime_module();
  return dt.attr("datetime")(1970, 1, 1, 0, 0, 0, 0, dt.attr("timezone").attr("utc"));
}

}  // namespace

std::chrono::milliseconds millis_since_epoch(py::handle value) {
  auto dt = datetime_module();
  if (!py::isinstance(value, dt.attr("datetime")))
    throw py::type_error("expected a timezone-aware datetime.datetime, got " +
                         std::string(py::str(py::repr(value))));
  if (value.attr("utcoffset")().is_none())
    throw py::type_error(
        "naive datetime " + std::string(py::str(value.attr("isoformat")())) +
        ": pass a timezone-aware datetime, e.g. datetime(..., tzinfo=timezone.utc)");
  auto micros = timedelta_micros(value - utc_epoch());
  return std::chrono::floor<std::chrono::milliseconds>(micros);
}

py::object datetime_from_millis(std::chrono::milliseconds since_epoch) {
  return utc_epoch() + timedelta_from_micros(since_epoch);
}

std::chrono::microseconds timedelta_micros(py::handle delta) {
  if (!py::isinstance(delta, datetime_module().attr("timedelta")))
    throw py::type_error("expected a datetime.timedelta, got " +
                         std::string(py::str(py::repr(delta))));
  auto days = delta.attr("days").cast<long long>();
  auto seconds = delta.attr("seconds").cast<long long>();
  auto micros = delta.attr("microseconds").cast<long long>();
  return std::chrono::microseconds((days * 86400 + seconds) * 1000000 + micros);
}

py::object timedelta_from_micros(std::chrono::microseconds micros) {
  return datetime_module().attr("timedelta")(py::arg("microseconds") = micros.count());
}

void bind_time(py::module_& m) {
  m.def(
      "format_utc", [](UtcMillis t) { return format_utc(t); }, py::arg("time"),
      "The instant as interviewkit writes it: 2026-03-02T09:00:00.000Z.");
  m.def(
      "parse_utc", [](std::string_view text) { return unwrap(parse_utc(text)); }, py::arg("text"),
      "Strict parse of an ISO 8601 UTC instant; InvalidInput otherwise.");
}

}  // namespace interviewkit::python
