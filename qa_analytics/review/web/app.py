"""App factory, access guard and error mapping.

Every route except the two login routes depends on ``authenticated``: no valid session cookie
-> 401 (API) or a redirect to /login (pages); a state-changing request (POST/PUT/PATCH/DELETE)
must carry the session's CSRF token in the ``X-CSRF-Token`` header or a ``csrf_token`` form
field -> else 403. Static files (CSS, JS) are public: they are the package's own, the same for
everyone, and the login page needs them. FastAPI's docs pages are off (they load a CDN); the
OpenAPI schema is served, behind login, at /api/openapi.json.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from qa_analytics.errors import ConflictError, PermissionDenied, QAError
from qa_analytics.review.auth import LoginRateLimited, LoginRefused, Session, session_for

HERE = Path(__file__).parent
COOKIE = "qa_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
templates = Jinja2Templates(directory=str(HERE / "templates"))

SECURITY_HEADERS = {
    # Everything comes from this server; no inline script, so injected markup cannot run.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class NotAuthenticated(Exception):
    pass


class CsrfFailed(Exception):
    pass


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


async def authenticated(request: Request) -> Session:
    session = session_for(request.app.state.engine, request.cookies.get(COOKIE))
    if session is None:
        raise NotAuthenticated()
    if request.method not in SAFE_METHODS:
        token = request.headers.get("x-csrf-token")
        if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            token = str((await request.form()).get("csrf_token") or "")
        if not token or not hmac.compare_digest(token, session.csrf_token):
            raise CsrfFailed()
    request.state.session = session
    return session


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    session = getattr(request.state, "session", None)
    return templates.TemplateResponse(request, "error.html", {
        "status": status, "message": message, "session": session}, status_code=status,
        headers=headers)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _anon(request: Request, _exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "login required"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        return error_response(request, 403, "missing or wrong CSRF token; reload the page")

    @app.exception_handler(QAError)
    async def _qa(request: Request, exc: QAError) -> Response:
        if isinstance(exc, LoginRateLimited):
            return error_response(request, 429, str(exc),
                                  {"Retry-After": str(exc.retry_after_s)})
        status = (401 if isinstance(exc, LoginRefused) else 403
                  if isinstance(exc, PermissionDenied) else 409
                  if isinstance(exc, ConflictError) else 400)
        return error_response(request, status, str(exc))


def create_app(engine: Engine, *, media_root: str | Path = ".", secure_cookies: bool = False,
               login_max_failures: int = 5, login_window_s: int = 900) -> FastAPI:
    """The review app over an opened (migrated) database.

    ``media_root``: where relative recording paths in ``calls.source`` are resolved.
    ``secure_cookies``: set when served over HTTPS (behind a proxy), so cookies never go in clear.
    """
    from qa_analytics.review.web import api, pages

    app = FastAPI(title="qa-analytics review", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.engine = engine
    app.state.media_root = Path(media_root).expanduser().resolve()
    app.state.secure_cookies = secure_cookies
    app.state.login_limits = {"max_failures": login_max_failures, "window_s": login_window_s}
    _install_handlers(app)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.public)
    app.include_router(api.router, dependencies=[Depends(authenticated)])
    app.include_router(pages.public)
    app.include_router(pages.router, dependencies=[Depends(authenticated)])
    return app


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, max_age=12 * 3600, path="/")
