"""Which (checkpoint, benchmark) pairs an evaluation job can actually run, and launching only
those: "Launch missing" offers the runnable holes of the coverage grid and says, per reason,
what keeps the others from running (no weights, dataset not available, extra not installed).

A checkpoint can run when its model names an architecture and it has weights (a
``weights_uri``: ``openclip:<tag>`` or a file under the worker roots; or the model's
``random_weights``). A benchmark can run when its ``attributes.path`` lies under the worker
roots. Where jobs run in this process (no broker), the files must also exist here and the
``worker`` extra must be installed; with a broker the workers' own files and extras count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.exceptions import ValidationError
from backend.extras import PIP_EXTRA, jobs_run_here, missing_modules
from backend.models import Checkpoint, EvalSet, Model
from backend.queries.jobs import missing_pairs
from backend.services import file_roots

PRETRAINED_PREFIX = "openclip:"
NO_WEIGHTS = "no weights: the checkpoint has no weights_uri"
NO_ARCHITECTURE = "the model names no architecture (open_clip model name)"
NO_DATASET = "dataset not available: the benchmark has no data path (attributes.path)"
EXAMPLES = 5


@dataclass
class Blocked:
    """Things that cannot run for one reason: how many, and a few of their names."""

    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        """Count one more; keep its name when there are few so far."""
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(name)


@dataclass(frozen=True)
class Runnability:
    """Runnable checkpoints and benchmarks (id → label), and why the others cannot run."""

    checkpoints: dict[int, str]
    eval_sets: dict[int, str]
    blocked: list[Blocked]
    missing_extra: str | None  # the pip extra to install, when jobs run here without it

    @property
    def any_runnable(self) -> bool:
        """Whether at least one pair can run."""
        return bool(self.checkpoints and self.eval_sets and not self.missing_extra)


def missing_extra() -> str | None:
    """The pip extra evaluations need and this process lacks, when jobs run here."""
    if jobs_run_here() and missing_modules("worker"):
        return PIP_EXTRA["worker"]
    return None


def _file_problem(raw: str, *, what: str) -> str | None:
    """Why a job could not read ``raw`` (outside the roots, or missing here), or None."""
    try:
        path = file_roots.check_readable(raw, what=what)
    except ValidationError as exc:  # one reason for all such paths (they are grouped)
        if "secret" in str(exc):
            return f"{what} is a secret of this instance"
        return f"{what} lies outside the worker roots ({file_roots.describe_roots()})"
    if jobs_run_here() and not Path(path).exists():
        return f"{what} not found on this machine"
    return None


def checkpoint_problem(
    weights_uri: str | None, architecture: str | None, attributes: dict[str, Any] | None
) -> str | None:
    """Why an evaluation of a checkpoint (its ``weights_uri``, its model's ``architecture``
    and ``attributes``) cannot run, or None."""
    if not architecture:
        return NO_ARCHITECTURE
    uri = (weights_uri or "").strip()
    if not uri:
        return None if (attributes or {}).get("random_weights") else NO_WEIGHTS
    if uri.startswith(PRETRAINED_PREFIX):
        return None
    problem = _file_problem(uri, what="weights file")
    return problem and f"weights not available: {problem}"


def eval_set_problem(eval_set: EvalSet) -> str | None:
    """Why an evaluation on ``eval_set`` cannot run, or None."""
    path = (eval_set.attributes or {}).get("path")
    if not path:
        return NO_DATASET
    problem = _file_problem(str(path), what="data path")
    return problem and f"dataset not available: {problem}"


def runnability(
    *,
    session: Session,
    checkpoint_ids: Sequence[int] | None = None,
    eval_set_ids: Sequence[int] | None = None,
) -> Runnability:
    """Sort the checkpoints and benchmarks (all, or the picked ones) into runnable and not."""
    blocked: dict[str, Blocked] = {}

    def block(reason: str, name: str) -> None:
        blocked.setdefault(reason, Blocked(reason)).add(name)

    rows = select(
        Checkpoint.id,
        Checkpoint.revision,
        Checkpoint.weights_uri,
        Model.name,
        Model.architecture,
        Model.attributes,
    ).join(Model, Model.id == Checkpoint.model_id)  # columns: no ORM object per checkpoint
    if checkpoint_ids:
        rows = rows.where(Checkpoint.id.in_(checkpoint_ids))
    checkpoints: dict[int, str] = {}
    for ckpt_id, revision, uri, name, architecture, attributes in session.execute(
        rows.order_by(Model.name, Checkpoint.revision)
    ):
        label = f"{name} @ {revision}"
        problem = checkpoint_problem(uri, architecture, attributes)
        if problem:
            block(problem, label)
        else:
            checkpoints[ckpt_id] = label
    sets = select(EvalSet).order_by(EvalSet.name)
    sets = (
        sets.where(EvalSet.id.in_(eval_set_ids))
        if eval_set_ids
        else sets.where(EvalSet.kind == "benchmark")
    )
    eval_sets: dict[int, str] = {}
    for eval_set in session.scalars(sets):
        problem = eval_set_problem(eval_set)
        if problem:
            block(problem, eval_set.name)
        else:
            eval_sets[eval_set.id] = eval_set.name
    order = sorted(blocked.values(), key=lambda b: -b.count)
    return Runnability(checkpoints, eval_sets, order, missing_extra())


def runnable_missing_pairs(
    *, session: Session, found: Runnability, limit: int | None = None
) -> list[tuple[int, int]]:
    """The coverage grid's holes among the runnable checkpoints and benchmarks."""
    if not found.any_runnable:
        return []
    return missing_pairs(
        session=session,
        checkpoint_ids=list(found.checkpoints),
        eval_set_ids=list(found.eval_sets),
        limit=limit,
    )
