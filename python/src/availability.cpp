// Slot search: the free slots of one interviewer, a panel (SlotMode.all) or a round-robin pool
// (SlotMode.any), in each interviewer's own working hours and time zone. Given a store, the
// interviews it holds are loaded first (with the GIL released), so what is offered is
// bookable unless someone books it first.
#include <fmt/format.h>

#include <interviewkit/scheduling/availability.hpp>
#include <interviewkit/scheduling/availability_store.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

using Minutes = std::chrono::minutes;
using Seconds = std::chrono::seconds;

InterviewerAvailability make_availability(std::string_view id, const TimeZone& zone,
                                          std::vector<WorkingHours> hours,
                                          std::vector<TimeRange> busy, Seconds buffer_before,
                                          Seconds buffer_after,
                                          std::optional<std::uint32_t> daily_cap) {
  return {.id = unwrap(InterviewerId::make(id)),
          .time_zone = zone,
          .weekly = WeeklyHours::monday_to_friday(std::move(hours)),
          .busy = std::move(busy),
          .buffer_before = buffer_before,
          .buffer_after = buffer_after,
          .daily_cap = daily_cap};
}

void bind_inputs(py::module_& m) {
  py::class_<WorkingHours>(m, "WorkingHours")
      .def(py::init([](Minutes start, Minutes end) {
             return WorkingHours{start, end};
           }),
           py::arg("start"), py::arg("end"), "Local time since midnight, e.g. 9h to 17h.")
      .def_readonly("start", &WorkingHours::start)
      .def_readonly("end", &WorkingHours::end);
  py::class_<InterviewerAvailability>(m, "InterviewerAvailability")
      .def(py::init(&make_availability), py::arg("id"), py::arg("time_zone"), py::kw_only(),
           py::arg("hours"), py::arg("busy") = std::vector<TimeRange>{},
           py::arg("buffer_before") = Seconds{0}, py::arg("buffer_after") = Seconds{0},
           py::arg("daily_cap") = py::none(),
           "One interviewer: `hours` Monday to Friday in `time_zone`, external busy blocks.")
      .def_readonly("id", &InterviewerAvailability::id)
      .def_readonly("time_zone", &InterviewerAvailability::time_zone)
      .def_readonly("booked", &InterviewerAvailability::booked);
  py::class_<Slot>(m, "Slot")
      .def_readonly("range", &Slot::range)
      .def_readonly("interviewer", &Slot::interviewer)
      .def("__repr__", [](const Slot& s) { return fmt::format("<Slot {}>", s.range); });
}

std::vector<Slot> search(const std::shared_ptr<Store>& store, const TimeRange& window,
                         std::vector<InterviewerAvailability> interviewers, SlotMode mode,
                         Seconds duration, Seconds step, std::optional<date::sys_seconds> now,
                         Seconds minimum_notice) {
  SlotQuery query{.mode = mode,
                  .window = window,
                  .duration = duration,
                  .step = step,
                  .now = now,
                  .minimum_notice = minimum_notice};
  if (store)
    return unwrap(find_slots(*store, query, std::move(interviewers)));
  return unwrap(find_slots(query, interviewers));
}

}  // namespace

void bind_availability(py::module_& m) {
  bind_inputs(m);
  m.def("find_slots", &search, py::arg("store"), py::arg("window"), py::arg("interviewers"),
        py::kw_only(), py::arg("mode") = SlotMode::all, py::arg("duration") = Seconds{45 * 60},
        py::arg("step") = Seconds{15 * 60}, py::arg("now") = py::none(),
        py::arg("minimum_notice") = Seconds{0}, py::call_guard<py::gil_scoped_release>(),
        "Free slots in `window`; with a store (or None), its interviews block time too.");
}

}  // namespace interviewkit::python
