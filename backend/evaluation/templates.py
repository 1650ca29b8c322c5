"""Prompt templates: a small standard default set and how a class name fills one.

A template holds ``{}`` or ``{c}`` where the class name goes (``"a photo of a {}."``).
The defaults are a short, widely used ensemble for natural images; give a benchmark its own
templates (inline or as a file) where it needs different ones.
"""

from __future__ import annotations

DEFAULT_TEMPLATES: tuple[str, ...] = (
    "a photo of a {}.",
    "a bad photo of the {}.",
    "a photo of the large {}.",
    "a photo of the small {}.",
    "a cropped photo of a {}.",
    "art of the {}.",
    "itap of a {}.",
)


def fill(template: str, classname: str) -> str:
    """The prompt for ``classname`` (``{c}`` or ``{}`` replaced; other braces kept)."""
    if "{c}" in template:
        return template.replace("{c}", classname)
    return template.replace("{}", classname)
