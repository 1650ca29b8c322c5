"""Loaders of the published data (``backend/demo/data``, ``tests/data``) the analysis tests use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def chinchilla_points(demo_data_dir):
    """Besiroglu et al. (2024) points from Hoffmann et al. Fig. 4, five highest losses dropped.

    Their notebook keeps runs with loss < the 5th largest loss (240 of 245 runs); D = C / 6N.
    """
    frame = pd.read_csv(demo_data_dir / "chinchilla_epoch" / "svg_extracted_data.csv")
    n = frame["Model Size"].to_numpy()
    d = frame["Training FLOP"].to_numpy() / (6 * n)
    loss = frame["loss"].to_numpy()
    keep = loss < np.sort(loss)[-5]
    return n[keep], d[keep], loss[keep]


@pytest.fixture(scope="session")
def kempner_sweep(demo_data_dir):
    """Brandfonbrener et al. (2024) sweep of small LLM runs."""
    return pd.read_csv(demo_data_dir / "loss_to_loss_kempner" / "sweep.csv")


@pytest.fixture(scope="session")
def kempner_params(test_data_dir):
    """The authors' own scaling-law fits on their sweep (opt_params_data.csv)."""
    return pd.read_csv(test_data_dir / "loss_to_loss_kempner" / "opt_params_data.csv")
