"""The JSON API: the same actions as the pages, for scripts. Log in with POST /api/login (JSON
body), keep the cookie, and send the returned ``csrf_token`` as ``X-CSRF-Token`` on every POST.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from qa_analytics.review import auth, calibration, queue, sampling, service
from qa_analytics.review.auth import Session
from qa_analytics.review.web.app import COOKIE, authenticated, engine_of, set_session_cookie
from qa_analytics.review.web.audio import file_response, recording_path

public = APIRouter(prefix="/api", tags=["auth"])
router = APIRouter(prefix="/api")


class LoginIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class DecisionIn(BaseModel):
    criterion_id: str
    verdict: Literal["met", "not_met", "na"] | None = Field(
        None, description="omit (or give the suggested verdict) to confirm")
    reason: str | None = Field(None, max_length=2000, description="required to override")


class DecisionsIn(BaseModel):
    version: int = Field(description="the call's version as loaded (number of decisions)")
    result_revision: int | None = Field(
        None, description="the result_revision as loaded; refused if the engine re-scored")
    decisions: list[DecisionIn]


class VersionIn(BaseModel):
    version: int
    result_revision: int | None = None


class SampleIn(BaseModel):
    confidence: float = 0.95
    margin: float = 0.05
    method: Literal["random", "stratified"] = "random"
    stratify_by: Literal["agent", "team", "queue"] = "agent"
    low_confidence: float = 0.6
    date_from: str | None = None
    date_to: str | None = None
    seed: int | None = None


class CalibrationIn(BaseModel):
    name: str
    call_ids: list[str]
    reviewers: list[str]


class RatingsIn(BaseModel):
    call_id: str
    ratings: dict[str, Literal["met", "not_met", "na"]]


class UserIn(BaseModel):
    username: str
    role: Literal["reviewer", "lead", "admin"]
    password: str = Field(min_length=8, max_length=1000)


class ActiveIn(BaseModel):
    active: bool


def _me(s: Session) -> dict[str, Any]:
    return {"username": s.user.username, "role": s.user.role, "csrf_token": s.csrf_token}


@public.post("/login", summary="Log in; sets the session cookie, returns the CSRF token")
def login(body: LoginIn, request: Request) -> JSONResponse:
    # A JSON body is required: a cross-site HTML form cannot send one without a CORS
    # preflight (which this app never grants), which keeps login CSRF out.
    client = request.client.host if request.client else "-"
    s = auth.login(engine_of(request), body.username, body.password, client,
                   **request.app.state.login_limits)
    response = JSONResponse(_me(s))
    set_session_cookie(request, response, s.token)
    return response


@router.post("/logout")
def logout(request: Request, s: Session = Depends(authenticated)) -> JSONResponse:
    auth.logout(engine_of(request), s.token)
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/me")
def me(s: Session = Depends(authenticated)) -> dict[str, Any]:
    return _me(s)


@router.get("/openapi.json", summary="This API's OpenAPI schema")
def openapi(request: Request) -> dict[str, Any]:
    return request.app.openapi()


def _filters(status: str = "pending", date_from: str | None = None, date_to: str | None = None,
             agent: str | None = None, team: str | None = None, queue: str | None = None,
             reason: str | None = None) -> dict[str, Any]:
    return {"status": status, "date_from": date_from, "date_to": date_to, "agent": agent,
            "team": team, "queue": queue, "reason": reason}


@router.get("/queue", summary="Calls in the review queue (filters: date, agent, team, ...)")
def list_queue(request: Request, f: dict[str, Any] = Depends(_filters),
               s: Session = Depends(authenticated)) -> list[dict[str, Any]]:
    return service.list_calls(engine_of(request), s.user, queued_only=True, **f)


@router.get("/results", summary="All results with review status (leads)")
def list_results(request: Request, f: dict[str, Any] = Depends(_filters),
                 s: Session = Depends(authenticated)) -> list[dict[str, Any]]:
    return service.list_calls(engine_of(request), s.user, queued_only=False, **f)


@router.get("/calls/{call_id}")
def get_call(call_id: str, request: Request,
             s: Session = Depends(authenticated)) -> dict[str, Any]:
    return service.call_view(engine_of(request), s.user, call_id)


@router.post("/calls/{call_id}/decisions", summary="Confirm or override criteria (409 if stale)")
def decide(call_id: str, body: DecisionsIn, request: Request,
           s: Session = Depends(authenticated)) -> dict[str, Any]:
    decisions = [service.Decision(d.criterion_id, d.verdict, d.reason) for d in body.decisions]
    return service.decide(engine_of(request), s.user, call_id, body.version, decisions,
                          result_revision=body.result_revision)


@router.post("/calls/{call_id}/confirm-remaining")
def confirm_remaining(call_id: str, body: VersionIn, request: Request,
                      s: Session = Depends(authenticated)) -> dict[str, Any]:
    return service.confirm_remaining(engine_of(request), s.user, call_id, body.version,
                                     result_revision=body.result_revision)


@router.get("/calls/{call_id}/history")
def history(call_id: str, request: Request,
            s: Session = Depends(authenticated)) -> list[dict[str, Any]]:
    return service.history(engine_of(request), s.user, call_id)


@router.get("/calls/{call_id}/audio", summary="The recording, with HTTP range support")
def audio(call_id: str, request: Request, leg: Literal["agent", "customer"] = "agent",
          s: Session = Depends(authenticated)) -> Response:
    source = service.recording(engine_of(request), s.user, call_id, leg)
    return file_response(request, recording_path(request.app.state.media_root, source))


@router.post("/sample", summary="Build a review queue (leads)")
def sample(body: SampleIn, request: Request,
           s: Session = Depends(authenticated)) -> dict[str, Any]:
    return queue.build_queue(engine_of(request), s.user, queue.SamplePlan(**body.model_dump()))


@router.get("/sample-size", summary="Sample size for a population, confidence and margin")
def sample_size(population: int, confidence: float = 0.95, margin: float = 0.05) -> dict[str, Any]:
    return {"population": population, "confidence": confidence, "margin": margin,
            "sample_size": sampling.sample_size(population, confidence, margin)}


@router.get("/calibration/sessions")
def calibration_sessions(request: Request,
                         s: Session = Depends(authenticated)) -> list[dict[str, Any]]:
    return calibration.list_sessions(engine_of(request), s.user)


@router.post("/calibration/sessions")
def create_calibration(body: CalibrationIn, request: Request,
                       s: Session = Depends(authenticated)) -> dict[str, Any]:
    sid = calibration.create_session(engine_of(request), s.user, body.name, body.call_ids,
                                     body.reviewers)
    return {"id": sid}


@router.get("/calibration/sessions/{sid}", summary="A member's blind rating sheet")
def calibration_sheet(sid: int, request: Request,
                      s: Session = Depends(authenticated)) -> dict[str, Any]:
    return calibration.rating_view(engine_of(request), s.user, sid)


@router.post("/calibration/sessions/{sid}/ratings")
def calibration_rate(sid: int, body: RatingsIn, request: Request,
                     s: Session = Depends(authenticated)) -> dict[str, Any]:
    calibration.rate(engine_of(request), s.user, sid, body.call_id, body.ratings)
    return {"ok": True}


@router.post("/calibration/sessions/{sid}/close")
def calibration_close(sid: int, request: Request,
                      s: Session = Depends(authenticated)) -> dict[str, Any]:
    calibration.close_session(engine_of(request), s.user, sid)
    return {"ok": True}


@router.get("/calibration/sessions/{sid}/report", summary="Agreement per criterion (leads)")
def calibration_report(sid: int, request: Request,
                       s: Session = Depends(authenticated)) -> dict[str, Any]:
    return calibration.session_report(engine_of(request), s.user, sid)


@router.get("/calibration/engine", summary="Engine-vs-human agreement per criterion (leads)")
def engine_agreement(request: Request,
                     s: Session = Depends(authenticated)) -> list[dict[str, Any]]:
    return calibration.engine_vs_human(engine_of(request), s.user)


@router.get("/users")
def users(request: Request, s: Session = Depends(authenticated)) -> list[dict[str, Any]]:
    auth.require(s.user, "admin", "managing users")
    return auth.list_users(engine_of(request))


@router.post("/users")
def add_user(body: UserIn, request: Request,
             s: Session = Depends(authenticated)) -> dict[str, Any]:
    auth.require(s.user, "admin", "managing users")
    u = auth.add_user(engine_of(request), body.username, body.role, body.password)
    return {"username": u.username, "role": u.role}


@router.post("/users/{username}/active")
def set_active(username: str, body: ActiveIn, request: Request,
               s: Session = Depends(authenticated)) -> dict[str, Any]:
    auth.require(s.user, "admin", "managing users")
    auth.set_active(engine_of(request), username, body.active)
    return {"username": username, "active": body.active}
