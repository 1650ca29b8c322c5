"""Zero-shot evaluation speed: ScaleScope's ``run_evaluation`` against the open_clip /
CLIP_benchmark reference loop (``open_clip.build_zero_shot_classifier`` + a plain loop over a
torchvision ImageFolder), same model, same images, same batch size and loader workers,
interleaved in one run.

    .venv/bin/python bench/bench_evaluation.py                         # tiny model, CPU
    .venv/bin/python bench/bench_evaluation.py --model ViT-B-32 --images 256
    .venv/bin/python bench/bench_evaluation.py --device cuda --model ViT-B-32 --images 5000

Both sides share one model object and time the data index, the classifier build and the pass
over the images (model building and a first, warm-up pass excluded) and report images/s; the
ratio is ours / reference (>1: faster). On CUDA the GPU utilization is sampled while each
side runs (``nvidia-smi``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import open_clip
import torch
import torchvision
from _report import add_json_argument, write_result

from backend.evaluation import ModelSpec, RunOptions, ZeroShotSpec
from backend.evaluation.device import pick_device
from backend.evaluation.factory import build_model
from backend.evaluation.loading import loader_workers
from backend.evaluation.sources import index_dataset
from backend.evaluation.specs import DatasetSpec
from backend.evaluation.testing import TINY_ARCH, tiny_model_spec, write_synthetic_benchmark
from backend.evaluation.zeroshot import run_zero_shot

TEMPLATES = ("a photo of a {}.", "a bad photo of the {}.", "art of the {}.", "itap of a {}.")


def quiet(fraction: float, message: str) -> None:
    """No progress output."""


def no() -> bool:
    """Never cancel."""
    return False


class GpuSampler:
    """Mean GPU utilization (%) from ``nvidia-smi`` while the block runs (None on CPU)."""

    def __init__(self, device: torch.device):
        self.active = device.type == "cuda"
        self.samples: list[float] = []
        self._stop = threading.Event()

    def _loop(self) -> None:
        index = str(torch.cuda.current_device())
        while not self._stop.is_set():
            try:
                out = subprocess.run(
                    [
                        "nvidia-smi",
                        "-i",
                        index,
                        "--query-gpu=utilization.gpu",
                        "--format=csv,noheader,nounits",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=5,
                    check=True,
                ).stdout
                self.samples.append(float(out.strip().splitlines()[0]))
            except (OSError, subprocess.SubprocessError, ValueError, IndexError):
                return
            self._stop.wait(0.2)

    def __enter__(self) -> GpuSampler:
        if self.active:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.active:
            self._stop.set()
            self._thread.join()

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.samples) if self.samples else None


def reference_zero_shot(model, preprocess, tokenizer, folder, classnames, args, device):
    """The open_clip / CLIP_benchmark loop: classifier, then encode, normalize, top-k."""
    amp = device.type == "cuda"
    cast = torch.autocast("cuda", dtype=torch.bfloat16) if amp else nullcontext()
    started = time.perf_counter()
    with cast:
        classifier = open_clip.build_zero_shot_classifier(
            model, tokenizer, classnames, TEMPLATES, num_classes_per_batch=10, device=device
        )
    dataset = torchvision.datasets.ImageFolder(str(folder), transform=preprocess)
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=args.batch_size,
        shuffle=False,
        num_workers=args.workers,
        pin_memory=amp,
    )
    top1 = n = 0
    with torch.no_grad():
        for images, target in loader:
            images, target = images.to(device), target.to(device)
            with cast:
                features = model.encode_image(images)
                features = features / features.norm(dim=-1, keepdim=True)
                logits = 100.0 * features @ classifier
            top1 += int((logits.topk(1, dim=1).indices[:, 0] == target).sum())
            n += len(target)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return n / (time.perf_counter() - started), top1 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=TINY_ARCH, help="open_clip name (random weights)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--images", type=int, default=960)
    parser.add_argument("--image-size", type=int, default=256, help="side of the PNGs written")
    parser.add_argument("--batch-size", type=int, default=None, help="64 on CPU, 256 on CUDA")
    parser.add_argument("--workers", type=int, default=None, help="2 on CPU, up to 8 on CUDA")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--repeats", type=int, default=3)
    add_json_argument(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    args.batch_size = args.batch_size or (256 if device.type == "cuda" else 64)
    args.workers = loader_workers(args.workers, device)

    classes = 8
    with tempfile.TemporaryDirectory() as tmp:
        bench = write_synthetic_benchmark(
            Path(tmp), per_class=max(1, args.images // classes), image_size=args.image_size
        )
        if args.model == TINY_ARCH:
            model_spec = tiny_model_spec(None)
        else:
            model_spec = ModelSpec(architecture=args.model, random_weights=True)
        spec = ZeroShotSpec(
            model=model_spec,
            dataset=DatasetSpec(name="bench", path=str(bench.folder), templates=list(TEMPLATES)),
            options=RunOptions(
                batch_size=args.batch_size, num_workers=args.workers, device=str(device)
            ),
        )
        torch.manual_seed(0)
        loaded = build_model(model_spec, device=device)
        ref_args = (loaded.model, loaded.preprocess, loaded.tokenizer, bench.folder)

        def ours():
            # run_evaluation minus the model build (both sides share one model object).
            started = time.perf_counter()
            data = index_dataset(spec.dataset, task=spec.task)
            result = run_zero_shot(loaded, data, spec.options, progress=quiet, should_cancel=no)
            if device.type == "cuda":
                torch.cuda.synchronize()
            return result.n_samples / (time.perf_counter() - started), result.metric("top1").value

        def reference():
            return reference_zero_shot(*ref_args, bench.classnames, args, device)

        print(
            f"model {args.model} (random weights), device {device}, {bench.n_images} images "
            f"{args.image_size}px, batch {args.batch_size}, {args.workers} loader workers, "
            f"{args.threads} threads"
        )
        ours(), reference()  # warm-up: page cache, kernels, allocator
        rates: dict[str, list[float]] = {"scalescope": [], "reference": []}
        utils: dict[str, list[float]] = {"scalescope": [], "reference": []}
        accs: dict[str, float] = {}
        for repeat in range(args.repeats):
            sides = [("scalescope", ours), ("reference", reference)]
            for name, fn in sides if repeat % 2 == 0 else sides[::-1]:  # alternate the order
                with GpuSampler(device) as gpu:
                    rate, acc = fn()
                rates[name].append(rate)
                accs[name] = acc
                if gpu.mean is not None:
                    utils[name].append(gpu.mean)
                print(f"  repeat {repeat}: {name:10s} {rate:8.1f} images/s  top1 {acc:.4f}")
        for name in rates:
            util = f", GPU util {statistics.fmean(utils[name]):.0f}%" if utils[name] else ""
            print(f"{name:10s} median {statistics.median(rates[name]):8.1f} images/s{util}")
        ratio = statistics.median(rates["scalescope"]) / statistics.median(rates["reference"])
        same_top1 = abs(accs["scalescope"] - accs["reference"]) < 1e-9
        print(f"ratio scalescope/reference: {ratio:.2f}  (top1 equal: {same_top1})")
    figures = {
        "device": str(device),
        "images": bench.n_images,
        "batch_size": args.batch_size,
        "loader_workers": args.workers,
        "threads": args.threads,
        **{f"{name}_images_per_s": statistics.median(rates[name]) for name in rates},
        **{f"{name}_gpu_util_pct": statistics.fmean(utils[name]) for name in utils if utils[name]},
        "ratio_scalescope_to_reference": ratio,
        "top1_equal": same_top1,
    }
    aims = {"top1_equal": "== true"}
    write_result("bench_evaluation", figures, aims, args.json)


if __name__ == "__main__":
    main()
