"""Every read that the API and the UI need. The API route and the Dash callback that show the
same thing call the same function here. All functions take a ``Session`` first and keyword
filter arguments; listings return pydantic models (``backend.schemas``), plot reads return
pandas DataFrames with one row per checkpoint.

Catalog (``backend.queries.catalog``) - pickers and tables:
    catalog(session) -> Catalog                      models, eval sets, metrics, corpora, groups
    list_models(session, *, names, families, pretraining_data, search, sort, limit, offset)
                                                     -> list[ModelPublic]  (a page of them)
    count_models(session, *, names, families, pretraining_data, search) -> int
    get_model(session, *, name) -> ModelPublic
    list_checkpoints(session, *, model, limit, offset) -> list[CheckpointPublic]
    list_eval_sets(session, *, kind) -> list[EvalSetPublic]
    list_metrics(session, *, eval_set) -> list[MetricAvailability]   (eval set, metric) + counts
    list_corpora(session) -> list[CorpusPublic]
    attribute_values(session) -> {attribute: [distinct values]}     for group/colour pickers

Measurements (``backend.queries.measurements``):
    list_measurements(session, *, flt, limit, offset, exact_total) -> MeasurementPage (bounded)
    measurements_frame(session, *, flt) -> DataFrame                 long format, for CSV export

Plot frames (``backend.queries.frames``); ``flt`` is a ``MeasurementFilter`` (models,
families, pretraining data, architectures, tokenizers, step and token ranges, final_only);
axes are ``MetricRef(eval_set=..., metric=...)`` (``MetricRef.parse("pile:loss")``).
Columns: checkpoint_id, model, family, architecture, n_params, pretraining_data, tokenizer,
revision, step, tokens_seen, samples_seen, flops, then the values, then free model attributes.
    metric_frame(session, *, metric, flt)                 + value, stderr, n
    metric_pair_frame(session, *, x, y, flt)              + x, x_stderr, y, y_stderr (loss-to-loss)
    train_to_train_frame(session, *, x, y, x_data, y_data, flt)
                                                          matched on N and D across datasets
    learning_curve_frame(session, *, metric, flt)         metric vs step / tokens per model
    scaling_frame(session, *, metric, flt)                + compute (FLOPs or 6ND)
    robustness_frame(session, *, in_distribution, out_of_distribution, flt)   x = ID, y = OOD
    models_frame(session, *, flt)                         one row per model

Frequencies (``backend.queries.frequencies``):
    list_frequencies(session, *, corpus, method, concepts, limit, offset)
    frequency_frame(session, *, corpus, method, eval_set, models, metric)
                                                          concept, count, value per checkpoint
    concept_scores_frame(session, *, eval_set, models, metric)
    pair_frequency_frame(session, *, corpus, method, concepts)   count_ab, count_a, count_b
    eval_sets_with_concept_scores(session) -> list[str]

Coverage (``backend.queries.coverage``):
    read_coverage(session, *, models, families, eval_sets, kind) -> Coverage   axes + measured pairs
    coverage_frame(session, *, models, families, eval_sets, kind, missing) -> DataFrame   the API's

Uploads (``backend.queries.uploads``):
    list_uploads(session, *, include_undone, limit, offset) -> list[UploadPublic]
    count_uploads(session) -> int
    get_upload(session, *, upload_id) -> UploadPublic
"""
