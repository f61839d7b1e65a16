// The `_interviewkit` extension module: the entry point pybind11 calls at import. Each area
// is bound in its own source (see bindings.hpp); the order matters only in that a type must
// be registered before a default argument or an exception attribute of that type is made.
#include "bindings.hpp"

PYBIND11_MODULE(_interviewkit, m) {
  using namespace interviewkit::python;
  m.doc() = "interviewkit: interview scheduling and notification dispatch (C++ core)";
  bind_domain(m);
  bind_errors(m);
  bind_time(m);
  bind_values(m);
  bind_interview(m);
  bind_stores(m);
  bind_action_log(m);
  bind_booking(m);
  bind_availability(m);
  bind_channels(m);
  bind_dispatcher(m);
  bind_fate(m);
}
