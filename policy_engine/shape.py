"""Fast shape checks derived from a pydantic model: does a decoded JSON value already have
exactly the shape the model accepts, so that the model itself can be skipped?

The batch path decodes thousands of requests a second; running pydantic on each would
cost more than evaluating it. The check is compiled once from the model's own field
annotations (strict scalars, optional fields, unions, lists and string-keyed dicts), so
there is one schema, not a copy. Anything the compiler does not understand makes the
check answer False, and the caller then takes the model's path: a False is always safe.
"""

from __future__ import annotations

from collections.abc import Callable
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

Check = Callable[[object], bool]

_SCALARS = (str, bool, int, float)


def compile_shape_check(model: type[BaseModel]) -> Check:
    """A predicate that is True only for dicts the model accepts as they are."""
    fields = {(info.alias or name): (_compile(_annotation(info)), info.is_required())
              for name, info in model.model_fields.items()}
    allowed = frozenset(fields)
    required = tuple(key for key, (_, needed) in fields.items() if needed)
    checks = tuple((key, check) for key, (check, _) in fields.items())

    def check(value: object) -> bool:
        if type(value) is not dict or not allowed.issuperset(value):
            return False
        for key in required:
            if key not in value:
                return False
        for key, field_check in checks:
            if key in value and not field_check(value[key]):
                return False
        return True

    return check


def _annotation(info: Any) -> Any:
    # pydantic moves a field's own `Annotated` metadata (`Strict()` of StrictStr) aside.
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def _compile(annotation: Any) -> Check:
    types = _exact_types(annotation)
    if types is not None:  # the common case: one test of the value's exact type
        return lambda value: type(value) in types
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _compile(args[0])
    if origin in (Union, UnionType):
        return _union_check(args)
    if origin is list and args:
        return _list_check(args[0])
    if origin is dict and len(args) == 2 and args[0] is str:
        return _dict_check(_compile(args[1]))
    return lambda value: False


def _union_check(args: tuple[Any, ...]) -> Check:
    exact: set[type] = set()
    others: list[Check] = []
    for arg in args:
        types = _exact_types(arg)
        if types is None:
            others.append(_compile(arg))
        else:
            exact |= types
    scalars = frozenset(exact)
    if len(others) == 1:  # scalar-or-list, as context values are: no loop over options
        other = others[0]
        return lambda value: type(value) in scalars or other(value)

    def check(value: object) -> bool:
        if type(value) in scalars:
            return True
        for option in others:  # noqa: SIM110 -- a plain loop beats any() on this hot path
            if option(value):
                return True
        return False
    return check


def _exact_types(annotation: Any) -> frozenset[type] | None:
    """The exact Python types a strict scalar (or a union of them, or None) admits."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        base = args[0]
        if base in _SCALARS:
            return frozenset({base}) if _is_strict(args[1:]) else None
        return _exact_types(base)
    if origin in (Union, UnionType):
        found: set[type] = set()
        for arg in args:
            types = _exact_types(arg)
            if types is None:
                return None
            found |= types
        return frozenset(found)
    if annotation is NoneType or annotation is None:
        return frozenset({NoneType})
    return None


def _is_strict(metadata: tuple[Any, ...]) -> bool:
    # pydantic's StrictStr & co. carry `Strict()`; a lax scalar would coerce, so it is not
    # "accepted as it is" and must go through the model.
    return any(type(item).__name__ == "Strict" and getattr(item, "strict", False)
               for item in metadata)


def _list_check(item_annotation: Any) -> Check:
    types = _exact_types(item_annotation)
    if types is not None:
        def exact_items(value: object) -> bool:
            if type(value) is not list:
                return False
            for item in value:  # noqa: SIM110 -- a plain loop beats all() on this hot path
                if type(item) not in types:
                    return False
            return True
        return exact_items
    item_check = _compile(item_annotation)
    return lambda value: type(value) is list and all(item_check(item) for item in value)


def _dict_check(value_check: Check) -> Check:
    def check(value: object) -> bool:
        if type(value) is not dict:
            return False
        for key, item in value.items():
            if type(key) is not str or not value_check(item):
                return False
        return True
    return check
