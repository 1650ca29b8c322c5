"""Running evaluation jobs: the Celery app and task, the embedded local executor, and the one
function both run (:func:`backend.worker.runner.run_job`). Jobs travel as ids, never ORM
objects; torch is imported only when a job runs (through ``backend.evaluation``)."""
