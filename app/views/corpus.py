"""The Corpus page's views: the launch forms' choices and the two launches (concept counting
of a caption corpus, train-test similarity against a corpus's image embeddings), each one call
into ``backend.corpus.jobs``. The jobs then show on the Jobs page like evaluations."""

from __future__ import annotations

from dash import dcc, html

from app.access import ui_username
from app.components.empty_state import empty_state
from app.session import ui_session
from backend.config import CORPUS_ENGINES as ENGINES
from backend.exceptions import ScaleScopeError
from backend.queries import jobs as job_queries
from backend.queries.catalog import list_corpora

VOCABULARIES = {
    "concepts": "concept list",
    "eval_set": "a benchmark's class names",
    "concepts_file": "word-list file",
    "min_count": "every word in at least N captions",
}


#: Checkpoints a picker lists before anything is typed (typing searches all of them): a dropdown
#: indexes every option when it draws, seconds of browser time for thousands.
CHECKPOINT_OPTIONS_LIMIT = 50


def choices() -> dict[str, list[dict]]:
    """Dropdown options: checkpoints (by id; the first few, see :func:`checkpoint_search`),
    benchmarks by id and by name, engines."""
    with ui_session() as session:
        eval_sets = job_queries.eval_set_options(session=session)
        return {
            "checkpoints": job_queries.checkpoint_options(
                session=session, limit=CHECKPOINT_OPTIONS_LIMIT
            ),
            "eval_sets": eval_sets,
            "eval_set_names": [{"label": o["label"], "value": o["label"]} for o in eval_sets],
            "engines": [{"label": "configured default", "value": ""}]
            + [{"label": name, "value": name} for name in ENGINES],
        }


def checkpoint_search(search: str | None, chosen: int | None) -> list[dict]:
    """The checkpoint picker's options for what is typed, the chosen one kept."""
    with ui_session() as session:
        return job_queries.checkpoint_options(
            session=session,
            search=search,
            limit=CHECKPOINT_OPTIONS_LIMIT,
            keep=[chosen] if chosen is not None else [],
        )


def corpora_view() -> html.Div:
    """The corpora with counts, each linking to the frequency explorer; or an empty state."""
    with ui_session() as session:
        corpora = [c for c in list_corpora(session) if c.methods]
    if not corpora:
        return empty_state(
            "No corpus statistics yet",
            "Count how often each concept occurs in your caption corpus with the form below; "
            "the counts then appear on the Frequency page.",
            hint="From a terminal: `scalescope corpus count SHARDS --corpus NAME --eval-set E`.",
            action=None,
        )
    items = [
        html.Li(
            [
                dcc.Link(c.name, href="/frequency"),
                " · "
                + ", ".join(f"{method}: {n:,} concepts" for method, n in sorted(c.methods.items())),
            ]
        )
        for c in corpora
    ]
    return html.Div([html.H2("Counted corpora"), html.Ul(items)], className="corpus-list")


def lines(text: str | None) -> list[str]:
    """Non-empty lines, stripped (one path or glob a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def concept_list(text: str | None) -> list[str]:
    """Concepts one a line or separated by commas."""
    return lines((text or "").replace(",", "\n"))


def count_spec(
    *, corpus, sources, column, vocabulary, concepts, eval_set, concepts_file, min_count, engine
) -> dict:
    """The ``CountSpec`` JSON of the counting form (validated when submitted)."""
    spec: dict = {"corpus": (corpus or "").strip(), "sources": lines(sources)}
    if column and column.strip():
        spec["column"] = column.strip()
    if engine:
        spec["engine"] = engine
    value = {
        "concepts": concept_list(concepts) or None,
        "eval_set": eval_set,
        "concepts_file": (concepts_file or "").strip() or None,
        "min_count": int(min_count) if min_count else None,
    }.get(vocabulary)
    if vocabulary in VOCABULARIES:
        spec[vocabulary] = value
    return spec


def _submitted(submitted) -> html.Span:
    job = submitted.job
    verb = "Queued" if submitted.created else "Already pending:"
    return html.Span(
        [
            f"{verb} job {job.id} ({job.status}). ",
            dcc.Link("Watch it on the Jobs page", href="/jobs"),
        ]
    )


def launch_count(**form) -> html.Span | str:
    """Queue a concept-counting job from the form; a one-line account."""
    from backend.corpus.jobs import submit
    from backend.corpus.tasks import COUNT_KIND

    try:
        with ui_session() as session:
            submitted = submit(
                session=session, kind=COUNT_KIND, spec=count_spec(**form), created_by=ui_username()
            )
            return _submitted(submitted)
    except ScaleScopeError as exc:
        return f"Not launched: {exc}"


def launch_similarity(*, corpus, embeddings, checkpoint_id, eval_set_id, k) -> html.Span | str:
    """Queue a similarity job (benchmark embedded by the checkpoint on the worker)."""
    from backend.corpus.jobs import submit_embedded_similarity

    if not checkpoint_id or not eval_set_id:
        return "Not launched: pick a checkpoint and a benchmark."
    try:
        with ui_session() as session:
            submitted = submit_embedded_similarity(
                session=session,
                corpus=(corpus or "").strip(),
                corpus_embeddings=lines(embeddings),
                checkpoint_id=int(checkpoint_id),
                eval_set_id=int(eval_set_id),
                k=int(k or 5),
                created_by=ui_username(),
            )
            return _submitted(submitted)
    except ScaleScopeError as exc:
        return f"Not launched: {exc}"
