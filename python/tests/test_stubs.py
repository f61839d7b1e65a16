"""The type stubs (_interviewkit.pyi) describe the compiled module: every public name of the
module is in the stub and every name the stub declares exists, at module level and for the
members of each class."""

import ast
import inspect
import os

import interviewkit
from interviewkit import _interviewkit

STUB = os.path.join(os.path.dirname(interviewkit.__file__), "_interviewkit.pyi")


def stub_tree():
    with open(STUB, encoding="utf-8") as f:
        return ast.parse(f.read())


def declared(body):
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def public(names):
    return {n for n in names if not n.startswith("_")}


def test_every_module_name_is_in_the_stub_and_back():
    in_stub = declared(stub_tree().body)
    in_module = public(dir(_interviewkit))
    assert in_module - in_stub == set(), "missing from the stub"
    assert in_stub - in_module == set(), "in the stub but not in the module"


def test_every_class_member_is_in_the_stub_and_back():
    # Private stub classes (_StrictEnum) are typing helpers with no runtime counterpart.
    classes = {n.name: n for n in stub_tree().body
               if isinstance(n, ast.ClassDef) and not n.name.startswith("_")}
    for name, node in classes.items():
        cls = getattr(_interviewkit, name)
        # An exception's detail attributes are set per instance; the stub lists them.
        own = set() if issubclass(cls, BaseException) else public(vars(cls))
        missing = own - declared(node.body)
        assert missing == set(), f"{name}: missing from the stub"
        if not issubclass(cls, BaseException):
            extra = declared(node.body) - public(dir(cls))
            assert extra == set(), f"{name}: in the stub but not in the class"


def test_the_package_exports_the_module():
    assert set(interviewkit.__all__) == public(dir(_interviewkit))
    assert inspect.ismodule(interviewkit._interviewkit)
