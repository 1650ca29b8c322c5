"""``scalescope corpus count`` and ``scalescope corpus similarity``: corpus statistics from the
command line (the same tasks the job queue runs; see ``backend.corpus.tasks``)."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from backend import db
from backend.config import get_settings


def register(subparsers) -> None:
    """Add the ``corpus`` command group."""
    corpus = subparsers.add_parser(
        "corpus", help="pretraining-corpus statistics: concept counts, train-test similarity"
    )
    actions = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")

    count = actions.add_parser(
        "count",
        help="count documents per concept and concept pair of a caption corpus",
        description="Count, per concept of a vocabulary, the caption documents that mention it "
        "(and per pair of concepts), then store them as the corpus's concept frequencies. "
        "Finished shards are checkpointed: running the same command again resumes.",
    )
    count.add_argument("sources", nargs="+", help="caption shards: files, folders or globs")
    count.add_argument("--corpus", required=True, help="name to store the counts under")
    count.add_argument("--column", default="caption", help="caption column (tar: extension)")
    vocab = count.add_mutually_exclusive_group(required=True)
    vocab.add_argument("--concepts", help="comma-separated concept names")
    vocab.add_argument("--concepts-file", help="word list: one name per line, or JSON")
    vocab.add_argument("--eval-set", help="the class names of this eval set")
    vocab.add_argument("--min-count", type=int, help="every word in at least N documents")
    count.add_argument("--engine", choices=["duckdb", "spark"], help="default: configured")
    count.add_argument("--no-pairs", action="store_true", help="skip concept pair counts")
    count.add_argument("--no-store", action="store_true", help="print, do not store")
    count.add_argument("--output", help="also write the counts to this JSON file")
    count.add_argument("--submit", action="store_true", help="queue as a job, do not run here")
    count.set_defaults(func=_count)

    sim = actions.add_parser(
        "similarity",
        help="max cosine similarity of test embeddings to a corpus's image embeddings",
    )
    sim.add_argument("--corpus", required=True)
    sim.add_argument("--eval-set", required=True)
    test_side = sim.add_mutually_exclusive_group(required=True)
    test_side.add_argument("--test-embeddings", help=".npy, one row per test image")
    test_side.add_argument(
        "--evaluation-spec",
        help="JSON zero-shot evaluation spec (model, dataset, options): embed its images here",
    )
    sim.add_argument("--device", help="run the products with torch on this device (cuda)")
    sim.add_argument("--samples-file", help="CSV sample[,label] or one name per line")
    sim.add_argument(
        "--corpus-embeddings", nargs="+", required=True, help=".npy shards, folders or globs"
    )
    sim.add_argument("--embedding-model", default="unknown-model", help="recorded in the method")
    sim.add_argument("--k", type=int, default=5, help="nearest corpus rows kept per image")
    sim.add_argument("--search", choices=["auto", "exact", "faiss"], default="auto")
    sim.add_argument("--no-store", action="store_true")
    sim.add_argument("--output", help="also write per-image results to this CSV file")
    sim.add_argument("--submit", action="store_true", help="queue as a job, do not run here")
    sim.set_defaults(func=_similarity)


def _engine():
    engine = db.get_engine(get_settings().database_url)
    db.check_at_head(engine)
    return engine


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:6.1%}] {message}", file=sys.stderr)


def _submit(kind: str, spec: dict) -> int:
    from backend.corpus.jobs import submit

    with db.session_scope(_engine()) as session:
        submitted = submit(session=session, kind=kind, spec=spec, created_by="cli")
        job_id, status = submitted.job.id, submitted.job.status
    state = "queued" if submitted.created else f"already {status} (identical job)"
    print(f"job {job_id}: {state}; follow it with `scalescope jobs` or on the Jobs page")
    return 0


def _read_json(path: str) -> dict:
    from backend.exceptions import IngestError, IngestProblem

    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise IngestError(IngestProblem(f"unreadable JSON spec: {exc}", file=path)) from exc


def _count(args: argparse.Namespace) -> int:
    from backend.corpus.tasks import COUNT_KIND, run_count

    spec = {
        "corpus": args.corpus,
        "sources": args.sources,
        "column": args.column,
        "engine": args.engine,
        "pairs": not args.no_pairs,
    }
    if args.concepts is not None:
        spec["concepts"] = [c.strip() for c in args.concepts.split(",") if c.strip()]
    elif args.concepts_file is not None:
        spec["concepts_file"] = args.concepts_file
    elif args.eval_set is not None:
        spec["eval_set"] = args.eval_set
    else:
        spec["min_count"] = args.min_count
    if args.submit:
        return _submit(COUNT_KIND, spec)
    store = not args.no_store
    engine = _engine() if store or args.eval_set else None
    result = run_count(spec, engine=engine, progress=_progress, store=store, source="cli")
    counts = result.pop("counts")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    **result,
                    "concepts": counts.concepts,
                    "pairs": [[a, b, n] for (a, b), n in counts.pairs.items()],
                },
                handle,
                indent=1,
            )
    print(
        f"{result['n_documents']:,} documents in {result['n_shards']} shards "
        f"({result['resumed_shards']} resumed), engine {result['engine']}: "
        f"{result['concepts_found']} of {result['n_concepts']} concepts found, "
        f"{result['n_pairs']:,} co-occurring pairs (method {result['method']})"
    )
    if result["skipped_concepts"]:
        print(f"skipped (no content word): {', '.join(result['skipped_concepts'])}")
    if store:
        print(f"stored as upload {result['upload_id']} for corpus {args.corpus!r}")
    return 0


def _similarity(args: argparse.Namespace) -> int:
    from backend.corpus.tasks import SIMILARITY_KIND, run_similarity

    spec = {
        "corpus": args.corpus,
        "eval_set": args.eval_set,
        "corpus_embeddings": args.corpus_embeddings,
        "test_embeddings": args.test_embeddings,
        "evaluation": _read_json(args.evaluation_spec) if args.evaluation_spec else None,
        "device": args.device,
        "samples_file": args.samples_file,
        "embedding_model": args.embedding_model,
        "k": args.k,
        "search": args.search,
    }
    if args.submit:
        return _submit(SIMILARITY_KIND, spec)
    store = not args.no_store
    summary = run_similarity(
        spec, engine=_engine() if store else None, progress=_progress, store=store, source="cli"
    )
    result, samples = summary.pop("result"), summary.pop("samples")
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["sample", "similarity", "nearest_ids"])
            for name, value, ids in zip(
                samples, result.similarity, result.nearest_ids, strict=True
            ):
                writer.writerow([name, f"{value:.6f}", " ".join(map(str, ids))])
    print(
        f"{summary['n_test']:,} test images vs {summary['n_corpus']:,} corpus embeddings "
        f"({result.method}): mean max-similarity {summary['mean_similarity']:.4f}, "
        f"highest {summary['max_similarity']:.4f}"
    )
    if store:
        print(f"stored as upload {summary['upload_id']} ({summary['rows']} rows)")
    return 0
