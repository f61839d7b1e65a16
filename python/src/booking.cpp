// BookingService: create, book, confirm, reschedule, cancel, complete, mark_no_show. Each
// operation releases the GIL for its whole store transaction, so other Python threads run
// while a booking waits on the database. Failures raise the interviewkit.Error subclass of
// their kind: a taken slot raises SlotConflict naming the interview that holds it.
#include <interviewkit/scheduling/booking_service.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

constexpr auto release = py::call_guard<py::gil_scoped_release>();

using Service = std::shared_ptr<BookingService>;

std::shared_ptr<BookingService> make_service(std::shared_ptr<Store> store,
                                             std::shared_ptr<ActionLog> log,
                                             std::vector<std::string> channels,
                                             std::chrono::seconds buffer_before,
                                             std::chrono::seconds buffer_after,
                                             std::string meeting_base_url) {
  BookingOptions options{.buffer_before = buffer_before,
                         .buffer_after = buffer_after,
                         .meeting_base_url = std::move(meeting_base_url),
                         .channels = std::move(channels)};
  return unwrap(BookingService::make(std::move(store), std::move(log), std::move(options)));
}

OperationOptions operation(std::optional<std::uint64_t> expected_version, std::string key) {
  return {.expected_version = expected_version, .idempotency_key = std::move(key)};
}

// A Python callable run after each commit that enqueued notifications, on the thread of the
// operation (which has released the GIL). Its exceptions are reported as unraisable: the
// change has committed and stands, as in C++.
void on_enqueued(BookingService& service, py::function callback) {
  // Destroyed with the service, possibly where the GIL is not held: take it to drop the ref.
  std::shared_ptr<py::function> shared(new py::function(std::move(callback)), [](py::function* f) {
    py::gil_scoped_acquire gil;
    delete f;
  });
  service.on_enqueued([shared] {
    py::gil_scoped_acquire gil;
    try {
      (*shared)();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("interviewkit.BookingService.on_enqueued callback");
    }
  });
}

void bind_service_class(py::class_<BookingService, Service>& cls) {
  cls.def_static("make", &make_service, py::arg("store"), py::arg("log"), py::kw_only(),
                 py::arg("channels") = std::vector<std::string>{"default"},
                 py::arg("buffer_before") = std::chrono::seconds{0},
                 py::arg("buffer_after") = std::chrono::seconds{0},
                 py::arg("meeting_base_url") = "https://meet.example.com/", release)
      .def("on_enqueued", &on_enqueued, py::arg("callback"))
      .def(
          "create",
          [](BookingService& s, const Candidate& candidate,
             const std::vector<Interviewer>& interviewers, const Actor& actor, std::string title) {
            return unwrap(s.create({std::move(title), candidate, interviewers}, actor));
          },
          py::arg("candidate"), py::arg("interviewers"), py::arg("actor"), py::kw_only(),
          py::arg("title") = "", release)
      .def(
          "get", [](const BookingService& s, InterviewId id) { return unwrap(s.get(id)); },
          py::arg("id"), release);
}

void bind_slot_changes(py::class_<BookingService, Service>& cls) {
  cls.def(
         "book",
         [](BookingService& s, InterviewId id, const TimeRange& slot, const Actor& actor,
            std::optional<std::uint64_t> expected_version, std::string key) {
           return unwrap(s.book(id, slot, actor, operation(expected_version, std::move(key))));
         },
         py::arg("id"), py::arg("slot"), py::arg("actor"), py::kw_only(),
         py::arg("expected_version") = py::none(), py::arg("idempotency_key") = "", release)
      .def(
          "reschedule",
          [](BookingService& s, InterviewId id, const TimeRange& slot, const Actor& actor,
             std::optional<std::uint64_t> expected_version) {
            return unwrap(s.reschedule(id, slot, actor, operation(expected_version, {})));
          },
          py::arg("id"), py::arg("slot"), py::arg("actor"), py::kw_only(),
          py::arg("expected_version") = py::none(), release)
      .def(
          "cancel",
          [](BookingService& s, InterviewId id, const std::string& reason, const Actor& actor,
             std::optional<std::uint64_t> expected_version) {
            return unwrap(s.cancel(id, reason, actor, operation(expected_version, {})));
          },
          py::arg("id"), py::arg("reason"), py::arg("actor"), py::kw_only(),
          py::arg("expected_version") = py::none(), release);
}

// confirm, complete and mark_no_show take the same arguments.
template <auto Operation>
void bind_simple(py::class_<BookingService, Service>& cls, const char* name) {
  cls.def(
      name,
      [](BookingService& s, InterviewId id, const Actor& actor,
         std::optional<std::uint64_t> expected_version) {
        return unwrap((s.*Operation)(id, actor, operation(expected_version, {})));
      },
      py::arg("id"), py::arg("actor"), py::kw_only(), py::arg("expected_version") = py::none(),
      release);
}

}  // namespace

void bind_booking(py::module_& m) {
  py::class_<BookingService, Service> cls(m, "BookingService");
  bind_service_class(cls);
  bind_slot_changes(cls);
  bind_simple<&BookingService::confirm>(cls, "confirm");
  bind_simple<&BookingService::complete>(cls, "complete");
  bind_simple<&BookingService::mark_no_show>(cls, "mark_no_show");
}

}  // namespace interviewkit::python
