"""The web process: one ASGI app with the REST API at ``/api`` (OpenAPI at ``/docs``) and the
Dash UI. ``scalescope serve`` runs ``uvicorn --factory app.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from backend import db
from backend.api import api_router
from backend.api.errors import install_error_handlers
from backend.api.files import clean_stale_spools
from backend.config import get_settings
from backend.services.auth import check_access_settings
from backend.worker.queues import install_job_queue


def create_app(
    database_url: str | None = None, *, dashboard: bool = True, access: str | None = None
) -> FastAPI:
    """The ScaleScope web app on ``database_url`` (default: the configured database);
    ``dashboard=False`` serves the REST API alone (API tests, headless deployments).

    Refuses to start (``DatabaseNotReadyError``, naming ``scalescope db upgrade``) when the
    database schema is not at the migration head. ``access`` ("public" or "private")
    overrides the configured access policy."""
    settings = get_settings()
    url = database_url or settings.database_url
    access = access or settings.access
    secret_key = check_access_settings(
        access=access, secret_key=settings.secret_key, data_dir=settings.data_dir
    )
    engine = db.get_engine(url)
    db.check_at_head(engine)
    clean_stale_spools()  # uploads a killed process left in the temp folder
    install_job_queue(settings)  # Celery with a broker, else the local executor (api/jobs.py)

    app = FastAPI(
        title="ScaleScope",
        summary="Scaling and generalization results: loss-to-loss lines, scaling laws, "
        "frequency-vs-accuracy and effective robustness.",
        docs_url="/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.engine = engine
    app.state.access = access
    app.state.secret_key = secret_key
    app.state.cookie_secure = settings.cookie_secure
    install_error_handlers(app)
    app.include_router(api_router, prefix="/api")

    # --- Dash UI: the dashboard owns "/" and every path that is not /api, /docs or /s/<id>. ---
    if dashboard:
        from app.dash_app import mount_dash

        mount_dash(app)
    return app
