// The ActionLog: every outcome the library records (bookings, attempts, dead letters,
// expiries), readable from Python. A log kept in a store commits in the same transaction as
// the change it records; a memory log is for tests and short-lived hosts.
#include <fmt/format.h>

#include <interviewkit/log/action_log.hpp>
#include <interviewkit/log/memory_sink.hpp>
#include <interviewkit/store/store_sink.hpp>

#include "bindings.hpp"
#include "json.hpp"

namespace interviewkit::python {
namespace {

std::shared_ptr<ActionLog> in_store(const std::shared_ptr<Store>& store) {
  auto action_store = std::dynamic_pointer_cast<ActionStore>(store);
  if (!action_store)
    throw ErrorException(InvalidInput{"this store cannot keep the action log"});
  return unwrap(ActionLog::make(unwrap(StoreSink::make(action_store))));
}

std::vector<ActionEntry> entries(const ActionLog& log, std::optional<InterviewId> interview,
                                 std::optional<ActionType> action) {
  auto sink = std::dynamic_pointer_cast<QueryableSink>(log.sink());
  if (!sink)
    throw ErrorException(InvalidInput{"this action log's sink cannot be queried"});
  return sink->query(ActionQuery{.action = action, .interview = interview});
}

void bind_entry(py::module_& m) {
  py::class_<ActionEntry>(m, "ActionEntry")
      .def_readonly("time", &ActionEntry::time)
      .def_readonly("action", &ActionEntry::action)
      .def_readonly("interview", &ActionEntry::interview)
      .def_readonly("actor", &ActionEntry::actor)
      .def_readonly("from_status", &ActionEntry::from)
      .def_readonly("to_status", &ActionEntry::to)
      .def_property_readonly("details", [](const ActionEntry& e) { return to_python(e.details); })
      .def("__repr__", [](const ActionEntry& e) {
        return fmt::format("<ActionEntry {} interview {}>", e.action, e.interview);
      });
}

}  // namespace

void bind_action_log(py::module_& m) {
  bind_entry(m);
  py::class_<ActionLog, std::shared_ptr<ActionLog>>(m, "ActionLog")
      .def_static("in_store", &in_store, py::arg("store"),
                  "A log kept in `store` (SqliteStore or PostgresStore), committed with changes.",
                  py::call_guard<py::gil_scoped_release>())
      .def_static(
          "in_memory", [] { return unwrap(ActionLog::make(std::make_shared<MemorySink>())); },
          "A log held in memory, for tests and short-lived hosts.")
      .def("entries", &entries, py::arg("interview") = py::none(), py::arg("action") = py::none(),
           "The entries matching every given field, in the order they were recorded.",
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("failed_writes", &ActionLog::failed_writes)
      .def("flush", &ActionLog::flush, py::call_guard<py::gil_scoped_release>());
}

}  // namespace interviewkit::python
