// StrictEnum: a C++ enum bound as a Python enum that cannot be confused with its name.
// `InterviewStatus.scheduled == "scheduled"` raises TypeError instead of quietly being False
// (or, worse, True): the comparison that caused the original lost-invite bug cannot be
// written. Calling the class with an int is refused as well, so no out-of-range value can be
// made; values come from the class attributes or the strict parse_* functions.
#pragma once

#include <string>

#include <interviewkit/domain/enum_names.hpp>

#include "bindings.hpp"

namespace interviewkit::python {

/// Sets `name` on `cls` to `f` alone. `class_::def` would add `f` as one more overload after
/// what py::enum_ already defined (which would then still match first).
template <class F, class... Extra>
void replace_method(py::handle cls, const char* name, F&& f, const Extra&... extra) {
  py::setattr(cls, name,
              py::cpp_function(std::forward<F>(f), py::name(name), py::is_method(cls), extra...));
}

template <NamedEnum E>
py::enum_<E> bind_strict_enum(py::module_& m, const char* name) {
  py::enum_<E> cls(m, name);
  for (const auto& entry : EnumNames<E>::table)
    cls.value(std::string(entry.name).c_str(), entry.value);
  const std::string type(EnumNames<E>::type);
  // A new-style constructor (what py::init makes) that never constructs.
  replace_method(
      cls, "__init__",
      [type](py::detail::value_and_holder& /*self*/, const py::args& /*args*/) {
        throw py::type_error(type + " cannot be made from a value: use " + type +
                             ".<name> or the strict parse function");
      },
      py::detail::is_new_style_constructor());
  auto compare = [type](const E& self, const py::object& other) -> py::object {
    if (py::isinstance<py::str>(other))
      throw py::type_error(type + " is never equal to a string: compare with " + type + "." +
                           std::string(enum_name(self)) + ", or parse the text strictly first");
    if (!py::isinstance<E>(other))
      return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    return py::bool_(self == other.cast<E>());
  };
  replace_method(cls, "__eq__", compare, py::is_operator());
  replace_method(
      cls, "__ne__",
      [compare](const E& self, const py::object& other) -> py::object {
        py::object equal = compare(self, other);
        if (equal.is(py::handle(Py_NotImplemented)))
          return equal;
        return py::bool_(!equal.cast<bool>());
      },
      py::is_operator());
  replace_method(cls, "__hash__", [](const E& self) { return static_cast<int>(self); });
  replace_method(cls, "__str__", [](const E& self) { return std::string(enum_name(self)); });
  return cls;
}

}  // namespace interviewkit::python
