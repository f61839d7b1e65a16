"""interviewkit: interview scheduling and notification dispatch that never fails silently.

The Python face of the C++ library. Everything comes from the compiled extension
``interviewkit._interviewkit``; this package re-exports it so that ``import interviewkit``
gives the whole API, with its type stubs (``_interviewkit.pyi``) and ``py.typed``.

Errors are exceptions: ``interviewkit.Error`` with ``.kind`` and ``.message``, and one
subclass per kind (``InvalidInput``, ``IllegalTransition``, ``SlotConflict``, ``NotFound``,
``StaleVersion``, ``Unavailable``) carrying the typed detail, e.g. ``SlotConflict.other``.
Instants are timezone-aware ``datetime`` objects; a naive datetime is refused.
"""

from . import _interviewkit
from ._interviewkit import *  # noqa: F401,F403

__all__ = [name for name in dir(_interviewkit) if not name.startswith("_")]
