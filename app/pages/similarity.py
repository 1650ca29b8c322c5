"""Train-test similarity page: accuracy against how close test images are to the corpus."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from app import ids
from app.components.empty_state import empty_state
from app.session import ui_session
from app.views.similarity import build_similarity_view, choice_options

PATH = "/similarity"

dash.register_page(
    __name__, path=PATH, title="Similarity · ScaleScope", nav_label="Similarity", order=35
)


def layout(**_query) -> html.Div:
    """The page: one picker (eval set × corpus × method) and the figure."""
    with ui_session() as session:
        options = choice_options(session)
        if not options:
            return html.Div(
                [
                    html.H2("Train-test similarity"),
                    empty_state(
                        "No train-test similarities yet",
                        "This page plots accuracy against how close each test image is to the "
                        "pretraining data. Compare a benchmark's images with your corpus's "
                        "image embeddings (clip-retrieval `img_emb/*.npy`) on the Corpus page; "
                        "the result appears here when the job finishes.",
                        hint="From a terminal: `scalescope corpus similarity --corpus NAME "
                        "--eval-set E --test-embeddings T.npy --corpus-embeddings DIR`.",
                        action=("Compare a benchmark with a corpus", "/corpus"),
                    ),
                ]
            )
        figure, summary = build_similarity_view(session, options[0]["value"])
    return html.Div(
        [
            html.H2("Accuracy vs train-test similarity"),
            html.P(
                "Each test image's maximum cosine similarity to the pretraining corpus's image "
                "embeddings (Mayilvahanan et al. 2024). Diamonds: accuracy of the test images in "
                "ten equal-count similarity bins; points: each class's zero-shot accuracy "
                "against its images' mean similarity, per model.",
                className="lead",
            ),
            dcc.Dropdown(
                id=ids.SIMILARITY_CHOICE,
                options=options,
                value=options[0]["value"],
                clearable=False,
            ),
            dcc.Graph(id=ids.SIMILARITY_GRAPH, figure=figure),
            html.P(summary, id=ids.SIMILARITY_SUMMARY, className="muted"),
        ]
    )


@callback(
    Output(ids.SIMILARITY_GRAPH, "figure"),
    Output(ids.SIMILARITY_SUMMARY, "children"),
    Input(ids.SIMILARITY_CHOICE, "value"),
    prevent_initial_call=True,
)
def update(choice):
    """Picker -> stored similarities -> figure."""
    with ui_session() as session:
        return build_similarity_view(session, choice)
