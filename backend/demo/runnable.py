"""The demo's runnable evaluation: a tiny open_clip checkpoint and a tiny labelled image set,
made at demo time when the ``worker`` extra is installed (seconds on CPU), and registered with
a ``weights_uri`` and a dataset path so that a newcomer can launch a real evaluation from the
Jobs page and watch it finish.

The files are written by a child process (``python -m backend.demo.runnable ROOT``), so torch
never loads into the web process that ``scalescope demo`` becomes. They lie under
``<data dir>/datasets/demo-tiny`` (or the first of ``SCALESCOPE_WORKER_ROOTS``), where jobs may
read them (``backend.services.file_roots``). Registering again changes nothing.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from backend import db
from backend.config import Settings, get_settings
from backend.evaluation.tiny_config import TINY_ARCH, TINY_CONFIG, TRAIN_TEMPLATES
from backend.extras import missing_modules
from backend.models import Checkpoint, EvalSet, Model
from backend.services import file_roots

MODEL_NAME = "tiny-clip-demo"
REVISION = "step40"
EVAL_SET_NAME = "demo-colors"
TRAIN_STEPS = 40
PER_CLASS = 6
N_CLASSES = 8


@dataclass(frozen=True)
class RunnableDemo:
    """Where the runnable demo's files lie and the ids of its rows."""

    root: Path
    checkpoint_id: int
    eval_set_id: int

    @property
    def weights(self) -> Path:
        """The tiny checkpoint file."""
        return self.root / "tiny.pt"

    @property
    def images(self) -> Path:
        """The labelled images (one folder per class)."""
        return self.root / "colors" / "folder"


def assets_root(settings: Settings | None = None) -> Path:
    """Where the demo writes its runnable files: under a folder jobs may read."""
    settings = settings or get_settings()
    if settings.worker_roots:
        return file_roots.allowed_roots(settings)[0] / "scalescope-demo-tiny"
    return Path(settings.data_dir).expanduser().resolve() / "datasets" / "demo-tiny"


def build_assets(root: Path) -> None:
    """Write the images and train the checkpoint under ``root``, in a child process (torch
    stays out of this one); ``RuntimeError`` with the child's output when it fails."""
    if (root / "tiny.pt").is_file() and (root / "colors" / "folder").is_dir():
        return
    result = subprocess.run(
        [sys.executable, "-m", "backend.demo.runnable", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building the demo's tiny model failed:\n{result.stderr[-2000:]}")


def register(*, engine: Engine, root: Path) -> RunnableDemo:
    """The tiny model, its checkpoint (``weights_uri`` = the file) and the image set as a
    benchmark (``attributes.path``); rows already there are kept, their paths updated."""
    with db.session_scope(engine) as session:
        model = session.scalar(select(Model).where(Model.name == MODEL_NAME))
        if model is None:
            model = Model(name=MODEL_NAME, family="tiny-clip-demo")
            session.add(model)
        model.architecture = TINY_ARCH
        model.pretraining_data = "synthetic colours"
        model.attributes = {"open_clip_config": TINY_CONFIG, "demo": "runnable"}
        session.flush()
        checkpoint = session.scalar(
            select(Checkpoint).where(
                Checkpoint.model_id == model.id, Checkpoint.revision == REVISION
            )
        )
        if checkpoint is None:
            checkpoint = Checkpoint(model_id=model.id, revision=REVISION, step=TRAIN_STEPS)
            session.add(checkpoint)
        checkpoint.weights_uri = str(root / "tiny.pt")
        eval_set = session.scalar(select(EvalSet).where(EvalSet.name == EVAL_SET_NAME))
        if eval_set is None:
            eval_set = EvalSet(name=EVAL_SET_NAME, kind="benchmark")
            session.add(eval_set)
        eval_set.task = "zero_shot_classification"
        eval_set.n_classes = N_CLASSES
        eval_set.chance_accuracy = 1 / N_CLASSES
        eval_set.attributes = {
            "path": str(root / "colors" / "folder"),
            "format": "image_folder",
            "templates": list(TRAIN_TEMPLATES),
        }
        session.commit()
        return RunnableDemo(root=root, checkpoint_id=checkpoint.id, eval_set_id=eval_set.id)


def prepare(*, engine: Engine, root: Path | None = None) -> RunnableDemo | None:
    """Build and register the runnable demo when the ``worker`` extra is installed; None
    (nothing written) on the light install."""
    if missing_modules("worker"):
        return None
    root = root or assets_root()
    build_assets(root)
    return register(engine=engine, root=root)


def _build(root: Path) -> None:
    """The child process's work: images, then a few training steps on one CPU thread."""
    import torch

    from backend.evaluation import tiny

    torch.set_num_threads(1)
    bench = tiny.write_synthetic_benchmark(root / "colors", per_class=PER_CLASS)
    partial = root / "tiny.pt.partial"
    tiny.train_tiny_checkpoint(partial, bench, steps=TRAIN_STEPS, batch_size=16)
    partial.replace(root / "tiny.pt")  # complete or absent, never half written


if __name__ == "__main__":
    _build(Path(sys.argv[1]))
