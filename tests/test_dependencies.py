"""Every third-party package the code imports is declared in pyproject.toml (the web app's
own imports among the light dependencies), and the lock pins every declared package."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"backend", "app", "tests", "bench", "migrations"} | {
    path.stem
    for path in (REPO / "bench").glob("*.py")  # bench scripts import each other
}
#: imported only by an optional benchmark that compares with another tool (bench/README)
UNDECLARED_OK = {"mlflow"}
#: what the web process (backend outside the job code, app/) may import without an extra
JOB_CODE = (
    "backend/evaluation/",
    "backend/corpus/duckdb_engine.py",
    "backend/corpus/spark_engine.py",
)


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> dict[str, set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    groups = {"": {_name(r) for r in project["dependencies"]}}
    for extra, requirements in project["optional-dependencies"].items():
        groups[extra] = {_name(r) for r in requirements}
    return groups


def _imports(folder: str) -> dict[str, set[str]]:
    """Top-level module -> the files importing it, for every .py file under ``folder``."""
    found: dict[str, set[str]] = {}
    for path in (REPO / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO)))
    return found


@functools.cache
def _packages() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distributions(module: str) -> set[str]:
    names = _packages().get(module, [])
    return {n.lower().replace("_", "-") for n in names}


def _third_party(imports: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        module: files
        for module, files in imports.items()
        if module not in FIRST_PARTY
        and module not in sys.stdlib_module_names
        and module not in UNDECLARED_OK
    }


def test_every_imported_package_is_declared():
    declared = set().union(*_declared().values())
    imports: dict[str, set[str]] = {}
    for folder in ("backend", "app", "tests", "bench", "migrations"):
        for module, files in _imports(folder).items():
            imports.setdefault(module, set()).update(files)
    undeclared = {
        module: sorted(files)[:3]
        for module, files in _third_party(imports).items()
        if not _distributions(module) & declared
    }
    assert undeclared == {}


def test_the_web_app_imports_only_light_dependencies():
    light = _declared()[""]
    imports: dict[str, set[str]] = {}
    for folder in ("backend", "app"):
        for module, files in _imports(folder).items():
            kept = {f for f in files if not f.startswith(JOB_CODE)}
            if kept:
                imports.setdefault(module, set()).update(kept)
    # modules of an extra may be imported lazily inside job code paths; at module level they
    # would load with the web process: test_light_install hides the extras and starts it
    heavy = {
        module: sorted(files)[:3]
        for module, files in _third_party(imports).items()
        if not _distributions(module) & light
    }
    assert set(heavy) <= {
        "torch",
        "torchvision",
        "open_clip",
        "PIL",
        "pyarrow",
        "duckdb",
        "pyspark",
        "faiss",
    }, heavy


def test_the_lock_pins_every_declared_package():
    pinned = {
        _name(line)
        for line in (REPO / "requirements" / "constraints.txt").read_text().splitlines()
        if line and not line.startswith(("#", "-"))
    }
    missing = set().union(*_declared().values()) - pinned
    assert missing == set()
