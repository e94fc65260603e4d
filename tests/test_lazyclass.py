"""Dataclasses made when first used (linter/lazyclass.py) are the classes dataclasses.dataclass
makes: the same methods, fields and behaviour, once realised by an instance, an unpickling, a copy
or a subclass; and every dataclass dlint declares can be realised."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import pickle
import pkgutil
from dataclasses import field
import pytest

import dlint_docker
from dlint_docker import lazyclass
from dlint_docker.lazyclass import dataclass, realise


def _pair(**options):
    """The same class body made lazily and eagerly."""

    def body():
        class Point:
            x: int
            y: int = 0
            tags: tuple = field(default_factory=tuple)

            def total(self) -> int:
                return self.x + self.y

        return Point

    lazy = dataclass(**options)(body()) if options else dataclass(body())
    eager = dataclasses.dataclass(**options)(body()) if options else dataclasses.dataclass(body())
    return lazy, eager


def _same_shape(lazy, eager):
    assert dataclasses.is_dataclass(lazy)
    assert [(f.name, f.default, f.default_factory) for f in dataclasses.fields(lazy)] == [(f.name, f.default, f.default_factory) for f in dataclasses.fields(eager)]
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__lt__", "__match_args__"):
        assert (name in lazy.__dict__) == (name in eager.__dict__), name
    assert (lazy.__hash__ is None) == (eager.__hash__ is None)
    for stub in ("__setstate__", "__init_subclass__"):
        assert stub not in lazy.__dict__


@pytest.mark.parametrize("options", [{}, {"frozen": True}, {"order": True}, {"eq": False}, {"unsafe_hash": True}])
def test_realised_on_first_instance_like_dataclass(options):
    lazy, eager = _pair(**options)
    assert lazy in lazyclass.pending()
    one, other = lazy(1, 2), eager(1, 2)
    assert lazy not in lazyclass.pending()
    _same_shape(lazy, eager)
    assert repr(one).replace(lazy.__qualname__, "") == repr(other).replace(eager.__qualname__, "")
    assert (one == lazy(1, 2)) == (other == eager(1, 2)) and one != lazy(2, 2) and one.total() == 3 and one.tags == ()
    if options.get("frozen"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            one.x = 5
        assert hash(one) == hash(lazy(1, 2))
    if options.get("order"):
        assert lazy(1, 2) < lazy(2, 0)
    with pytest.raises(TypeError):
        lazy()  # x is required, as dataclass says


@dataclass(frozen=True)
class Pickled:  # instantiated by no test before the one below
    x: int
    y: int = 0


def test_unpickled_before_any_instance():
    """A worker's result is unpickled without __init__: the class is realised then (__setstate__)."""
    assert Pickled in lazyclass.pending()
    made = Pickled.__new__(Pickled)  # as pickle does
    made.__dict__.update(x=3, y=4)
    assert Pickled in lazyclass.pending()
    back = pickle.loads(pickle.dumps(made))
    assert Pickled not in lazyclass.pending()
    assert back == Pickled(3, 4) and hash(back) == hash(Pickled(3, 4)) and repr(back) == "Pickled(x=3, y=4)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.x = 1


def test_copy_of_an_instance_of_a_class_not_yet_made_by_init():
    lazy, eager = _pair()
    obj = lazy.__new__(lazy)
    obj.__dict__.update({"x": 1, "y": 2, "tags": (["a"],)})
    clone = copy.deepcopy(obj)
    assert lazy not in lazyclass.pending()
    assert clone == lazy(1, 2, (["a"],)) and clone.tags[0] is not obj.tags[0]


def test_subclasses_see_the_fields_of_a_base_not_yet_made():
    lazy, _ = _pair()

    @dataclasses.dataclass
    class Eager(lazy):
        z: int = 9

    @dataclass
    class Lazy(lazy):
        z: int = 8

    class Plain(lazy):
        pass

    assert [f.name for f in dataclasses.fields(Eager)] == ["x", "y", "tags", "z"]
    assert Eager(1).z == 9 and Lazy(1).z == 8 and Lazy(1, 2) == Lazy(1, 2, (), 8)
    assert Plain(5).total() == 5
    assert not any(k in lazyclass.pending() for k in (lazy, Lazy))


def test_classes_with_their_own_init_or_slots_are_made_at_once():
    @dataclass(init=True)
    class Own:
        x: int = 0

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)

    @dataclass(slots=True)
    class Slotted:
        x: int = 0

    assert Own not in lazyclass.pending() and Slotted not in lazyclass.pending()
    assert dataclasses.is_dataclass(Own) and Slotted.__slots__ == ("x",)


def test_every_dlint_dataclass_can_be_made():
    for info in pkgutil.walk_packages(dlint_docker.__path__, "dlint_docker."):
        if not info.name.endswith(".__main__"):  # runs the command line
            importlib.import_module(info.name)
    for cls in lazyclass.pending():
        if cls.__module__.startswith("dlint_docker."):
            realise(cls)
            assert dataclasses.is_dataclass(cls), cls
            assert "__init__" in cls.__dict__ or not cls.__dataclass_params__.init, cls
