"""Domain errors to HTTP responses, in one place.

Every error body is ``{"error": <kind>, "detail": <message>, "problems": [...]}``; problems
name the file, row and column of bad input where known."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import psycopg
import pydantic
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import exceptions as exc
from backend.schemas.common import ErrorPublic

log = logging.getLogger(__name__)

# Most specific first: the first matching class decides the status code.
STATUS_CODES: list[tuple[type[exc.ScaleScopeError], int]] = [
    (exc.NotFoundError, 404),
    (exc.ConflictError, 409),
    (exc.ValidationError, 422),
    (exc.AuthenticationError, 401),
    (exc.PermissionDeniedError, 403),
    (exc.TooManyRequestsError, 429),
    (exc.DatabaseNotReadyError, 503),
    (exc.ServiceUnavailableError, 503),
]


def status_code_for(error: exc.ScaleScopeError) -> int:
    """The HTTP status of a domain error (500 for a kind not listed)."""
    for kind, code in STATUS_CODES:
        if isinstance(error, kind):
            return code
    return 500


def error_body(kind: str, detail: str, problems: list[dict] | None = None) -> dict:
    """The JSON body every error response has."""
    return {"error": kind, "detail": detail, "problems": problems or []}


DATABASE_DOWN = "the database cannot be reached; try again later"


def _domain_error(_request: Request, error: exc.ScaleScopeError) -> JSONResponse:
    problems = [p.to_dict() for p in getattr(error, "problems", [])]
    detail = str(error)
    if isinstance(error, exc.ServiceUnavailableError):  # the driver's text names the host
        log.warning("%s", error)
        detail = DATABASE_DOWN
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, exc.AuthenticationError) else None
    if isinstance(error, exc.TooManyRequestsError):
        headers = {"Retry-After": str(error.retry_after_s)}
    return JSONResponse(
        error_body(type(error).__name__, detail, problems),
        status_code=status_code_for(error),
        headers=headers,
    )


def _problems_of(errors) -> list[dict]:
    problems = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query")]
        problems.append(
            {
                "message": item.get("msg", "invalid"),
                "file": None,
                "row": None,
                "column": ".".join(location) or None,
            }
        )
    return problems


def _request_invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = _problems_of(error.errors())
    detail = "; ".join(f"{p['column']}: {p['message']}" for p in problems) or "invalid request"
    return JSONResponse(
        jsonable_encoder(error_body("ValidationError", detail, problems)), status_code=422
    )


def _model_invalid(_request: Request, error: pydantic.ValidationError) -> JSONResponse:
    problems = _problems_of(error.errors(include_url=False))
    detail = "; ".join(f"{p['column'] or 'input'}: {p['message']}" for p in problems)
    return JSONResponse(
        jsonable_encoder(error_body("ValidationError", detail, problems)), status_code=422
    )


def _database_down(_request: Request, error: OperationalError) -> JSONResponse:
    """503 without the driver's message, which names the database host (it is logged)."""
    log.warning("the database cannot be reached: %s", error.orig)
    return JSONResponse(
        error_body("ServiceUnavailableError", DATABASE_DOWN),
        status_code=503,
    )


def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    """Errors raised by the framework itself (a body that is not JSON, an unknown path or
    method) get the same body as every other error."""
    kind = HTTPStatus(error.status_code).phrase.replace(" ", "")
    return JSONResponse(
        error_body(kind, str(error.detail)), status_code=error.status_code, headers=error.headers
    )


def _bad_value(_request: Request, error: Exception) -> JSONResponse:
    """A number out of range, a NUL byte in a string: values the database refuses."""
    detail = f"a value the database cannot take: {error}".splitlines()[0]
    return JSONResponse(error_body("ValidationError", detail), status_code=422)


# Error statuses every API operation may answer with, each with an ``ErrorPublic`` body.
DOCUMENTED_ERRORS = {
    400: "The request body cannot be parsed",
    401: "Not logged in, or the token is unknown, expired or revoked",
    403: "The caller's role may not do this",
    404: "A named or numbered thing does not exist",
    409: "The change conflicts with the stored state",
    422: "The request is invalid; problems name the parameter, file, row and column",
    503: "The database cannot be reached or is not at the migration head",
}


def document_error_responses(schema: dict) -> dict:
    """Add the error responses (status codes and the ``ErrorPublic`` body) to every
    operation of an OpenAPI document, replacing FastAPI's own 422 schema, which this API
    does not use."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorPublic.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorPublic"] = error_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    reference = {"$ref": "#/components/schemas/ErrorPublic"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in DOCUMENTED_ERRORS.items():
                responses[str(code)] = {
                    "description": description,
                    "content": {"application/json": {"schema": reference}},
                }
    return schema


def _install_error_documentation(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_error_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, request validation, out-of-range numbers and unreachable databases
    to responses, and document those responses in the app's OpenAPI schema."""
    # Starlette types a handler as taking any Exception; each of these takes its own kind.
    handlers: list[tuple[type[Exception], Any]] = [
        (exc.ScaleScopeError, _domain_error),
        (RequestValidationError, _request_invalid),
        (pydantic.ValidationError, _model_invalid),
        (OperationalError, _database_down),
        (StarletteHTTPException, _http_error),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)
    # Raw driver errors too: pandas reads frames through the DBAPI connection.
    for kind in (OverflowError, DataError, psycopg.DataError):
        app.add_exception_handler(kind, _bad_value)
    _install_error_documentation(app)
