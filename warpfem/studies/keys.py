"""Dotted keys: one study key such as ``parts.stiffener.box`` names one value of a model.

A key walks the model as plain data (a model dumped with every field present). Parts are
addressed by name (``parts.die.material``), list items by position (``parts.die.box.5``),
built-in materials by their library name (``materials.tim.E_gpa`` overrides the built-in ``tim``
key by key), family parameters inside the ``[family]`` table (``family.gap_mm``). A key that names
nothing in the model is refused with :class:`UnknownKey`, one sentence naming the key.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic.fields import FieldInfo

from ..errors import ModelError
from ..model import LIBRARY, Model
from ..model.families import REGISTRY


class UnknownKey(ModelError):
    """A study key that names no value of the model (a typo, or a part the model does not have)."""


def split(key: str) -> tuple[str, ...]:
    """The segments of a dotted key."""
    parts = tuple(key.split("."))
    if not key or any(not p for p in parts):
        raise UnknownKey(f"study key '{key}' is not a dotted key such as 'parts.die.material'.")
    return parts


def is_family_key(key: str) -> bool:
    """True for keys that edit a family model before it is expanded into parts."""
    parts = split(key)
    return parts[0] == "family" or parts[:2] == ("model", "family")


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted keys, so ``a.b = 1`` and ``"a.b" = 1`` in TOML mean the same."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _empty_material() -> dict[str, Any]:
    """A ``[materials.NAME]`` table with every key the contract allows, all unset."""
    table_type = typing.get_args(Model.model_fields["materials"].annotation)[1]
    return table_type().model_dump()


def material_keys() -> list[str]:
    """The numeric keys of a ``[materials.NAME]`` table (E_gpa, nu, cte_ppm, ...)."""
    return [k for k in _empty_material() if k != "source"]


def _unset_family_param(data: dict, path: tuple[str, ...]) -> FieldInfo | None:
    """The field of ``family.NAME`` when ``path`` names a parameter of ``data``'s family that its
    ``[family]`` table leaves at the default; else None."""
    if len(path) != 2 or path[0] != "family" or path[1] in (data.get("family") or {}):
        return None
    family = REGISTRY.get(str((data.get("model") or {}).get("family")))
    return family.params.model_fields.get(path[1]) if family else None


def named_part(items: list, name: str, key: str, where: str = "") -> dict:
    """The part called ``name`` among ``items``, or :class:`UnknownKey` naming ``key``."""
    for item in items:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    names = ", ".join(str(i.get("name")) for i in items if isinstance(i, dict)) or "none"
    raise UnknownKey(f"{where}key '{key}': the model has no part named '{name}' (its parts: {names}).")


def _child(node: Any, seg: str, walked: tuple[str, ...], key: str, where: str, create: bool,
           new_materials: frozenset[str] = frozenset()) -> Any:
    """The value ``seg`` names inside ``node`` (``walked`` is the path to ``node``)."""
    if walked == ("parts",):
        return named_part(node, seg, key, where)
    if walked == ("materials",) and seg not in node:
        if seg not in LIBRARY and seg not in new_materials:
            raise UnknownKey(
                f"{where}key '{key}': '{seg}' is neither a built-in material, a [materials.{seg}] table of the "
                f"model nor a material the study gives a part."
            )
        table = _empty_material()
        if create:
            node[seg] = table
        return table
    if isinstance(node, list):
        if not seg.isdigit() or int(seg) >= len(node):
            raise UnknownKey(f"{where}key '{key}': '{seg}' is not a position in '{'.'.join(walked)}' (0 to {len(node) - 1}).")
        return node[int(seg)]
    if isinstance(node, dict):
        if seg not in node:
            known = ", ".join(node) or "none"
            raise UnknownKey(f"{where}key '{key}': '{'.'.join(walked) or 'the model'}' has no key '{seg}' (its keys: {known}).")
        value = node[seg]
        if value is None and create:  # an unset optional table, e.g. a part's array: start it
            node[seg] = value = {}
        return value
    raise UnknownKey(f"{where}key '{key}': '{'.'.join(walked)}' is a value, not a table, so it has no '{seg}'.")


def _container(data: dict, key: str, where: str, create: bool,
               new_materials: frozenset[str] = frozenset()) -> tuple[Any, str]:
    path = split(key)
    if path[0] == "family" and len(path) > 1 and not (data.get("model") or {}).get("family"):
        raise UnknownKey(f"{where}key '{key}': the model is not a family model ([model] family is not set).")
    if _unset_family_param(data, path) is not None:  # a parameter the base leaves at its default
        if data.get("family") is None:                # (a family model may have no [family] table)
            if not create:
                return {}, path[1]
            data["family"] = {}
        return data["family"], path[1]
    node: Any = data
    for i, seg in enumerate(path[:-1]):
        unset = isinstance(node, dict) and node.get(seg, 0) is None
        node = _child(node, seg, path[:i], key, where, create, new_materials)
        if unset:
            # an optional table the model leaves unset (a part's array): any key may start it,
            # and the case's model validation refuses one the contract does not know
            return node if create else {}, path[-1]
    last = path[-1]
    _child(node, last, path[:-1], key, where, False, new_materials)  # the last segment must name a value
    return node, last


def check(data: dict, key: str, where: str = "", new_materials: frozenset[str] = frozenset()) -> None:
    """Raise :class:`UnknownKey` unless ``key`` names a value of ``data`` (``data`` is unchanged).

    ``new_materials``: material names the study gives parts, which ``materials.NAME`` may define.
    """
    _container(data, key, where, False, new_materials)


def assign(data: dict, key: str, value: Any, where: str = "", new_materials: frozenset[str] = frozenset()) -> None:
    """Set the value ``key`` names in ``data`` (in place)."""
    node, last = _container(data, key, where, True, new_materials)
    if split(key)[:-1] == ("parts",):  # a whole part, replaced by name
        node[node.index(named_part(node, last, key, where))] = value
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def remove_part(data: dict, name: str, where: str = "") -> None:
    """Drop the part called ``name`` from ``data`` (in place)."""
    data["parts"].remove(named_part(data["parts"], name, "remove_parts", where))


def lookup(data: dict, key: str) -> Any:
    """The value ``key`` names in ``data`` (a built-in material's value where no table sets it), or None."""
    path = split(key)
    unset = _unset_family_param(data, path)
    if unset is not None:
        return unset.default
    node: Any = data
    try:
        for i, seg in enumerate(path):
            node = _child(node, seg, path[:i], key, "", create=False)
            if node is None:
                break
    except UnknownKey:
        return None
    if node is None and path[0] == "materials" and len(path) == 3 and path[1] in LIBRARY:
        return getattr(LIBRARY[path[1]], path[2], None)
    return node
