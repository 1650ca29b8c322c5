"""Train-test similarity figure (Mayilvahanan et al. 2024): test accuracy against how similar
the test images are to the pretraining corpus (max cosine similarity of CLIP embeddings)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.figures.base import empty_figure, new_figure
from app.palette import color_for


def make_similarity_figure(bins: pd.DataFrame | None, per_class: pd.DataFrame | None) -> go.Figure:
    """``bins`` (similarity, accuracy, n_images): per-image accuracy in equal-count similarity
    bins, as a line; ``per_class`` (concept, mean_similarity, accuracy, model): each class's
    zero-shot accuracy against its images' mean similarity, as points per model."""
    has_bins = bins is not None and not bins.empty
    has_classes = per_class is not None and not per_class.empty
    if not has_bins and not has_classes:
        return empty_figure("No per-image correctness or per-class scores for this selection")
    fig = new_figure(
        x_title="max cosine similarity to the pretraining corpus",
        y_title="accuracy",
        legend_title="",
    )
    if has_classes:
        for model, rows in per_class.groupby("model", sort=True):
            fig.add_trace(
                go.Scatter(
                    x=rows["mean_similarity"],
                    y=rows["accuracy"],
                    mode="markers",
                    name=f"{model} (per class)",
                    marker={"color": color_for(str(model)), "size": 7, "opacity": 0.7},
                    text=rows["concept"],
                    hovertemplate="%{text}<br>similarity %{x:.3f}<br>accuracy %{y:.1%}",
                )
            )
    if has_bins:
        fig.add_trace(
            go.Scatter(
                x=bins["similarity"],
                y=bins["accuracy"],
                mode="lines+markers",
                name="test images (similarity bins)",
                marker={"symbol": "diamond", "size": 10, "color": "#1f2933"},
                line={"color": "#1f2933", "width": 1.5},
                customdata=bins["n_images"],
                hovertemplate="similarity %{x:.3f}<br>accuracy %{y:.1%}<br>%{customdata} images",
            )
        )
    fig.update_yaxes(tickformat=".0%")
    return fig
