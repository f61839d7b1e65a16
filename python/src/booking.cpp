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
                                             std::string meeting_base_url, bool test_mode) {
  BookingOptions options{.buffer_before = buffer_before,
                         .buffer_after = buffer_after,
                         .meeting_base_url = std::move(meeting_base_url),
                         .test_mode = test_mode,
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
                 py::arg("meeting_base_url") = "", py::arg("test_mode") = false, release)
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
      // The same two given the interview the caller holds: one round trip less on
      // PostgreSQL while it is the stored revision, the same result either way.
      .def(
          "book",
          [](BookingService& s, const Interview& held, const TimeRange& slot, const Actor& actor,
             std::optional<std::uint64_t> expected_version, std::string key) {
            return unwrap(s.book(held, slot, actor, operation(expected_version, std::move(key))));
          },
          py::arg("interview"), py::arg("slot"), py::arg("actor"), py::kw_only(),
          py::arg("expected_version") = py::none(), py::arg("idempotency_key") = "", release)
      .def(
          "reschedule",
          [](BookingService& s, const Interview& held, const TimeRange& slot, const Actor& actor,
             std::optional<std::uint64_t> expected_version) {
            return unwrap(s.reschedule(held, slot, actor, operation(expected_version, {})));
          },
          py::arg("interview"), py::arg("slot"), py::arg("actor"), py::kw_only(),
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

// The slot search built from an interview: its people, their zones, the service's buffers
// and clock, the candidate's other interviews; `hours` Monday to Friday for everyone.
std::vector<Slot> find_slots_for(const BookingService& s, InterviewId id, const TimeRange& window,
                                 std::optional<std::chrono::seconds> duration,
                                 std::chrono::seconds step, SlotMode mode,
                                 std::optional<std::vector<WorkingHours>> hours,
                                 std::chrono::seconds minimum_notice) {
  InterviewSlotRequest request{.window = window,
                               .duration = duration,
                               .step = step,
                               .mode = mode,
                               .minimum_notice = minimum_notice};
  if (hours)
    request.hours = WeeklyHours::monday_to_friday(std::move(*hours));
  return unwrap(s.find_slots(id, request));
}

void bind_find_slots(py::class_<BookingService, Service>& cls) {
  cls.def("find_slots", &find_slots_for, py::arg("id"), py::arg("window"), py::kw_only(),
          py::arg("duration") = py::none(), py::arg("step") = std::chrono::seconds{15 * 60},
          py::arg("mode") = SlotMode::all, py::arg("hours") = py::none(),
          py::arg("minimum_notice") = std::chrono::seconds{0}, release,
          "Free slots for an interview: its interviewers (in their zones) and its candidate "
          "are free, with the service's buffers; its own slot blocks nobody.");
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
  bind_find_slots(cls);
  bind_simple<&BookingService::confirm>(cls, "confirm");
  bind_simple<&BookingService::complete>(cls, "complete");
  bind_simple<&BookingService::mark_no_show>(cls, "mark_no_show");
}

}  // namespace interviewkit::python
