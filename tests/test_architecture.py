"""The import rules of ARCHITECTURE.md, checked on the code: every module of ``backend/`` and
``app/`` (parsed with ``ast``, imports inside functions included, ``if TYPE_CHECKING:`` blocks
not) belongs to a part, no part imports one it must never import, the modules form no import
circle, and none is over ``MAX_LINES`` lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("backend", "app")
MAX_LINES = 450

#: part -> the files and folders it is made of (ARCHITECTURE.md's parts table). A module
#: belongs to the part with the longest matching entry, so Engines (files of backend/corpus/)
#: wins over Corpus.
PARTS: dict[str, tuple[str, ...]] = {
    "Config": ("backend/__init__.py", "backend/config.py", "backend/db.py", "backend/resources.py"),
    "Errors": ("backend/exceptions.py",),
    "Analysis": ("backend/analysis/",),
    "Data": (
        "backend/models/",
        "backend/schemas/",
        "backend/queries/",
        "backend/catalog/",
    ),
    "Fits": ("backend/fits/",),
    "Services": ("backend/services/", "backend/ingest/", "backend/demo/"),
    "Extras": ("backend/extras.py",),
    "Corpus": ("backend/corpus/",),
    "Engines": (
        "backend/corpus/readers.py",
        "backend/corpus/duckdb_engine.py",
        "backend/corpus/spark_engine.py",
        "backend/corpus/counting.py",
        "backend/corpus/batch_counts.py",
        "backend/corpus/token_match.py",
        "backend/corpus/checkpoints.py",
        "backend/corpus/text.py",
        "backend/corpus/similarity.py",
        "backend/corpus/engines.py",
    ),
    "Evaluation": ("backend/evaluation/",),
    "Worker": ("backend/worker/",),
    "API": ("backend/api/",),
    "UI": ("app/",),
    "CLI": ("backend/cli/",),
}

#: (importer, imported, why): imports that must never happen.
NEVER: tuple[tuple[str, str, str], ...] = (
    ("Analysis", "Data", "fits are pure: arrays in, results out"),
    ("Analysis", "Config", "fits are pure"),
    ("Config", "Data", "settings and sessions come first"),
    ("Config", "Services", "settings and sessions come first"),
    ("Data", "UI", "backend never imports app"),
    ("Data", "Services", "reads do not call use cases"),
    ("Data", "Worker", "reads do not import the worker"),
    ("Fits", "UI", "backend never imports app"),
    ("Services", "UI", "backend never imports app"),
    ("Services", "API", "use cases do not know the web"),
    ("Services", "Worker", "use cases get the job queue handed in"),
    ("Corpus", "Worker", "the worker runs corpus jobs, not the other way round"),
    ("Extras", "Worker", "the extras boundary looks modules up, never imports job code"),
    ("Extras", "Evaluation", "the extras boundary looks modules up, never imports job code"),
    ("API", "UI", "backend never imports app"),
    ("API", "Evaluation", "the web process never imports torch"),
    ("API", "Engines", "the web process never imports pyarrow or duckdb"),
    ("UI", "Evaluation", "the web process never imports torch"),
    ("UI", "Engines", "the web process never imports pyarrow or duckdb"),
)

#: (importer, imported) modules that break a rule today, each with why it is left for now.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    """One import statement: the module that makes it, the module it names, and where."""

    importer: str
    imported: str
    line: int


def module_name(path: Path) -> str:
    """``backend/services/jobs.py`` -> ``backend.services.jobs`` (a package: its name)."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_files() -> dict[str, Path]:
    """Every module of the packages checked, by name."""
    return {
        module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")
    }


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs (at module level or inside functions), not ``TYPE_CHECKING``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack += node.orelse
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack += ast.iter_child_nodes(node)


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    """The first-party modules ``name`` imports (``from package import submodule`` names the
    submodule; a relative import is resolved against ``name``)."""
    is_package = path.name == "__init__.py"
    found = []
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        for target in targets:
            while target and target not in known:  # ``import a.b.c`` of a name inside a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                found.append(Import(name, target, node.lineno))
    return found


def import_graph() -> dict[str, list[Import]]:
    """Module -> the imports it makes of other modules of the packages checked."""
    files = module_files()
    known = set(files)
    return {name: imports_of(name, path, known) for name, path in files.items()}


def part_of(name: str, path: Path) -> str | None:
    """The part a module belongs to (longest matching entry of ``PARTS``), or None."""
    relative = path.relative_to(REPO).as_posix()
    best, length = None, -1
    for part, entries in PARTS.items():
        for entry in entries:
            matches = relative.startswith(entry) if entry.endswith("/") else relative == entry
            if matches and len(entry) > length:
                best, length = part, len(entry)
    return best


def import_circles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    circles: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted({i.imported for i in graph[root]})))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted({i.imported for i in graph[child]}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def test_every_module_belongs_to_a_part():
    orphans = sorted(name for name, path in module_files().items() if part_of(name, path) is None)
    assert not orphans, f"add these modules' folders to PARTS (and ARCHITECTURE.md): {orphans}"


def test_the_modules_form_no_import_circle():
    circles = import_circles(import_graph())
    assert not circles, "import circles (each a strongly connected component):\n" + "\n".join(
        " <-> ".join(circle) for circle in circles
    )


def test_no_part_imports_a_part_it_must_never_import():
    files = module_files()
    parts = {name: part_of(name, path) for name, path in files.items()}
    never = {(importer, imported): why for importer, imported, why in NEVER}
    broken = []
    for imports in import_graph().values():
        for i in imports:
            rule = (parts[i.importer], parts[i.imported])
            if rule in never and (i.importer, i.imported) not in KNOWN_VIOLATIONS:
                where = f"{files[i.importer].relative_to(REPO)}:{i.line}"
                broken.append(f"{where} imports {i.imported} ({' -> '.join(rule)}: {never[rule]})")
    assert not broken, "\n".join(broken)


def test_no_module_is_too_long():
    long = {
        path.relative_to(REPO).as_posix(): lines
        for path in module_files().values()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (at most {MAX_LINES} lines): {long}"


def test_the_checks_see_what_they_must(tmp_path):
    """Imports inside functions and relative ones count, TYPE_CHECKING ones do not; a circle
    through three modules is found, a chain is not."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n")
    (package / "b.py").write_text("from . import c\nimport pkg.d\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.d\nimport pkg.a\n"
    )
    (package / "d.py").write_text("x = 1\n")
    files = {f"pkg.{p.stem}" if p.stem != "__init__" else "pkg": p for p in package.glob("*.py")}
    graph = {name: imports_of(name, path, set(files)) for name, path in files.items()}
    assert {name: sorted(i.imported for i in imports) for name, imports in graph.items()} == {
        "pkg": [],
        "pkg.a": ["pkg.b"],
        "pkg.b": ["pkg.c", "pkg.d"],
        "pkg.c": ["pkg.a"],
        "pkg.d": [],
    }
    assert import_circles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    graph["pkg.c"] = []
    assert import_circles(graph) == []
