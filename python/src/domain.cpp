// Domain enums and their strict parsing: each enum is a Python enum whose values carry the
// canonical C++ names, and each parse_* raises InvalidInput with exactly the message the C++
// function's Error gives (so "Scheduled" is an error naming the valid values, never a default).
#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>
#include <interviewkit/outbox/fate.hpp>
#include <interviewkit/scheduling/availability.hpp>
#include <interviewkit/store/outbox.hpp>

#include "bindings.hpp"
#include "strict_enum.hpp"

namespace interviewkit::python {
namespace {

void bind_enums(py::module_& m) {
  bind_strict_enum<InterviewStatus>(m, "InterviewStatus")
      .def_property_readonly("is_terminal", [](InterviewStatus s) { return is_terminal(s); })
      .def_property_readonly("holds_slot", [](InterviewStatus s) { return holds_slot(s); });
  bind_strict_enum<InterviewEvent>(m, "InterviewEvent");
  bind_strict_enum<ActorRole>(m, "ActorRole");
  bind_strict_enum<ErrorKind>(m, "ErrorKind");
  bind_strict_enum<NotificationKind>(m, "NotificationKind");
  bind_strict_enum<OutboxState>(m, "OutboxState");
  bind_strict_enum<ActionType>(m, "ActionType");
  bind_strict_enum<Fate>(m, "Fate");
  bind_strict_enum<SlotMode>(m, "SlotMode");
}

void bind_parsers(py::module_& m) {
  m.def(
      "parse_interview_status",
      [](std::string_view t) { return unwrap(parse_interview_status(t)); }, py::arg("text"),
      "Strict parse of a canonical status name; InvalidInput names the input and valid values.");
  m.def(
      "parse_interview_event", [](std::string_view t) { return unwrap(parse_interview_event(t)); },
      py::arg("text"));
  m.def(
      "parse_actor_role", [](std::string_view t) { return unwrap(parse_actor_role(t)); },
      py::arg("text"));
  m.def(
      "parse_notification_kind",
      [](std::string_view t) { return unwrap(parse_notification_kind(t)); }, py::arg("text"));
  m.def(
      "parse_outbox_state", [](std::string_view t) { return unwrap(parse_outbox_state(t)); },
      py::arg("text"));
  m.def(
      "parse_action_type", [](std::string_view t) { return unwrap(parse_action_type(t)); },
      py::arg("text"));
}

void bind_transitions(py::module_& m) {
  py::class_<Transition>(m, "Transition")
      .def_readonly("from_status", &Transition::from)
      .def_readonly("event", &Transition::event)
      .def_readonly("to_status", &Transition::to)
      .def("__repr__", [](const Transition& t) { return fmt::format("<Transition {}>", t); });
  m.def("transition_table",
        [] { return std::vector<Transition>(transition_table.begin(), transition_table.end()); });
  m.def("can_transition", &can_transition, py::arg("from_status"), py::arg("to_status"));
  m.def("find_transition", &find_transition, py::arg("from_status"), py::arg("event"));
}

}  // namespace

void bind_domain(py::module_& m) {
  bind_enums(m);
  bind_parsers(m);
  bind_transitions(m);
}

}  // namespace interviewkit::python
