"""Corpus statistics: count a caption corpus's concepts and pairs (for the frequency and PMI
plots) or compare a benchmark with a corpus's image embeddings (for the similarity plot). The
jobs run on the workers and show, with progress, cancel and retry (resume), on the Jobs page."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from app.access import requires_role
from app.views import corpus as views

PATH = "/corpus"
NAME, SOURCES, COLUMN = "corpus-name", "corpus-sources", "corpus-column"
VOCABULARY, CONCEPTS, EVAL_SET = "corpus-vocabulary", "corpus-concepts", "corpus-eval-set"
CONCEPTS_FILE, MIN_COUNT, ENGINE = "corpus-concepts-file", "corpus-min-count", "corpus-engine"
COUNT, COUNT_MESSAGE = "corpus-count", "corpus-count-message"
SIM_NAME, SIM_EMBEDDINGS, SIM_K = "similarity-corpus", "similarity-embeddings", "similarity-k"
SIM_CHECKPOINT, SIM_EVAL_SET = "similarity-checkpoint", "similarity-eval-set"
SIM_LAUNCH, SIM_MESSAGE = "similarity-launch", "similarity-message"

dash.register_page(__name__, path=PATH, title="Corpus · ScaleScope", nav_label="Corpus", order=66)


def _field(label: str, component) -> html.Div:
    return html.Div([html.Label(label, htmlFor=component.id), component], className="form-field")


def _count_form(choices: dict) -> html.Div:
    return html.Div(
        [
            html.H2("Count concepts in a caption corpus"),
            _field("Corpus name", dcc.Input(id=NAME, type="text", placeholder="my-corpus")),
            _field(
                "Caption shards (Parquet, CSV or webdataset .tar; paths or globs, one a line)",
                dcc.Textarea(id=SOURCES, placeholder="/data/captions/*.parquet", rows=3),
            ),
            _field("Caption column", dcc.Input(id=COLUMN, type="text", placeholder="caption")),
            _field(
                "Vocabulary",
                dcc.RadioItems(
                    id=VOCABULARY,
                    options=[{"label": v, "value": k} for k, v in views.VOCABULARIES.items()],
                    value="concepts",
                    inline=True,
                ),
            ),
            _field("Concepts (one a line or comma-separated)", dcc.Textarea(id=CONCEPTS, rows=3)),
            _field("Benchmark", dcc.Dropdown(id=EVAL_SET, options=choices["eval_set_names"])),
            _field("Word-list file", dcc.Input(id=CONCEPTS_FILE, type="text")),
            _field("N (minimum captions)", dcc.Input(id=MIN_COUNT, type="number", min=1)),
            _field(
                "Engine",
                dcc.Dropdown(id=ENGINE, options=choices["engines"], value="", clearable=False),
            ),
            html.Div(
                [
                    html.Button("Count", id=COUNT, n_clicks=0, className="button"),
                    html.Span(id=COUNT_MESSAGE, role="status"),
                ],
                className="toolbar",
            ),
        ],
        className="jobs-form",
    )


def _similarity_form(choices: dict) -> html.Div:
    return html.Div(
        [
            html.H2("Train-test similarity"),
            _field("Corpus name", dcc.Input(id=SIM_NAME, type="text", placeholder="my-corpus")),
            _field(
                "Corpus image embeddings (.npy shards; paths or globs, one a line)",
                dcc.Textarea(id=SIM_EMBEDDINGS, placeholder="/data/emb/img_emb_*.npy", rows=2),
            ),
            _field(
                "Checkpoint that embeds the test images (type to search them all)",
                dcc.Dropdown(id=SIM_CHECKPOINT, options=choices["checkpoints"]),
            ),
            _field("Benchmark", dcc.Dropdown(id=SIM_EVAL_SET, options=choices["eval_sets"])),
            _field("Nearest corpus ids kept", dcc.Input(id=SIM_K, type="number", min=1, value=5)),
            html.Div(
                [
                    html.Button("Compare", id=SIM_LAUNCH, n_clicks=0, className="button"),
                    html.Span(id=SIM_MESSAGE, role="status"),
                ],
                className="toolbar",
            ),
        ],
        className="jobs-form",
    )


def layout(**_query) -> html.Div:
    """The two launch forms."""
    choices = views.choices()
    return html.Div(
        [
            html.H1("Corpus statistics"),
            html.P(
                [
                    "Compute concept and pair counts, or train-test similarity, from your own "
                    "pretraining corpus. Jobs run on the workers; follow, cancel or resume them "
                    "on the ",
                    dcc.Link("Jobs page", href="/jobs"),
                    ". Results appear in the Frequency and Similarity explorers.",
                ],
                className="lead",
            ),
            views.corpora_view(),
            _count_form(choices),
            _similarity_form(choices),
        ]
    )


@callback(
    Output(SIM_CHECKPOINT, "options"),
    Input(SIM_CHECKPOINT, "search_value"),
    State(SIM_CHECKPOINT, "value"),
    prevent_initial_call=True,
)
def search_checkpoints(search, chosen):
    """The checkpoints matching what is typed, the chosen one kept."""
    return views.checkpoint_search(search, chosen)


@callback(
    Output(COUNT_MESSAGE, "children"),
    Input(COUNT, "n_clicks"),
    State(NAME, "value"),
    State(SOURCES, "value"),
    State(COLUMN, "value"),
    State(VOCABULARY, "value"),
    State(CONCEPTS, "value"),
    State(EVAL_SET, "value"),
    State(CONCEPTS_FILE, "value"),
    State(MIN_COUNT, "value"),
    State(ENGINE, "value"),
    prevent_initial_call=True,
)
@requires_role("editor")
def count(_n, corpus, sources, column, vocabulary, concepts, eval_set, concepts_file, n, engine):
    """Queue a counting job."""
    return views.launch_count(
        corpus=corpus,
        sources=sources,
        column=column,
        vocabulary=vocabulary,
        concepts=concepts,
        eval_set=eval_set,
        concepts_file=concepts_file,
        min_count=n,
        engine=engine,
    )


@callback(
    Output(SIM_MESSAGE, "children"),
    Input(SIM_LAUNCH, "n_clicks"),
    State(SIM_NAME, "value"),
    State(SIM_EMBEDDINGS, "value"),
    State(SIM_CHECKPOINT, "value"),
    State(SIM_EVAL_SET, "value"),
    State(SIM_K, "value"),
    prevent_initial_call=True,
)
@requires_role("editor")
def compare(_n, corpus, embeddings, checkpoint_id, eval_set_id, k):
    """Queue a similarity job."""
    return views.launch_similarity(
        corpus=corpus,
        embeddings=embeddings,
        checkpoint_id=checkpoint_id,
        eval_set_id=eval_set_id,
        k=k,
    )
