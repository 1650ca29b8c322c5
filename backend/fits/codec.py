"""Fit results as JSON text and back, for the fit cache: the frozen result dataclasses of
``backend.analysis`` (their numpy arrays, tuples, nested results and curve functions).

Decoding only rebuilds dataclasses and functions defined in ``backend.analysis`` modules
(named ``module:qualname``); anything else in the text is refused, so a cache row can never
make the web process import or call other code.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from typing import Any

import numpy as np

ALLOWED_PREFIX = "backend.analysis."


class CodecError(ValueError):
    """The text is not a fit result this codec wrote."""


def _name(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _resolve(name: str) -> Any:
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(ALLOWED_PREFIX) or not qualname.isidentifier():
        raise CodecError(f"refusing {name!r}: only backend.analysis names are decoded")
    return getattr(importlib.import_module(module_name), qualname)


def _float(value: float) -> Any:
    return value if math.isfinite(value) else {"float": repr(value)}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dataclass": _name(type(value)), "fields": fields}
    if isinstance(value, np.ndarray):
        return {
            "array": value.dtype.str,
            "shape": list(value.shape),
            "bytes": value.tobytes().hex(),
        }
    if isinstance(value, np.generic):
        return _encode(value.item())
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, tuple):
        return {"tuple": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {"dict": {str(key): _encode(item) for key, item in value.items()}}
    if callable(value) and getattr(value, "__module__", "").startswith(ALLOWED_PREFIX):
        if "<" in value.__qualname__:
            raise CodecError(f"cannot encode the local function {value.__qualname__}")
        return {"function": _name(value)}
    if value is None or isinstance(value, bool | int | str):
        return value
    raise CodecError(f"cannot encode a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "dataclass" in value:
        cls = _resolve(value["dataclass"])
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise CodecError(f"{value['dataclass']!r} is not a result dataclass")
        fields = {name: _decode(item) for name, item in value["fields"].items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        return cls(**{name: item for name, item in fields.items() if name in init})
    if "array" in value:
        data = np.frombuffer(bytes.fromhex(value["bytes"]), dtype=np.dtype(value["array"]))
        array = data.reshape(value["shape"]).copy()
        array.setflags(write=False)
        return array
    if "float" in value:
        return float(value["float"])
    if "tuple" in value:
        return tuple(_decode(item) for item in value["tuple"])
    if "dict" in value:
        return {key: _decode(item) for key, item in value["dict"].items()}
    if "function" in value:
        function = _resolve(value["function"])
        if not callable(function):
            raise CodecError(f"{value['function']!r} is not a function")
        return function
    raise CodecError("unknown entry in a cached fit")


def dumps(result: Any) -> str:
    """``result`` (a fit result of ``backend.analysis``) as JSON text."""
    return json.dumps(_encode(result), separators=(",", ":"))


def loads(text: str) -> Any:
    """The fit result that :func:`dumps` wrote as ``text``."""
    try:
        return _decode(json.loads(text))
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise CodecError(f"not a cached fit: {exc}") from exc
