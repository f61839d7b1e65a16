// Fate and reconciliation: "what became of each notification of this interview, and why?"
// and "which notifications the policy required were not delivered in time?". Read-only
// queries over the store, with the GIL released.
#include <fmt/format.h>

#include <interviewkit/outbox/fate.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

constexpr auto release = py::call_guard<py::gil_scoped_release>();

void bind_results(py::module_& m) {
  py::class_<NotificationFate>(m, "NotificationFate")
      .def_readonly("revision", &NotificationFate::revision)
      .def_readonly("recipient", &NotificationFate::recipient)
      .def_readonly("kind", &NotificationFate::kind)
      .def_readonly("channel", &NotificationFate::channel)
      .def_readonly("fate", &NotificationFate::fate)
      .def_readonly("outbox", &NotificationFate::outbox)
      .def_readonly("due", &NotificationFate::due)
      .def_readonly("attempts", &NotificationFate::attempts)
      .def_readonly("changed_at", &NotificationFate::changed_at)
      .def_readonly("detail", &NotificationFate::detail)
      .def_readonly("required", &NotificationFate::required)
      .def("__repr__", [](const NotificationFate& n) {
        return fmt::format("<NotificationFate {} {} via {}: {}>", n.recipient, n.kind, n.channel,
                           n.fate);
      });
  py::class_<InterviewFate>(m, "InterviewFate")
      .def_readonly("interview", &InterviewFate::interview)
      .def_readonly("current_revision", &InterviewFate::current_revision)
      .def_readonly("status", &InterviewFate::status)
      .def_readonly("notifications", &InterviewFate::notifications)
      .def_property_readonly("complete", &InterviewFate::complete);
  py::class_<DeliveryGap>(m, "DeliveryGap")
      .def_readonly("interview", &DeliveryGap::interview)
      .def_readonly("notification", &DeliveryGap::notification)
      .def_readonly("overdue", &DeliveryGap::overdue);
}

Reconciler make_reconciler(std::shared_ptr<Store> store, std::vector<std::string> channels,
                           std::chrono::milliseconds grace) {
  return unwrap(
      Reconciler::make(std::move(store), {.channels = std::move(channels), .grace = grace}));
}

}  // namespace

void bind_fate(py::module_& m) {
  bind_results(m);
  py::class_<Reconciler>(m, "Reconciler")
      .def_static("make", &make_reconciler, py::arg("store"), py::kw_only(),
                  py::arg("channels") = std::vector<std::string>{"default"},
                  py::arg("grace") = std::chrono::milliseconds{5 * 60 * 1000},
                  "Compares what the policy required with what the outbox holds.")
      .def(
          "fate", [](const Reconciler& r, InterviewId id) { return unwrap(r.fate(id)); },
          py::arg("interview"), release, "Every notification of every revision, newest first.")
      .def(
          "reconcile",
          [](const Reconciler& r, UtcMillis since, UtcMillis until) {
            return unwrap(r.reconcile(since, until));
          },
          py::arg("since"), py::arg("until"), release,
          "Required notifications of interviews changed in [since, until) not delivered.");
}

}  // namespace interviewkit::python
