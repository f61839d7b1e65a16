// JSON held by interviewkit (ActionEntry::details, OutboxMessage::payload) crosses into
// Python as plain dicts/lists, through the json module: one well-tested encoding in each
// direction instead of a hand-written walker.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/json_value.hpp>

#include "bindings.hpp"

namespace interviewkit::python {

inline py::object to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

inline py::object to_python(const JsonValue& value) {
  return to_python(value.json());
}

}  // namespace interviewkit::python
