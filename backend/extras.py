"""The optional extras of a ScaleScope install, and whether jobs that need one can run here.

The web app installs light: ``pip install scalescope`` brings no extra. Jobs need one:

- ``worker``: torch, torchvision and open_clip, for evaluations (and similarity jobs that embed
  a benchmark's images);
- ``corpus``: DuckDB and pyarrow, for concept counting (faiss for large similarity searches);
- ``spark``: pyspark (with pyarrow), for concept counting on a Spark cluster.

With a Celery broker configured, a job is queued for the workers, which carry their extras.
Without one, the embedded local executor runs it in this very install, so a job whose extra is
missing here could never run: :func:`require_runnable` refuses it at submit (422, naming the
extra to install) instead of queueing it. Modules are looked up, never imported, so the web
process stays light.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

from backend.config import get_settings
from backend.exceptions import ValidationError

#: extra -> the importable modules it provides
EXTRAS: dict[str, tuple[str, ...]] = {
    "worker": ("torch", "torchvision", "open_clip"),
    "corpus": ("duckdb", "pyarrow"),
    "faiss": ("faiss",),
    "spark": ("pyspark", "pyarrow"),
}
#: the pip extra that brings each entry of EXTRAS (faiss comes with ``corpus``)
PIP_EXTRA = {"worker": "worker", "corpus": "corpus", "faiss": "corpus", "spark": "spark"}


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that this install cannot import (looked up, not imported)."""
    missing = []
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(module)
    return missing


def jobs_run_here() -> bool:
    """True when jobs run in this install (the embedded executor: no broker configured)."""
    return not get_settings().broker_url


def require_runnable(extras: Iterable[str], *, what: str) -> None:
    """Refuse (``ValidationError``) a job that needs an extra this install lacks, when no
    broker would hand it to a worker that has it."""
    if not jobs_run_here():
        return
    for extra in dict.fromkeys(extras):
        missing = missing_modules(extra)
        if missing:
            pip_extra = PIP_EXTRA[extra]
            raise ValidationError(
                f"{what} needs the '{pip_extra}' extra ({', '.join(missing)} not installed), "
                "and jobs run in this process (no SCALESCOPE_BROKER_URL is set): install it "
                f"with pip install 'scalescope[{pip_extra}]', or configure a broker so that "
                "a worker with that extra runs the job"
            )


def job_extras(kind: str, spec: dict) -> list[str]:
    """The extras a job of ``kind`` with ``spec`` (its plain JSON) needs where it runs."""
    from backend.corpus.tasks import COUNT_KIND, SIMILARITY_KIND

    if kind == COUNT_KIND:
        engine = str(spec.get("engine") or get_settings().corpus_engine).lower()
        return ["spark"] if engine == "spark" else ["corpus"]
    if kind == SIMILARITY_KIND:
        needs = []
        if spec.get("evaluation") or spec.get("device") not in (None, "cpu"):
            needs.append("worker")
        if spec.get("search") == "faiss":
            needs.append("faiss")
        return needs
    return ["worker"]  # evaluations: torch and open_clip
