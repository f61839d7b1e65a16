// Value types: ids, email address, time zone, participant, time range, actor. Each Python
// constructor goes through the C++ `make`, so an invalid value cannot exist in Python either:
// bad input raises InvalidInput with the C++ message. All are immutable, comparable, hashable.
#include <fmt/format.h>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/domain/time_zone.hpp>
#include <interviewkit/store/outbox.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

template <class Id>
void bind_numeric_id(py::module_& m, const char* name) {
  py::class_<Id>(m, name)
      .def(py::init([](std::uint64_t v) { return Id(v); }), py::arg("value"))
      .def_property_readonly("value", &Id::value)
      .def("__int__", &Id::value)
      .def(
          "__eq__", [](Id a, Id b) { return a == b; }, py::is_operator())
      .def(
          "__lt__", [](Id a, Id b) { return a < b; }, py::is_operator())
      .def("__hash__", [](Id id) { return std::hash<Id>{}(id); })
      .def("__repr__", [name](Id id) { return fmt::format("{}({})", name, id.value()); })
      .def("__str__", [](Id id) { return std::to_string(id.value()); });
}

template <class Id>
void bind_external_id(py::module_& m, const char* name) {
  py::class_<Id>(m, name)
      .def(py::init([](std::string_view text) { return unwrap(Id::make(text)); }), py::arg("text"))
      .def(
          "__eq__", [](const Id& a, const Id& b) { return a == b; }, py::is_operator())
      .def("__hash__", [](const Id& id) { return std::hash<Id>{}(id); })
      .def("__repr__", [name](const Id& id) { return fmt::format("{}('{}')", name, id.str()); })
      .def("__str__", &Id::str);
}

void bind_address_and_zone(py::module_& m) {
  py::class_<EmailAddress>(m, "EmailAddress")
      .def(py::init([](std::string_view t) { return unwrap(EmailAddress::make(t)); }),
           py::arg("text"))
      .def_property_readonly("local_part", &EmailAddress::local_part)
      .def_property_readonly("domain", &EmailAddress::domain)
      .def(
          "__eq__", [](const EmailAddress& a, const EmailAddress& b) { return a == b; },
          py::is_operator())
      .def("__hash__", [](const EmailAddress& a) { return std::hash<std::string>{}(a.str()); })
      .def("__repr__", [](const EmailAddress& a) { return fmt::format("EmailAddress('{}')", a); })
      .def("__str__", &EmailAddress::str);
  py::class_<TimeZone>(m, "TimeZone")
      .def(py::init([](std::string_view name) { return unwrap(TimeZone::make(name)); }),
           py::arg("name"))
      .def_static("utc", &TimeZone::utc)
      .def_property_readonly("name", &TimeZone::name)
      .def(
          "__eq__", [](const TimeZone& a, const TimeZone& b) { return a == b; }, py::is_operator())
      .def("__hash__", [](const TimeZone& z) { return std::hash<std::string_view>{}(z.name()); })
      .def("__repr__", [](const TimeZone& z) { return fmt::format("TimeZone('{}')", z); })
      .def("__str__", [](const TimeZone& z) { return std::string(z.name()); });
}

void bind_participant(py::module_& m) {
  py::class_<Participant>(m, "Participant")
      .def(py::init([](std::string_view name, std::string_view email, std::string_view zone) {
             return unwrap(Participant::make(name, email, zone));
           }),
           py::arg("name"), py::arg("email"), py::arg("time_zone") = "UTC")
      .def_property_readonly("name", &Participant::name)
      .def_property_readonly("email", &Participant::email)
      .def_property_readonly("time_zone", &Participant::time_zone)
      .def(
          "__eq__", [](const Participant& a, const Participant& b) { return a == b; },
          py::is_operator())
      .def("__repr__", [](const Participant& p) { return fmt::format("<Participant {}>", p); });
  py::class_<Candidate>(m, "Candidate")
      .def(py::init([](std::string_view id, const Participant& person) {
             return Candidate{unwrap(CandidateId::make(id)), person};
           }),
           py::arg("id"), py::arg("person"))
      .def_readonly("id", &Candidate::id)
      .def_readonly("person", &Candidate::person);
  py::class_<Interviewer>(m, "Interviewer")
      .def(py::init([](std::string_view id, const Participant& person) {
             return Interviewer{unwrap(InterviewerId::make(id)), person};
           }),
           py::arg("id"), py::arg("person"))
      .def_readonly("id", &Interviewer::id)
      .def_readonly("person", &Interviewer::person);
}

void bind_time_range(py::module_& m) {
  py::class_<TimeRange>(m, "TimeRange")
      .def(py::init([](date::sys_seconds start, date::sys_seconds end) {
             return unwrap(TimeRange::make(start, end));
           }),
           py::arg("start"), py::arg("end"))
      .def_static(
          "of",
          [](date::sys_seconds start, std::chrono::seconds length) {
            return unwrap(TimeRange::make(start, length));
          },
          py::arg("start"), py::arg("length"))
      .def_property_readonly("start", &TimeRange::start)
      .def_property_readonly("end", &TimeRange::end)
      .def_property_readonly("duration", &TimeRange::duration)
      .def("overlaps", &TimeRange::overlaps, py::arg("other"))
      .def("contains", &TimeRange::contains, py::arg("time"))
      .def(
          "__eq__", [](const TimeRange& a, const TimeRange& b) { return a == b; },
          py::is_operator())
      .def("__repr__", [](const TimeRange& r) { return fmt::format("<TimeRange {}>", r); });
}

void bind_actor(py::module_& m) {
  py::class_<Actor>(m, "Actor")
      .def(py::init(
               [](ActorRole role, std::string_view id) { return unwrap(Actor::make(role, id)); }),
           py::arg("role"), py::arg("id"))
      .def_static("system", &Actor::system)
      .def_property_readonly("role", &Actor::role)
      .def_property_readonly("id", &Actor::id)
      .def(
          "__eq__", [](const Actor& a, const Actor& b) { return a == b; }, py::is_operator())
      .def("__repr__", [](const Actor& a) { return fmt::format("<Actor {}>", a); });
}

}  // namespace

void bind_values(py::module_& m) {
  bind_numeric_id<InterviewId>(m, "InterviewId");
  bind_numeric_id<OutboxId>(m, "OutboxId");
  bind_external_id<CandidateId>(m, "CandidateId");
  bind_external_id<InterviewerId>(m, "InterviewerId");
  bind_address_and_zone(m);
  bind_participant(m);
  bind_time_range(m);
  bind_actor(m);
}

}  // namespace interviewkit::python
