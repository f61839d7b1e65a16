// Interview and what a transition reports (TransitionOutcome, EnqueuedNotification), as
// read-only Python objects. `status` is an InterviewStatus, never a string: the only way to
// ask "is it scheduled?" is `interview.status == InterviewStatus.scheduled`.
#include <fmt/format.h>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/scheduling/booking_service.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

void bind_interview_class(py::module_& m) {
  py::class_<Interview>(m, "Interview")
      .def_readonly("id", &Interview::id)
      .def_readonly("title", &Interview::title)
      .def_readonly("candidate", &Interview::candidate)
      .def_readonly("interviewers", &Interview::interviewers)
      .def_readonly("slot", &Interview::slot)
      .def_readonly("status", &Interview::status)
      .def_readonly("version", &Interview::version)
      .def_readonly("meeting_link", &Interview::meeting_link)
      .def_readonly("created_at", &Interview::created_at)
      .def_readonly("updated_at", &Interview::updated_at)
      .def("__repr__", [](const Interview& i) {
        return fmt::format("<Interview {} v{} {}>", i.id, i.version, i.status);
      });
}

void bind_outcome(py::module_& m) {
  py::class_<EnqueuedNotification>(m, "EnqueuedNotification")
      .def_readonly("outbox", &EnqueuedNotification::outbox)
      .def_readonly("recipient", &EnqueuedNotification::recipient)
      .def_readonly("kind", &EnqueuedNotification::kind)
      .def_readonly("channel", &EnqueuedNotification::channel)
      .def_readonly("due", &EnqueuedNotification::due)
      .def("__repr__", [](const EnqueuedNotification& n) {
        return fmt::format("<EnqueuedNotification {} {} via {}: outbox {}>", n.recipient, n.kind,
                           n.channel, n.outbox);
      });
  py::class_<TransitionOutcome>(m, "TransitionOutcome")
      .def_readonly("interview", &TransitionOutcome::interview)
      .def_readonly("enqueued", &TransitionOutcome::enqueued);
}

}  // namespace

void bind_interview(py::module_& m) {
  bind_interview_class(m);
  bind_outcome(m);
}

}  // namespace interviewkit::python
