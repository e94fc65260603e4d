"""Dataclasses made when first used.

``dataclasses.dataclass`` compiles each class's ``__init__``, ``__repr__`` and ``__eq__`` (with
``exec``) when the class statement runs: about 0.4 ms a class, 25 ms of a one-file scan that
imports 60 of them and makes instances of fewer than half. ``dataclass`` here takes the same
arguments and gives the same class, but does that work when the class is first needed: its first
``__init__``, its first unpickling or copy (``__setstate__``: instances made without ``__init__``),
or its first subclass (a subclass needs its base's fields). Until then the class carries three
stubs (``__init__``, ``__setstate__``, ``__init_subclass__``), removed then; afterwards nothing of
this module is on any path. Classes that define one of those three themselves, and ``slots=True``
(which makes a new class), are made at once.

What can tell the difference before the first instance: ``dataclasses.fields(cls)``,
``dataclasses.is_dataclass(cls)``, ``inspect.signature(cls)``, the class attribute of a
``field(default=...)``, the class's ``__doc__``, ``__repr__`` and ``__match_args__``, and
``Cls.__new__(Cls)`` without ``__init__``. dlint does none of these with a class it has not
instantiated; ``realise(cls)`` makes a class at once. Realising is under a lock, but a thread that
instantiates a class while another thread is realising it may see ``object.__init__``: dlint
starts no threads (its parallel reading uses processes, which unpickle through ``__setstate__``).
"""

from __future__ import annotations

import _thread
import dataclasses
from typing import TYPE_CHECKING

_PENDING: dict = {}  # class -> the keyword arguments of dataclasses.dataclass
_LOCK = _thread.RLock()
_STUBS = ("__init__", "__setstate__", "__init_subclass__")


def realise(cls: type) -> type:
    """Make ``cls`` and its bases the dataclasses they were declared as, if not done yet."""
    if not _PENDING:
        return cls
    with _LOCK:
        for klass in reversed(cls.__mro__):
            options = _PENDING.get(klass)
            if options is not None:
                for stub in _STUBS:
                    delattr(klass, stub)
                dataclasses.dataclass(klass, **options)  # the same class, completed in place
                del _PENDING[klass]
    return cls


def pending() -> list:
    """The classes not made yet (for tests)."""
    return list(_PENDING)


def _defer(cls: type, options: dict) -> type:
    if options.get("slots") or any(stub in cls.__dict__ for stub in _STUBS):
        return dataclasses.dataclass(cls, **options)

    def __init__(self, *args, **kwargs):
        realise(cls)
        cls.__init__(self, *args, **kwargs)

    def __setstate__(self, state):
        # what pickle's BUILD and copy's _reconstruct do for a class without __setstate__
        realise(cls)
        setstate = getattr(self, "__setstate__", None)
        if setstate is not None:
            return setstate(state)
        slots = None
        if isinstance(state, tuple) and len(state) == 2:
            state, slots = state
        if state:
            self.__dict__.update(state)
        if slots:
            for key, value in slots.items():
                setattr(self, key, value)
        return None

    def __init_subclass__(klass, **kwargs):
        realise(cls)
        super(cls, klass).__init_subclass__(**kwargs)

    with _LOCK:
        cls.__init__ = __init__
        cls.__setstate__ = __setstate__
        cls.__init_subclass__ = classmethod(__init_subclass__)
        _PENDING[cls] = options
    return cls


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(cls=None, /, **options):
        """``dataclasses.dataclass``, made when the class is first instantiated or subclassed."""
        if cls is None:
            return lambda klass: _defer(klass, options)
        return _defer(cls, options)
