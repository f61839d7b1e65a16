// Errors: interviewkit's Error values become Python exceptions carrying the typed detail.
// `interviewkit.Error` is the base (with `.kind` and `.message`); each ErrorKind has its own
// subclass so a host writes `except interviewkit.SlotConflict as e: e.other`, the same
// information a C++ caller gets from `error.get_if<SlotConflict>()`.
#include <array>
#include <variant>

#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

// The exception classes, created once at import and kept for the life of the process (the
// module is never unloaded), so the translator needs no lookups.
PyObject* base_error = nullptr;
std::array<PyObject*, EnumNames<ErrorKind>::table.size()> kind_errors{};

constexpr std::array<const char*, EnumNames<ErrorKind>::table.size()> class_names{
    "InvalidInput", "IllegalTransition", "SlotConflict", "NotFound", "StaleVersion", "Unavailable"};

// Sets the typed detail of one error kind as attributes of the exception.
struct DetailAttributes {
  py::object& exc;
  void operator()(const InvalidInput& d) const { exc.attr("what") = d.what; }
  void operator()(const IllegalTransition& d) const {
    exc.attr("from_status") = d.from;
    exc.attr("event") = d.event;
    exc.attr("to_status") = d.to;
  }
  void operator()(const SlotConflict& d) const {
    exc.attr("other") = d.other;
    exc.attr("person") = d.person;
  }
  void operator()(const NotFound& d) const { exc.attr("id") = d.id; }
  void operator()(const StaleVersion& d) const {
    exc.attr("id") = d.id;
    exc.attr("expected") = d.expected;
    exc.attr("actual") = d.actual;
  }
  void operator()(const Unavailable& d) const { exc.attr("what") = d.what; }
};

void raise(const Error& error) {
  auto* cls = kind_errors.at(static_cast<std::size_t>(error.kind()));
  auto message = error.message();
  py::object exc = py::handle(cls)(message);
  exc.attr("kind") = std::string(to_string(error.kind()));
  exc.attr("message") = message;
  std::visit(DetailAttributes{exc}, error.detail());
  PyErr_SetObject(cls, exc.ptr());
}

PyObject* new_class(py::module_& m, const char* name, PyObject* base, const char* doc) {
  auto qualified = std::string("interviewkit.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (cls == nullptr)
    throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module takes a reference of its own
  return cls;
}

}  // namespace

void bind_errors(py::module_& m) {
  base_error = new_class(m, "Error", PyExc_Exception,
                         "An interviewkit error: `.kind` names the ErrorKind (e.g. "
                         "'slot_conflict'), `.message` is the C++ Error::message().");
  for (std::size_t i = 0; i < class_names.size(); ++i)
    kind_errors.at(i) = new_class(m, class_names.at(i), base_error, nullptr);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const ErrorException& e) {
      raise(e.error());
    }
  });
}

}  // namespace interviewkit::python
