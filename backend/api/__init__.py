"""The REST API (FastAPI routers); thin handlers that call ``backend.services`` and
``backend.queries``."""
