"""Domain errors to HTTP responses, in one place.

Every error body is ``{"error": <kind>, "detail": <message>, "problems": [...]}``; problems
name the file, row and column of bad input where known."""

from __future__ import annotations

import pydantic
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from backend import exceptions as exc

# Most specific first: the first matching class decides the status code.
STATUS_CODES: list[tuple[type[exc.ScaleScopeError], int]] = [
    (exc.NotFoundError, 404),
    (exc.ConflictError, 409),
    (exc.ValidationError, 422),
    (exc.AuthenticationError, 401),
    (exc.PermissionDeniedError, 403),
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


def _domain_error(_request: Request, error: exc.ScaleScopeError) -> JSONResponse:
    problems = [p.to_dict() for p in getattr(error, "problems", [])]
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, exc.AuthenticationError) else None
    return JSONResponse(
        error_body(type(error).__name__, str(error), problems),
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
    return JSONResponse(
        error_body("ServiceUnavailableError", f"the database cannot be reached: {error.orig}"),
        status_code=503,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, request validation and unreachable databases to responses."""
    app.add_exception_handler(exc.ScaleScopeError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(pydantic.ValidationError, _model_invalid)
    app.add_exception_handler(OperationalError, _database_down)
