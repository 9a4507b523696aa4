"""Reading a model: a TOML file, a TOML string or a dict becomes a validated :class:`Model`."""

from __future__ import annotations

import tomllib
from os import PathLike
from pathlib import Path
from typing import Any, Union

from pydantic import ValidationError

from ..errors import ModelError
from .schema import Model

ModelLike = Union[Model, dict, str, PathLike]


def _where(raw: dict, loc: tuple) -> str:
    """Name the part (or table) and the key a pydantic error location points at."""
    head, rest = loc[0], loc[1:]
    if head == "parts" and rest and isinstance(rest[0], int):
        parts = raw.get("parts") or []
        i = rest[0]
        name = parts[i].get("name") if i < len(parts) and isinstance(parts[i], dict) else None
        who = f"part '{name}'" if name else f"part number {i + 1}"
        key = ".".join(str(k) for k in rest[1:]) or "(the whole part)"
        return f"{who}, key '{key}'"
    if head == "materials" and rest:
        key = ".".join(str(k) for k in rest[1:]) or "(the whole table)"
        return f"material '{rest[0]}', key '{key}'"
    if not rest:
        return f"[{head}]" if isinstance(raw.get(head), dict) else f"key '{head}'"
    return f"[{head}], key '{'.'.join(str(k) for k in rest)}'"


def error_sentence(raw: dict, err: ValidationError, prefix: tuple = (),
                   unknown_key: str = "this key is not part of the model contract (a typo?)") -> str:
    """One sentence naming the part (or table) and the key of the first error.

    ``prefix`` is the location of ``raw`` inside the model file (``("family",)`` for a family's
    parameter table); ``unknown_key`` is what an unknown key is told.
    """
    e = err.errors()[0]
    return f"{_where(raw, tuple(prefix) + tuple(e['loc']))}: {error_message(e, unknown_key)}."


def error_message(e: dict, unknown_key: str) -> str:
    """What one pydantic error says, in the contract's words: a missing key, an unknown one
    (``unknown_key``), or the validator's own sentence."""
    if e["type"] == "missing":
        return "it is required but missing"
    if e["type"] == "extra_forbidden":
        return unknown_key
    return e["msg"].removeprefix("Value error, ")


def model_from_dict(raw: dict[str, Any]) -> Model:
    """Validate a model given as plain data (as TOML parses it)."""
    try:
        model = Model.model_validate(raw)
    except ValidationError as err:
        raise ModelError(error_sentence(raw, err)) from None
    if model.family is not None and model.model.family is None:
        raise ModelError("[model], key 'family': the model gives a [family] table but names no family to read it.")
    if model.model.process is not None and model.model.family is None:
        raise ModelError("[model], key 'process': \"family\" takes the assembly sequence of a [model] family; "
                         "a parts model gives [[steps]] instead.")
    if model.model.family is not None:
        from .families import expand_family

        model = expand_family(model)
    return model


def read_toml(path: Path, what: str) -> dict:
    """The TOML file ``path`` as a dict, or a :class:`ModelError` naming ``what`` it is ("model
    file", "study file", ...) and why it cannot be read: missing, a directory or a device, not
    readable, not UTF-8, empty, or not TOML."""
    if path.is_dir():
        raise ModelError(f"{what} '{path}' is a directory, not a file.")
    if not path.exists():
        raise ModelError(f"{what} '{path}' does not exist.")
    if not path.is_file():
        raise ModelError(f"{what} '{path}' is not a regular file (a device, a pipe or a socket).")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ModelError(f"{what} '{path}' cannot be read: {err.strerror or err}.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise ModelError(f"{what} '{path}' is not UTF-8 text: byte 0x{data[err.start]:02x} on line {line} "
                         "(save it as UTF-8).") from None
    if not text.strip():
        raise ModelError(f"{what} '{path}' is empty.")
    return parse_toml(text, f"{what} '{path}'")


def parse_toml(text: str, what: str) -> dict:
    """TOML ``text`` as a dict, or a :class:`ModelError` saying that ``what`` is not valid TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ModelError(f"{what} is not valid TOML: {err}.") from None


def load_model(source: ModelLike) -> Model:
    """A validated :class:`Model` from a Model, a dict, a path to a TOML file or TOML text."""
    if isinstance(source, Model):
        return source
    if isinstance(source, dict):
        return model_from_dict(source)
    if not (isinstance(source, str) and "\n" in source):
        return model_from_dict(read_toml(Path(source), "model file"))
    return model_from_dict(parse_toml(str(source), "model file '<text>'"))
