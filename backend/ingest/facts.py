"""Writing staged facts (measurements, concept scores, concept and pair frequencies): one join
of the staged rows against the table keeps only rows that are new or differ. The values those
rows overwrite are recorded in ``upload_overwrites`` (undo restores them), changed rows are
updated, new rows inserted (``INSERT ... ON CONFLICT``; on Postgres, from
``BULK_THRESHOLD_ROWS`` rows on, by a plain ``INSERT ... SELECT``). Unchanged rows are not
touched, so re-uploading a file changes nothing. The coverage grid follows the measurements."""

from __future__ import annotations

from sqlalchemy import Connection

from backend.ingest import coverage
from backend.ingest.dimensions import DimensionBuffer, map_table, show_key
from backend.ingest.report import TableCounts
from backend.ingest.staging import (
    MEASUREMENTS,
    NULL_STANDIN,
    FactSpec,
    FactStage,
)
from backend.ingest.temp_tables import drop_temp_table
from backend.ingest.validation import Problems

# From this many rows to insert into one table on, Postgres gets them by a plain INSERT ... SELECT
# instead of INSERT ... ON CONFLICT.
BULK_THRESHOLD_ROWS = 20_000


class FactWriting:
    """The fact half of :class:`~backend.ingest.writer.UploadWriter` (needs its ``conn``,
    ``problems``, ``dims``, ``upload_id``, ``job_id`` and ``_maps``)."""

    conn: Connection
    problems: Problems
    dims: dict[str, DimensionBuffer]
    upload_id: int
    job_id: int | None
    _maps: list[str]

    def _check_duplicates(self, spec: FactSpec) -> int:
        """Problems for keys given twice with different values; returns the number of keys."""
        keys = ", ".join(spec.key_columns)
        differs = " OR ".join(
            f"MIN(COALESCE({c}, {NULL_STANDIN[t]})) <> MAX(COALESCE({c}, {NULL_STANDIN[t]}))"
            for c, t in spec.values
        )
        total, conflicts = self.conn.exec_driver_sql(
            f"SELECT COUNT(*), COALESCE(SUM(conflict), 0) FROM ("
            f"SELECT CASE WHEN {differs} THEN 1 ELSE 0 END AS conflict "
            f"FROM {spec.stage} GROUP BY {keys}) AS g"
        ).one()
        if conflicts:
            rows = self.conn.exec_driver_sql(
                f"SELECT {keys}, MIN(row_no), MAX(row_no) FROM {spec.stage} GROUP BY {keys} "
                f"HAVING {differs} ORDER BY MIN(row_no) LIMIT {self.problems.limit}"
            ).all()
            for row in rows:
                named = self._name_fact_key(spec, row)
                self.problems.add(
                    f"duplicate {spec.label} {named} with conflicting values "
                    f"(rows {row[-2]} and {row[-1]})",
                    row=row[-1],
                    column=spec.values[0][0],
                )
        return int(total)

    def _name_fact_key(self, spec: FactSpec, row) -> str:
        parts = []
        for position, (_, dim) in enumerate(spec.dims):
            entry = self.dims[dim.table.name].pending[row[position]]
            parts.append(show_key(entry.key))
        parts += [repr(v) for v in row[len(spec.dims) : len(spec.key_columns)]]
        return " / ".join(parts)

    def _upsert_facts(self, stage: FactStage, groups: int, staged: int) -> TableCounts:
        """One join of the staged rows against the table finds what is new or different;
        only those rows are written (so a re-upload writes nothing)."""
        spec = stage.spec
        table = spec.table
        dialect = self.conn.dialect.name
        joins, selected = [], []
        for position, (column, dim) in enumerate(spec.dims):
            alias = f"m{position}"
            mapping = map_table(dim)  # left by upsert_dimension
            joins.append(f"JOIN {mapping} {alias} ON {alias}.local_id = s.{column}")
            selected.append(f"{alias}.db_id AS {column}")
        selected += [f"s.{c}" for c in spec.keys + spec.value_columns]
        distinct = "DISTINCT " if groups < staged else ""
        source = f"SELECT {distinct}{', '.join(selected)} FROM {spec.stage} s {' '.join(joins)}"
        columns = spec.key_columns + spec.value_columns
        key_match = " AND ".join(f"t.{c} = s.{c}" for c in spec.key_columns)
        differs = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in spec.value_columns)
        changes = f"stage_changes_{table}"
        drop_temp_table(self.conn, changes)
        on_commit = " ON COMMIT DROP" if dialect == "postgresql" else ""
        self.conn.exec_driver_sql(
            f"CREATE TEMP TABLE {changes}{on_commit} AS "
            f"SELECT t.id AS target_id, {', '.join(f's.{c}' for c in columns)} "
            f"FROM ({source}) s LEFT JOIN {table} t ON {key_match} "
            f"WHERE t.id IS NULL OR {differs}"
        )
        self._maps.append(changes)  # dropped with the map tables
        upload, job = int(self.upload_id), "NULL" if self.job_id is None else str(int(self.job_id))
        if spec is MEASUREMENTS:
            coverage.add_changes(self.conn, changes, upload)
        json_fn = "jsonb_build_object" if dialect == "postgresql" else "json_object"
        previous = ", ".join(f"'{c}', t.{c}" for c in spec.value_columns + ("upload_id", "job_id"))
        updated = self.conn.exec_driver_sql(
            "INSERT INTO upload_overwrites "
            "(upload_id, table_name, row_id, previous_upload_id, previous) "
            f"SELECT {upload}, '{table}', t.id, t.upload_id, {json_fn}({previous}) "
            f"FROM {changes} c JOIN {table} t ON t.id = c.target_id"
        ).rowcount
        if updated:
            assignments = ", ".join(f"{c} = c.{c}" for c in spec.value_columns)
            self.conn.exec_driver_sql(
                f"UPDATE {table} SET {assignments}, upload_id = {upload}, job_id = {job} "
                f"FROM {changes} c WHERE {table}.id = c.target_id"
            )
        names = ", ".join(columns)
        if dialect == "postgresql" and groups - updated >= BULK_THRESHOLD_ROWS:
            # Many new rows: a plain server-side INSERT ... SELECT (no ON CONFLICT; a concurrent
            # upload that inserted one of these keys meanwhile makes this one fail as a whole).
            new = self.conn.exec_driver_sql(
                f"INSERT INTO {table} ({names}, upload_id, job_id) "
                f"SELECT {names}, {upload}, {job} FROM {changes} WHERE target_id IS NULL"
            ).rowcount
            return TableCounts(new=new, updated=updated, unchanged=groups - new - updated)
        # ON CONFLICT covers a concurrent upload that inserted the same key meanwhile.
        excluded = ", ".join(f"{c} = excluded.{c}" for c in spec.value_columns)
        new = self.conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}, upload_id, job_id) "
            f"SELECT {', '.join(columns)}, {upload}, {job} FROM {changes} "
            f"WHERE target_id IS NULL ON CONFLICT ({', '.join(spec.key_columns)}) DO UPDATE SET "
            f"{excluded}, upload_id = excluded.upload_id, job_id = excluded.job_id"
        ).rowcount
        return TableCounts(new=new, updated=updated, unchanged=groups - new - updated)
