"""Calling Dash callbacks over HTTP the way the browser does (``/_dash-update-component``)."""

from __future__ import annotations

import inspect
import json

from app import ids


def server_callbacks(app) -> dict[str, dict]:
    """``module.name`` -> callback_map entry (with its output key) of every server callback."""
    found = {}
    for output, entry in app.state.dash_app.callback_map.items():
        func = entry.get("callback")
        if func is not None:
            original = inspect.unwrap(func)
            found[f"{original.__module__}.{original.__name__}"] = {**entry, "output": output}
    return found


def _value(values: dict, item: dict):
    """The value of one input/state spec; pattern (ALL) specs get a list of matches."""
    key = item["id"]
    if key.startswith("{"):
        family = json.loads(key)["type"]
        return [
            {"id": component_id, "property": item["property"], "value": value}
            for component_id, value in values.get(family, [])
        ]
    value = values.get(key)
    if item["property"] == "filename" and key == ids.UPLOAD_DROP:
        value = "evals.csv"
    return {"id": key, "property": item["property"], "value": value}


def _outputs(output_key: str) -> list[dict]:
    parts = output_key.strip(".").split("...") if output_key.startswith("..") else [output_key]
    outputs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop})
    return outputs


def callback_body(entry: dict, values: dict, changed: list[str]) -> dict:
    outputs = _outputs(entry["output"])
    return {
        "output": entry["output"],
        "outputs": outputs if entry["output"].startswith("..") else outputs[0],
        "inputs": [_value(values, item) for item in entry["inputs"]],
        "state": [_value(values, item) for item in entry["state"]],
        "changedPropIds": changed,
    }
