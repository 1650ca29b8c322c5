"""The REST API (FastAPI routers); thin handlers that call ``backend.services`` and
``backend.queries``. ``api_router`` holds every route; ``app.main`` mounts it at ``/api``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from backend.api import (
    aliases,
    auth,
    catalog,
    fits,
    frequencies,
    health,
    measurements,
    merges,
    shares,
    uploads,
    users,
)
from backend.api import corpus as corpus_api
from backend.api import jobs as jobs_api
from backend.api.security import enforce_access_policy

api_router = APIRouter()
# Open to everyone: liveness and logging in.
api_router.include_router(health.router)
api_router.include_router(auth.router)
# Everything else goes through the one access policy (backend.api.security).
_POLICED = (
    aliases,
    catalog,
    measurements,
    merges,
    frequencies,
    fits,
    uploads,
    jobs_api,
    corpus_api,
    shares,
    users,
)
for _module in _POLICED:
    api_router.include_router(_module.router, dependencies=[Depends(enforce_access_policy)])
