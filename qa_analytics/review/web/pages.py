"""HTML pages. State changes from the call page go through the JSON API (app.js sends the CSRF
header); the other forms post here with a ``csrf_token`` field."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from qa_analytics.errors import ReviewError
from qa_analytics.records import VERDICTS
from qa_analytics.review import auth, calibration, queue, service
from qa_analytics.review.auth import Session
from qa_analytics.review.web.app import (
    COOKIE,
    authenticated,
    engine_of,
    error_response,
    set_session_cookie,
    templates,
)

public = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "qa_login_csrf"


def render(request: Request, name: str, session: Session | None, status: int = 200,
           **context: Any) -> Response:
    return templates.TemplateResponse(request, name, {"session": session, **context},
                                      status_code=status)


@public.get("/login")
def login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    # Login CSRF: a double-submit token (cookie + hidden field) since there is no session yet.
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", None, status, login_csrf=token, error=error)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/login")
    return response


@public.post("/login")
def login_submit(request: Request, username: str = Form(""), password: str = Form(""),
                 csrf_token: str = Form("")) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return login_page(request, "The login form expired; please try again.", 403)
    client = request.client.host if request.client else "-"
    try:
        s = auth.login(engine_of(request), username, password, client,
                       **request.app.state.login_limits)
    except auth.LoginRateLimited as exc:
        response = login_page(request, str(exc).capitalize() + ".", 429)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except auth.LoginRefused:
        return login_page(request, "Wrong username or password.", 401)
    response = RedirectResponse("/queue", status_code=303)
    set_session_cookie(request, response, s.token)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, s: Session = Depends(authenticated)) -> Response:
    auth.logout(engine_of(request), s.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


def _filters(status: str = "pending", date_from: str = "", date_to: str = "", agent: str = "",
             team: str = "", queue: str = "", reason: str = "") -> dict[str, Any]:
    return {"status": status, "date_from": date_from or None, "date_to": date_to or None,
            "agent": agent or None, "team": team or None, "queue": queue or None,
            "reason": reason or None}


@router.get("/queue")
def queue_page(request: Request, f: dict[str, Any] = Depends(_filters),
               s: Session = Depends(authenticated)) -> Response:
    rows = service.list_calls(engine_of(request), s.user, queued_only=True, **f)
    return render(request, "queue.html", s, rows=rows, f=f, title="Review queue",
                  all_results=False)


@router.get("/results")
def results_page(request: Request, f: dict[str, Any] = Depends(_filters),
                 s: Session = Depends(authenticated)) -> Response:
    rows = service.list_calls(engine_of(request), s.user, queued_only=False, **f)
    return render(request, "queue.html", s, rows=rows, f=f, title="All results",
                  all_results=True)


@router.post("/queue/sample")
def sample_submit(request: Request, confidence: float = Form(0.95), margin: float = Form(0.05),
                  method: str = Form("random"), stratify_by: str = Form("agent"),
                  low_confidence: float = Form(0.6), date_from: str = Form(""),
                  date_to: str = Form(""), s: Session = Depends(authenticated)) -> Response:
    summary = queue.build_queue(engine_of(request), s.user, queue.SamplePlan(
        confidence=confidence, margin=margin, method=method, stratify_by=stratify_by,
        low_confidence=low_confidence, date_from=date_from or None, date_to=date_to or None))
    rows = service.list_calls(engine_of(request), s.user, queued_only=True)
    return render(request, "queue.html", s, rows=rows, f=_filters(), title="Review queue",
                  all_results=False, summary=summary)


@router.get("/calls/{call_id}")
def call_page(call_id: str, request: Request, s: Session = Depends(authenticated)) -> Response:
    view = service.call_view(engine_of(request), s.user, call_id)
    return render(request, "call.html", s, v=view, verdicts=VERDICTS)


@router.get("/calibration")
def calibration_page(request: Request, s: Session = Depends(authenticated)) -> Response:
    engine = engine_of(request)
    return render(request, "calibration.html", s,
                  sessions=calibration.list_sessions(engine, s.user),
                  reviewers=[u["username"] for u in auth.list_users(engine) if u["active"]]
                  if s.user.can("lead") else [])


@router.post("/calibration")
def calibration_create(request: Request, name: str = Form(""), call_ids: str = Form(""),
                       reviewers: list[str] = Form(default_factory=list),
                       s: Session = Depends(authenticated)) -> Response:
    ids = [c for c in call_ids.replace(",", " ").split() if c]
    sid = calibration.create_session(engine_of(request), s.user, name, ids, reviewers)
    return RedirectResponse(f"/calibration/{sid}/report", status_code=303)


@router.get("/calibration/engine")
def engine_page(request: Request, s: Session = Depends(authenticated)) -> Response:
    rows = calibration.engine_vs_human(engine_of(request), s.user)
    return render(request, "engine.html", s, rows=rows)


@router.get("/calibration/{sid}")
def rating_page(sid: int, request: Request, s: Session = Depends(authenticated)) -> Response:
    sheet = calibration.rating_view(engine_of(request), s.user, sid)
    return render(request, "rate.html", s, sheet=sheet, verdicts=VERDICTS)


@router.post("/calibration/{sid}/rate")
async def rating_submit(sid: int, request: Request,
                        s: Session = Depends(authenticated)) -> Response:
    form = await request.form()
    call_id = str(form.get("call_id", ""))
    # Fields are named "v:<criterion_id>"; unanswered criteria are simply absent.
    ratings = {str(k)[2:]: str(v) for k, v in form.items() if str(k).startswith("v:") and v}
    calibration.rate(engine_of(request), s.user, sid, call_id, ratings)
    return RedirectResponse(f"/calibration/{sid}#call-{call_id}", status_code=303)


@router.post("/calibration/{sid}/close")
def calibration_close(sid: int, request: Request, s: Session = Depends(authenticated)) -> Response:
    calibration.close_session(engine_of(request), s.user, sid)
    return RedirectResponse(f"/calibration/{sid}/report", status_code=303)


@router.get("/calibration/{sid}/report")
def report_page(sid: int, request: Request, s: Session = Depends(authenticated)) -> Response:
    report = calibration.session_report(engine_of(request), s.user, sid)
    return render(request, "report.html", s, r=report)


@router.get("/users")
def users_page(request: Request, s: Session = Depends(authenticated),
               message: str | None = None) -> Response:
    auth.require(s.user, "admin", "managing users")
    return render(request, "users.html", s, users=auth.list_users(engine_of(request)),
                  message=message)


@router.post("/users")
def users_submit(request: Request, username: str = Form(""), role: str = Form("reviewer"),
                 password: str = Form(""), s: Session = Depends(authenticated)) -> Response:
    auth.require(s.user, "admin", "managing users")
    try:
        auth.add_user(engine_of(request), username, role, password)
    except ReviewError as exc:
        return error_response(request, 400, str(exc))
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{username}/active")
def users_active(username: str, request: Request, active: str = Form("0"),
                 s: Session = Depends(authenticated)) -> Response:
    auth.require(s.user, "admin", "managing users")
    if username == s.user.username:  # an admin cannot lock themselves out from the page
        raise ReviewError("you cannot disable your own account")
    auth.set_active(engine_of(request), username, active == "1")
    return RedirectResponse("/users", status_code=303)
