"""The Jobs page's help: how to register weights and datasets so that evaluations can run
(the same forms as README's "Register weights and datasets")."""

from __future__ import annotations

from dash import html

from app.components.rich_text import rich_text

ANCHOR = "register-weights"
REGISTER_MARKDOWN = """
An evaluation needs a **checkpoint with weights** and a **benchmark with data**:

- the model's `architecture` is an open_clip model name (`ViT-B-32`, ...) or a custom config in
  its `attributes.open_clip_config`;
- the checkpoint's `weights_uri` is one of
  - `openclip:<pretrained tag>`, an open_clip pretrained tag of that architecture, e.g.
    `openclip:openai` or `openclip:laion2b_s34b_b79k` (downloaded on first use);
  - a weights file (`/data/ckpts/run1/epoch_32.pt` or `file:///...`) under the worker roots
    (`SCALESCOPE_WORKER_ROOTS`; by default `<data dir>/uploads` and `<data dir>/datasets`);
- the benchmark's `attributes` give its data: `path` (under the worker roots), `format`
  (`image_folder`, `csv` or `webdataset`) and optionally `classnames` and `templates`.

A `long_csv` / `long_json` upload sets a checkpoint's `weights_uri` and its model's
`architecture` (columns of the same names); a benchmark's data goes in the `attributes` JSON of
its `eval_sets` row. The demo's `tiny-clip-demo` on `demo-colors` is a ready example.
"""


def register_help() -> html.Details:
    """A folded section that says how to register weights and datasets."""
    return html.Details(
        [
            html.Summary("How to register weights and datasets"),
            rich_text(REGISTER_MARKDOWN, className="jobs-register-help"),
        ],
        id=ANCHOR,
        className="jobs-register",
    )
