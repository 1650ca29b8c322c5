"""Dataset and checkpoint locations that are URLs are refused without any network access:
the worker reads local files only (under its roots), never fetches what a job names."""

from __future__ import annotations

import socket

import pytest

from backend.evaluation.sources import index_dataset
from backend.evaluation.specs import ZERO_SHOT, DatasetSpec, ModelSpec
from backend.exceptions import ScaleScopeError

REMOTE = (
    "https://example.com/shards/test-{000..002}.tar",
    "http://169.254.169.254/latest/meta-data",
    "pipe:curl -s https://example.com/test-000.tar",
    "s3://bucket/test-000.tar",
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the worker tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("location", REMOTE)
@pytest.mark.parametrize("data_format", ["webdataset", "image_folder", "csv"])
def test_remote_dataset_locations_are_refused(no_network, tmp_path, location, data_format):
    spec = DatasetSpec(
        name="remote",
        path=location,
        format=data_format,
        classnames=["a", "b"],
        allowed_roots=(str(tmp_path),),
    )
    with pytest.raises(ScaleScopeError):
        index_dataset(spec, task=ZERO_SHOT)


@pytest.mark.parametrize("location", ["https://example.com/m.pt", "s3://b/m.pt", "ftp://h/m.pt"])
def test_remote_checkpoints_are_refused(location):
    with pytest.raises(ValueError, match="not supported"):
        ModelSpec(architecture="ViT-B-32", checkpoint=location)
