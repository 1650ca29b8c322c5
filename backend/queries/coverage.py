"""Coverage grid: which model has results on which eval set, read from the grid the ingest
write path keeps (``coverage_pairs``: per measured model × eval set, its measurements and
measured checkpoints; one row read per pair returned).

A selection's grid is mostly holes (the demo's is 1,281 models × 369 eval sets, 472k pairs,
68k of them measured), so :func:`read_coverage` returns the axes and the *measured* pairs
only; :meth:`Coverage.dense` fills in the holes for a part small enough to draw. The API and
the coverage page share it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from backend.models import CoveragePair, EvalSet, Model
from backend.queries._read import read_frame
from backend.queries.data_version import by_data_version

COLUMNS = ["model", "eval_set", "n_measurements", "n_checkpoints", "measured"]


@dataclass(frozen=True)
class Coverage:
    """A selection's models and eval sets (each sorted by name) and its measured pairs
    (``cells``: ``model, eval_set, n_measurements, n_checkpoints, measured``, by model then
    eval set; a pair not listed is missing)."""

    models: list[str]
    eval_sets: list[str]
    cells: pd.DataFrame

    @classmethod
    def empty(cls) -> Coverage:
        """No models, no eval sets."""
        return cls(models=[], eval_sets=[], cells=pd.DataFrame(columns=COLUMNS))

    @property
    def n_pairs(self) -> int:
        """Model × eval set pairs of the selection, measured or not."""
        return len(self.models) * len(self.eval_sets)

    def restrict(
        self, models: Iterable[str] | None = None, eval_sets: Iterable[str] | None = None
    ) -> Coverage:
        """The same grid on fewer models and/or eval sets (their order kept)."""
        keep_m = set(self.models if models is None else models)
        keep_e = set(self.eval_sets if eval_sets is None else eval_sets)
        cells = self.cells
        mask = cells["model"].isin(keep_m) & cells["eval_set"].isin(keep_e)
        return Coverage(
            models=[m for m in self.models if m in keep_m],
            eval_sets=[e for e in self.eval_sets if e in keep_e],
            cells=cells[mask].reset_index(drop=True),
        )

    def dense(self) -> pd.DataFrame:
        """Every pair, models then eval sets by name, zero counts and ``measured=False`` for
        the holes (for a part small enough to draw)."""
        shape = (len(self.models), len(self.eval_sets))
        n_measurements = np.zeros(shape, dtype=np.int64)
        n_checkpoints = np.zeros(shape, dtype=np.int64)
        if len(self.cells):
            rows = pd.Index(self.models).get_indexer(self.cells["model"])
            cols = pd.Index(self.eval_sets).get_indexer(self.cells["eval_set"])
            n_measurements[rows, cols] = self.cells["n_measurements"].to_numpy()
            n_checkpoints[rows, cols] = self.cells["n_checkpoints"].to_numpy()
        return pd.DataFrame(
            {
                "model": np.repeat(np.array(self.models, dtype=object), shape[1]),
                "eval_set": np.tile(np.array(self.eval_sets, dtype=object), shape[0]),
                "n_measurements": n_measurements.ravel(),
                "n_checkpoints": n_checkpoints.ravel(),
                "measured": n_measurements.ravel() > 0,
            },
            columns=COLUMNS,
        )


def read_coverage(
    session: Session,
    *,
    models: list[str] | None = None,
    families: list[str] | None = None,
    eval_sets: list[str] | None = None,
    kind: str | None = None,
) -> Coverage:
    """The selected models × eval sets: their names and the measured pairs, read from
    ``coverage_pairs`` (one row per measured pair comes back); kept per process until the
    data version changes (the grid changes only with uploads, undos and merges)."""
    key = ("coverage", *(tuple(v) if v else None for v in (models, families, eval_sets)), kind)
    found = by_data_version(
        session, key, lambda: _read_coverage(session, models, families, eval_sets, kind)
    )
    return Coverage(list(found.models), list(found.eval_sets), found.cells.copy())


def _read_coverage(
    session: Session,
    models: list[str] | None,
    families: list[str] | None,
    eval_sets: list[str] | None,
    kind: str | None,
) -> Coverage:
    model_stmt, eval_stmt, counts = _statements(models, families, eval_sets, kind)
    model_rows = session.execute(model_stmt).all()
    eval_rows = session.execute(eval_stmt).all()
    model_names = [name for _, name in model_rows]
    eval_names = [name for _, name in eval_rows]
    model_ids, eval_ids, n_measurements, n_checkpoints = _int_columns(session, counts)
    # Positions in the sorted axes (-1: outside the selection), then model/eval set order.
    rows = pd.Index([i for i, _ in model_rows]).get_indexer(model_ids)
    cols = pd.Index([i for i, _ in eval_rows]).get_indexer(eval_ids)
    keep = (rows >= 0) & (cols >= 0)
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    cells = pd.DataFrame(
        {
            "model": np.array(model_names, dtype=object)[rows],
            "eval_set": np.array(eval_names, dtype=object)[cols],
            "n_measurements": n_measurements[keep][order],
            "n_checkpoints": n_checkpoints[keep][order],
            "measured": np.ones(len(rows), dtype=bool),
        },
        columns=COLUMNS,
    )
    return Coverage(models=model_names, eval_sets=eval_names, cells=cells)


def coverage_page(
    session: Session,
    *,
    models: list[str] | None = None,
    families: list[str] | None = None,
    eval_sets: list[str] | None = None,
    kind: str | None = None,
    missing: bool = False,
    limit: int = 1000,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """``limit`` rows from ``offset`` of :func:`coverage_frame` (the API's pages) and how
    many rows there are in all; the measured pairs are paged in the database (counted apart
    when the page is full, so a page reads only the pairs it returns)."""
    if missing:
        frame = coverage_frame(
            session, models=models, families=families, eval_sets=eval_sets, kind=kind, missing=True
        )
        return frame.iloc[offset : offset + limit].reset_index(drop=True), len(frame)
    counts = _statements(models, families, eval_sets, kind)[2].subquery()
    stmt = (
        select(
            Model.name.label("model"),
            EvalSet.name.label("eval_set"),
            counts.c.n_measurements,
            counts.c.n_checkpoints,
        )
        .join(Model, Model.id == counts.c.model_id)
        .join(EvalSet, EvalSet.id == counts.c.eval_set_id)
        .order_by(Model.name, EvalSet.name)
        .limit(limit)
        .offset(offset)
    )
    frame = read_frame(session, stmt)
    if len(frame) < limit and (len(frame) or not offset):
        total = offset + len(frame)
    else:
        total = int(session.execute(select(func.count()).select_from(counts)).scalar_one())
    frame = frame.astype({"n_measurements": "int64", "n_checkpoints": "int64"})
    frame["measured"] = True
    return frame, total


def _statements(
    models: list[str] | None,
    families: list[str] | None,
    eval_sets: list[str] | None,
    kind: str | None,
) -> tuple[Select, Select, Select]:
    """The selected models (id, name), eval sets (id, name), each by name, and their measured
    pairs (``model_id, eval_set_id, n_measurements, n_checkpoints``)."""
    model_stmt = select(Model.id, Model.name).order_by(Model.name)
    if models:
        model_stmt = model_stmt.where(Model.name.in_(models))
    if families:
        model_stmt = model_stmt.where(Model.family.in_(families))
    eval_stmt = select(EvalSet.id, EvalSet.name).order_by(EvalSet.name)
    if eval_sets:
        eval_stmt = eval_stmt.where(EvalSet.name.in_(eval_sets))
    if kind:
        eval_stmt = eval_stmt.where(EvalSet.kind == kind)
    counts = select(
        CoveragePair.model_id.label("model_id"),
        CoveragePair.eval_set_id.label("eval_set_id"),
        CoveragePair.n_measurements.label("n_measurements"),
        CoveragePair.n_checkpoints.label("n_checkpoints"),
    )
    if models or families:
        counts = counts.where(
            CoveragePair.model_id.in_(model_stmt.with_only_columns(Model.id).order_by(None))
        )
    if eval_sets or kind:
        counts = counts.where(
            CoveragePair.eval_set_id.in_(eval_stmt.with_only_columns(EvalSet.id).order_by(None))
        )
    return model_stmt, eval_stmt, counts


def _int_columns(session: Session, stmt: Select) -> list[np.ndarray]:
    """The columns of a statement of whole numbers without NULLs, as int64 arrays (on
    Postgres a columnar read; on SQLite the driver's tuples straight into one array)."""
    width = len(stmt.selected_columns)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        frame = read_frame(session, stmt, columnar=True)
        return [frame[c].to_numpy().astype(np.int64) for c in frame.columns]
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or []]
    raw = connection.connection.driver_connection
    assert raw is not None  # the sqlite3 connection behind a live SQLAlchemy connection
    rows = raw.execute(str(compiled), params).fetchall()
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=width * len(rows))
    return list(flat.reshape(len(rows), width).T)


def coverage_frame(
    session: Session,
    *,
    models: list[str] | None = None,
    families: list[str] | None = None,
    eval_sets: list[str] | None = None,
    kind: str | None = None,
    missing: bool = False,
) -> pd.DataFrame:
    """The measured pairs of the selection (``model, eval_set, n_measurements,
    n_checkpoints, measured``) by model then eval set; ``missing=True`` also lists the holes
    (zero counts, ``measured=False``)."""
    coverage = read_coverage(
        session, models=models, families=families, eval_sets=eval_sets, kind=kind
    )
    return coverage.dense() if missing else coverage.cells
