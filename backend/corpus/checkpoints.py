"""Per-shard checkpoints: a long counting run resumes where it stopped.

A run's checkpoints live in ``<root>/<run key>/``, the run key hashing everything that changes
the counts (method, vocabulary, caption column, whether pairs are counted). Each finished shard
leaves one JSON file named by its index and a hash of its path, size and modification time, so
an edited or replaced shard is counted again. Files are written atomically (temp + rename).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from backend.corpus.counts import ShardCounts
from backend.corpus.readers import Shard


def run_key(*, method: str, vocabulary_fingerprint: str, column: str, pairs: bool) -> str:
    """The name of a run's checkpoint folder."""
    payload = json.dumps([method, vocabulary_fingerprint, column, pairs])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class CheckpointStore:
    """Finished shards of one counting run, one JSON file each."""

    def __init__(self, root: str | Path, key: str):
        self.folder = Path(root) / key
        self.folder.mkdir(parents=True, exist_ok=True)

    def _file(self, shard: Shard) -> Path:
        stat = os.stat(shard.path)
        identity = f"{os.path.abspath(shard.path)}|{stat.st_size}|{stat.st_mtime_ns}"
        digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
        return self.folder / f"shard-{shard.index:06d}-{digest}.json"

    def load(self, shard: Shard) -> ShardCounts | None:
        """The shard's saved counts, or None when it has not been finished (or changed)."""
        path = self._file(shard)
        if not path.is_file():
            return None
        try:
            return ShardCounts.from_json(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError):
            return None  # a damaged checkpoint is recounted

    def save(self, shard: Shard, counts: ShardCounts) -> None:
        """Keep a finished shard's counts."""
        path = self._file(shard)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(counts.to_json()))
        os.replace(tmp, path)
