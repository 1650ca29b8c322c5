"""The landing page: what is stored, and one card per explorer."""

from __future__ import annotations

import dash
from dash import dcc, html

from app import ids
from app.components.empty_state import empty_state
from app.session import ui_session
from backend.queries import catalog

dash.register_page(__name__, path="/", title="ScaleScope", order=0)

CARDS = (
    (
        "/loss-to-loss",
        "Loss-to-loss",
        "Shifted power laws between two losses: data determines the line.",
    ),
    (
        "/scaling",
        "Scaling",
        "Loss against compute, parameters or tokens; Chinchilla fits and "
        "the compute-optimal frontier.",
    ),
    (
        "/frequency",
        "Frequency",
        "Per-concept accuracy against pretraining frequency; "
        "log-linear fits, compositions and PMI.",
    ),
    (
        "/robustness",
        "Robustness",
        "ID against OOD accuracy on logit or probit axes; effective robustness per model.",
    ),
    ("/models", "Models", "Every model and checkpoint with its attributes and learning curves."),
    ("/coverage", "Coverage", "Which model has been measured on which benchmark."),
    ("/upload", "Upload", "Drop an evaluation file, preview it, import it, undo it."),
)


def _stat(value: int, label: str) -> html.Div:
    return html.Div([html.Strong(f"{value:,}"), html.Span(label)], className="stat")


def _summary() -> tuple[int, int, int, int]:
    with ui_session() as session:
        models = catalog.list_models(session)
        metrics = catalog.list_metrics(session)
    return (
        len(models),
        sum(model.n_checkpoints for model in models),
        len({metric.eval_set for metric in metrics}),
        sum(metric.n_measurements for metric in metrics),
    )


def layout(**_query) -> html.Div:
    """Counts of what is stored, then the explorers."""
    n_models, n_checkpoints, n_eval_sets, n_measurements = _summary()
    stats = html.Div(
        [
            _stat(n_models, "models"),
            _stat(n_checkpoints, "checkpoints"),
            _stat(n_eval_sets, "eval sets"),
            _stat(n_measurements, "measurements"),
        ],
        className="stats",
        id=ids.HOME_SUMMARY,
    )
    cards = html.Div(
        [
            dcc.Link([html.H3(title), html.P(text)], href=href, className="card")
            for href, title, text in CARDS
        ],
        className="cards",
    )
    intro = html.Div(
        [
            html.H1("ScaleScope"),
            html.P(
                "Scaling and generalization results in one place: loss-to-loss lines, "
                "Chinchilla scaling laws, frequency-vs-accuracy and effective robustness, "
                "fitted in the browser and shareable as links.",
                className="lead",
            ),
        ]
    )
    children = [intro, stats]
    if n_models == 0:
        children.append(empty_state("The database is empty", "There are no models yet."))
    children.append(cards)
    return html.Div(children, className="home")
