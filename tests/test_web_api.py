"""The review app's JSON API over a real SQLite database: access, CSRF, roles, conflicts,
audit trail, score recomputation, sampling, calibration figures, audio ranges."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.routing import APIRoute  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from qa_analytics.review import auth, demo  # noqa: E402
from qa_analytics.review.web import create_app  # noqa: E402
from qa_analytics.store import open_database  # noqa: E402

PASSWORD = "correct horse battery"
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/login")}


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Seeding and argon2 hashing once per module; each test gets a copy of the file.
    root = tmp_path_factory.mktemp("template")
    engine = open_database(root / "qa.db")
    demo.seed(engine, root / "media")
    for name, role in (("rev", "reviewer"), ("rev2", "reviewer"), ("lead", "lead"),
                       ("admin", "admin")):
        auth.add_user(engine, name, role, PASSWORD)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return root / "qa.db"


@pytest.fixture()
def env(tmp_path: Path, template_db: Path) -> Iterator[dict[str, Any]]:
    shutil.copy(template_db, tmp_path / "qa.db")
    engine = open_database(tmp_path / "qa.db")
    app = create_app(engine, media_root=tmp_path, login_max_failures=3, login_window_s=600)
    yield {"engine": engine, "app": app, "tmp": tmp_path}


def client(env: dict[str, Any], user: str | None = None) -> TestClient:
    c = TestClient(env["app"], follow_redirects=False)
    if user:
        r = c.post("/api/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def queue_all(env: dict[str, Any]) -> None:
    """Put every demo call in the queue (margin 0.2 over 10 calls -> all but 2 sampled, so use
    a tiny margin)."""
    r = client(env, "lead").post("/api/sample", json={"margin": 0.01, "seed": 1})
    assert r.status_code == 200, r.text


def test_every_route_but_login_refuses_anonymous(env: dict[str, Any]) -> None:
    from qa_analytics.review.web import api, pages

    anon = client(env)
    checked = 0
    # FastAPI keeps included routers opaque in app.routes; walk the routers themselves and check
    # that the app holds nothing else but them and the static mount.
    routers = (api.public, api.router, pages.public, pages.router)
    assert len(env["app"].routes) == len(routers) + 1
    for route in [r for router in routers for r in router.routes]:
        assert isinstance(route, APIRoute)
        path = re.sub(r"\{call_id\}", "c01", route.path)
        path = path.replace("{sid}", "1").replace("{username}", "rev")
        for method in route.methods:
            if (method, route.path) in PUBLIC:
                continue
            r = anon.request(method, path, json={})
            checked += 1
            if route.path.startswith("/api/"):
                assert r.status_code == 401, (method, path, r.status_code)
                assert r.json() == {"detail": "login required"}
            else:
                assert r.status_code == 303 and r.headers["location"] == "/login", (method, path)
    assert checked >= 35
    # A forged or expired cookie is anonymous too.
    anon.cookies.set("qa_session", "forged")
    assert anon.get("/api/queue").status_code == 401
    assert anon.get("/static/app.js").status_code == 200  # package assets stay public


def test_login_sets_hardened_cookie_and_hashes_with_argon2(env: dict[str, Any]) -> None:
    r = TestClient(env["app"]).post("/api/login", json={"username": "rev", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    with env["engine"].connect() as conn:
        stored = conn.execute(text("select password_hash from users where username='rev'")).scalar()
        tokens = conn.execute(text("select token_sha256 from sessions")).scalars().all()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert r.cookies["qa_session"] not in tokens  # only the token's hash is kept


def test_wrong_password_and_form_encoded_api_login_refused(env: dict[str, Any]) -> None:
    c = client(env)
    assert c.post("/api/login", json={"username": "rev", "password": "nope"}).status_code == 401
    # A cross-site form can only send form encoding: the API login does not accept it.
    r = c.post("/api/login", data={"username": "rev", "password": PASSWORD})
    assert r.status_code == 422 and "qa_session" not in r.cookies
    # ... nor text/plain, the other encoding a cross-site form can send
    r = c.post("/api/login", content=f'{{"username": "rev", "password": "{PASSWORD}"}}',
               headers={"content-type": "text/plain"})
    assert r.status_code == 422 and "qa_session" not in r.cookies


def test_failed_logins_are_rate_limited(env: dict[str, Any]) -> None:
    c = client(env)
    for _ in range(3):
        assert c.post("/api/login", json={"username": "rev2", "password": "x"}).status_code == 401
    r = c.post("/api/login", json={"username": "rev2", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "too many failed logins" in r.json()["detail"]
    # Another account from the same address still logs in (3 < 4 x 3 from this client) ...
    assert c.post("/api/login", json={"username": "rev", "password": PASSWORD}).status_code == 200
    # ... until the address itself has failed 4 x 3 = 12 times (spraying many accounts).
    for i in range(9):
        c.post("/api/login", json={"username": f"guess{i}", "password": "x"})
    r = c.post("/api/login", json={"username": "lead", "password": PASSWORD})
    assert r.status_code == 429


def test_csrf_required_on_state_changes(env: dict[str, Any]) -> None:
    queue_all(env)
    c = client(env, "rev")
    token = c.headers.pop("X-CSRF-Token")
    body = {"version": 0, "decisions": [{"criterion_id": "greeting"}]}
    assert c.post("/api/calls/c03/decisions", json=body).status_code == 403
    r = c.post("/api/calls/c03/decisions", json=body, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    # Another user's token does not work with this session either.
    other = client(env, "rev2").headers["X-CSRF-Token"]
    assert c.post("/api/calls/c03/decisions", json=body,
                  headers={"X-CSRF-Token": other}).status_code == 403
    assert c.post("/api/calls/c03/decisions", json=body,
                  headers={"X-CSRF-Token": token}).status_code == 200
    # Page forms: the token travels as a field.
    assert c.post("/logout", data={}).status_code == 403
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    assert c.get("/api/me").status_code == 401  # session ended


def test_roles(env: dict[str, Any]) -> None:
    rev, lead, admin = client(env, "rev"), client(env, "lead"), client(env, "admin")
    assert rev.get("/api/results").status_code == 403
    assert rev.post("/api/sample", json={}).status_code == 403
    assert rev.get("/api/calls/c05").status_code == 403  # not queued: reviewers cannot see it
    assert rev.get("/api/calibration/engine").status_code == 403
    assert rev.post("/api/calibration/sessions", json={
        "name": "x", "call_ids": ["c01"], "reviewers": ["rev", "rev2"]}).status_code == 403
    for c in (rev, lead):
        assert c.get("/api/users").status_code == 403
        assert c.post("/api/users", json={"username": "x", "role": "admin",
                                          "password": "12345678"}).status_code == 403
    assert lead.get("/api/results?status=all").status_code == 200
    assert len(lead.get("/api/results?status=all").json()) == 12
    assert lead.get("/api/calls/c05").status_code == 200
    assert admin.get("/api/results").status_code == 200  # admin includes lead
    r = admin.post("/api/users", json={"username": "newbie", "role": "reviewer",
                                       "password": "12345678"})
    assert r.status_code == 200
    assert client(env).post("/api/login", json={"username": "newbie", "password": "12345678"}
                            ).status_code == 200
    assert admin.post("/api/users/newbie/active", json={"active": False}).status_code == 200
    assert client(env).post("/api/login", json={"username": "newbie", "password": "12345678"}
                            ).status_code == 401


def test_override_needs_reason_and_valid_criterion(env: dict[str, Any]) -> None:
    queue_all(env)
    c = client(env, "rev")
    r = c.post("/api/calls/c03/decisions", json={"version": 0, "decisions": [
        {"criterion_id": "greeting", "verdict": "not_met"}]})
    assert r.status_code == 400 and "needs a reason" in r.json()["detail"]
    r = c.post("/api/calls/c03/decisions", json={"version": 0, "decisions": [
        {"criterion_id": "nope"}]})
    assert r.status_code == 400 and "no criterion 'nope'" in r.json()["detail"]
    assert c.get("/api/calls/c03/history").json() == []  # nothing half-saved


def test_audit_trail_and_final_score(env: dict[str, Any]) -> None:
    queue_all(env)
    c = client(env, "rev")
    view = c.get("/api/calls/c03").json()
    assert view["version"] == 0 and view["status"] == "unreviewed" and view["final_score"] is None
    assert view["engine"]["score"] == 100.0
    r = c.post("/api/calls/c03/decisions", json={"version": 0, "decisions": [
        {"criterion_id": "greeting", "verdict": "not_met", "reason": "agent only said hi"}]})
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["status"] == "in_review"
    r = client(env, "rev2").post("/api/calls/c03/confirm-remaining", json={"version": 1})
    assert r.status_code == 200
    s = r.json()
    # weights of applicable criteria (hold_etiquette is na): 95; greeting (10) not met -> 85/95
    assert s["status"] == "reviewed" and s["final_score"] == pytest.approx(89.47)
    assert s["final_auto_fail"] is False and s["version"] == 10
    # A lead overrides a critical criterion: the call becomes an auto-fail.
    r = client(env, "lead").post("/api/calls/c03/decisions", json={"version": 10, "decisions": [
        {"criterion_id": "prohibited_language", "verdict": "not_met", "reason": "swore at 0:15"}]})
    # default scorecard policy (on_critical_failure: zero): an auto-fail scores 0
    assert r.json()["final_score"] == 0.0
    assert r.json()["final_auto_fail"] is True
    hist = c.get("/api/calls/c03/history").json()
    assert [h["seq"] for h in hist] == list(range(1, 12))
    first, last = hist[0], hist[-1]
    assert first == {**first, "criterion_id": "greeting", "reviewer": "rev", "action": "override",
                     "suggested_verdict": "met", "previous_verdict": None,
                     "new_verdict": "not_met", "reason": "agent only said hi"}
    assert first["decided_at"]
    assert last == {**last, "reviewer": "lead", "criterion_id": "prohibited_language",
                    "previous_verdict": "met", "new_verdict": "not_met"}
    assert {h["reviewer"] for h in hist[1:10]} == {"rev2"}
    # Confirming a criterion back to the suggestion appends; earlier rows stay as they were.
    r = c.post("/api/calls/c03/decisions", json={"version": 11, "decisions": [
        {"criterion_id": "prohibited_language"}]})
    assert r.json()["final_score"] == pytest.approx(85 / 95 * 100, abs=0.01)
    assert r.json()["final_auto_fail"] is False
    hist2 = c.get("/api/calls/c03/history").json()
    assert hist2[:11] == hist and hist2[-1]["previous_verdict"] == "not_met"
    assert hist2[-1]["action"] == "confirm" and hist2[-1]["new_verdict"] == "met"


def test_audit_rows_cannot_be_rewritten(env: dict[str, Any]) -> None:
    queue_all(env)
    client(env, "rev").post("/api/calls/c03/confirm-remaining", json={"version": 0})
    for sql in ("update review_decisions set new_verdict='na'", "delete from review_decisions"):
        with pytest.raises(Exception, match="append-only"), env["engine"].begin() as conn:
            conn.execute(text(sql))


def test_concurrent_edit_gets_conflict(env: dict[str, Any]) -> None:
    queue_all(env)
    a, b = client(env, "rev"), client(env, "rev2")
    va = a.get("/api/calls/c04").json()["version"]
    vb = b.get("/api/calls/c04").json()["version"]
    assert va == vb == 0
    assert a.post("/api/calls/c04/decisions", json={"version": va, "decisions": [
        {"criterion_id": "empathy", "verdict": "not_met", "reason": "no empathy"}]}
    ).status_code == 200
    r = b.post("/api/calls/c04/decisions", json={"version": vb, "decisions": [
        {"criterion_id": "empathy"}]})
    assert r.status_code == 409
    msg = r.json()["detail"]
    assert "changed since you loaded it" in msg and "rev (empathy: not_met)" in msg
    assert b.post("/api/calls/c04/confirm-remaining", json={"version": 0}).status_code == 409
    hist = a.get("/api/calls/c04/history").json()
    assert len(hist) == 1 and hist[0]["new_verdict"] == "not_met"  # nothing overwritten
    assert b.post("/api/calls/c04/decisions", json={"version": 1, "decisions": [
        {"criterion_id": "empathy"}]}).status_code == 200  # after reloading, it saves


def test_sampling_sizes_and_reasons(env: dict[str, Any]) -> None:
    lead = client(env, "lead")
    r = lead.post("/api/sample", json={"confidence": 0.95, "margin": 0.2, "method": "stratified",
                                       "stratify_by": "agent", "seed": 3})
    s = r.json()
    # c01 auto-fail, c02 low confidence (empathy 0.41); the other 10 calls are the population:
    # n0 = 1.96^2 * .25 / .04 = 24.01, n = 24.01 / (1 + 23.01/10) = 7.27 -> 8
    assert (s["auto_fail"], s["low_confidence"], s["population"], s["sample_size"]) == (1, 1, 10, 8)
    assert s["added"] == 10 and s["method"] == "stratified:agent"
    rows = lead.get("/api/queue?status=all").json()
    reasons = {r["call_id"]: r["queue_reason"] for r in rows}
    assert reasons["c01"] == "auto_fail" and reasons["c02"] == "low_confidence"
    per_agent = {a: sum(1 for r in rows if r["agent_id"] == a and
                        r["queue_reason"] == "stratified:agent") for a in ("a1", "a2", "a3")}
    assert per_agent == {"a1": 3, "a2": 2, "a3": 3}  # 3/3/4 calls, largest remainder
    # filters
    assert {r["call_id"] for r in lead.get("/api/queue?reason=auto_fail").json()} == {"c01"}
    assert all(r["agent_id"] == "a2" for r in lead.get("/api/queue?agent=a2").json())
    assert all(r["team"] == "south" for r in lead.get("/api/queue?team=south").json())
    assert all(r["queue"] == "billing" for r in lead.get("/api/queue?queue=billing").json())
    day = lead.get("/api/queue?date_from=2026-11-16&date_to=2026-11-16").json()
    assert day and all(r["started_at"].startswith("2026-11-16") for r in day)
    # A second run adds only what was not queued yet (the 2 left of the 10).
    again = lead.post("/api/sample", json={"margin": 0.01}).json()
    assert again["population"] == 2 and again["added"] == 2
    assert lead.get("/api/sample-size?population=1000").json()["sample_size"] == 278


def test_reviewed_calls_leave_pending_queue(env: dict[str, Any]) -> None:
    queue_all(env)
    c = client(env, "rev")
    c.post("/api/calls/c05/confirm-remaining", json={"version": 0})
    pending = {r["call_id"] for r in c.get("/api/queue").json()}
    done = c.get("/api/queue?status=reviewed").json()
    assert "c05" not in pending and [r["call_id"] for r in done] == ["c05"]
    assert done[0]["final_score"] == 100.0


def test_calibration_session_agreement(env: dict[str, Any]) -> None:
    lead = client(env, "lead")
    r = lead.post("/api/calibration/sessions", json={
        "name": "November", "call_ids": ["c03", "c04", "c05"], "reviewers": ["rev", "rev2",
                                                                               "lead"]})
    sid = r.json()["id"]
    ratings = {"rev": {"c03": "met", "c04": "met", "c05": "not_met"},
               "rev2": {"c03": "met", "c04": "not_met", "c05": "not_met"},
               "lead": {"c03": "met", "c04": "met"}}
    clients = {"rev": client(env, "rev"), "rev2": client(env, "rev2"), "lead": lead}
    # Blind: the sheet carries no engine verdicts and no one else's ratings.
    sheet = clients["rev"].get(f"/api/calibration/sessions/{sid}").json()
    assert all(c["verdict"] is None for call in sheet["calls"] for c in call["criteria"])
    assert "suggested" not in str(sheet) and "confidence" not in str(sheet)
    for who, per_call in ratings.items():
        for call_id, verdict in per_call.items():
            r = clients[who].post(f"/api/calibration/sessions/{sid}/ratings",
                                  json={"call_id": call_id, "ratings": {"greeting": verdict}})
            assert r.status_code == 200, r.text
    assert clients["rev"].get(f"/api/calibration/sessions/{sid}/report").status_code == 403
    hidden = lead.get(f"/api/calibration/sessions/{sid}/report").json()
    assert hidden["criteria"] == [] and hidden["progress"] == {"lead": 2, "rev": 3, "rev2": 3}
    assert client(env, "admin").get(f"/api/calibration/sessions/{sid}").status_code == 403
    lead.post(f"/api/calibration/sessions/{sid}/close")
    assert clients["rev"].post(f"/api/calibration/sessions/{sid}/ratings", json={
        "call_id": "c03", "ratings": {"greeting": "na"}}).status_code == 400
    report = lead.get(f"/api/calibration/sessions/{sid}/report").json()
    (g,) = report["criteria"]
    assert g["criterion_id"] == "greeting" and g["units"] == 3
    assert g["percent_agreement"] == pytest.approx(5 / 7)
    assert g["krippendorff_alpha"] == pytest.approx(1 - 14 / 30)
    kappas = {(p["a"], p["b"]): p["kappa"] for p in g["pairwise_kappa"]}
    assert kappas[("rev", "rev2")] == pytest.approx(0.4)
    assert kappas[("lead", "rev")] is None
    assert kappas[("lead", "rev2")] == pytest.approx(0.0)
    assert g["disagreements"] == [{"call_id": "c04", "ratings": {
        "lead": "met", "rev": "met", "rev2": "not_met"}}]


def test_engine_vs_human_agreement(env: dict[str, Any]) -> None:
    queue_all(env)
    rev = client(env, "rev")
    # recording_disclosure: engine c01 not_met (confirmed), c03 met -> not_met, c04 met (confirmed)
    rev.post("/api/calls/c01/decisions", json={"version": 0, "decisions": [
        {"criterion_id": "recording_disclosure"}]})
    rev.post("/api/calls/c03/decisions", json={"version": 0, "decisions": [
        {"criterion_id": "recording_disclosure", "verdict": "not_met", "reason": "said too late"}]})
    rev.post("/api/calls/c04/decisions", json={"version": 0, "decisions": [
        {"criterion_id": "recording_disclosure"}]})
    rows = client(env, "lead").get("/api/calibration/engine").json()
    (row,) = rows
    assert row["n"] == 3 and row["labels"] == ["met", "not_met", "na"]
    assert row["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 0, 0]]
    # po 2/3; engine met 2 not 1, human met 1 not 2 -> pe 4/9 -> kappa 0.4
    assert row["kappa"] == pytest.approx(0.4)
    assert row["percent_agreement"] == pytest.approx(2 / 3)


def test_audio_served_with_ranges(env: dict[str, Any]) -> None:
    queue_all(env)
    c = client(env, "rev")
    whole = c.get("/api/calls/c03/audio")
    size = len(whole.content)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "audio/wav" and whole.content[:4] == b"RIFF"
    part = c.get("/api/calls/c03/audio", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.content == whole.content[100:200]
    tail = c.get("/api/calls/c03/audio", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    open_end = c.get("/api/calls/c03/audio", headers={"Range": f"bytes={size - 5}-"})
    assert open_end.content == whole.content[-5:]
    bad = c.get("/api/calls/c03/audio", headers={"Range": f"bytes={size}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{size}"
    r = c.get("/api/calls/c03/audio?leg=customer")
    assert r.status_code == 400 and "no recording" in r.json()["detail"]


def test_openapi_schema_served_behind_login(env: dict[str, Any]) -> None:
    assert client(env).get("/api/openapi.json").status_code == 401
    schema = client(env, "rev").get("/api/openapi.json").json()
    assert "/api/calls/{call_id}/decisions" in schema["paths"]
    assert "/api/sample" in schema["paths"]
    assert client(env).get("/docs").status_code == 404  # the CDN-based docs page is off


def test_security_headers(env: dict[str, Any]) -> None:
    r = client(env).get("/login")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_calibration_member_hears_the_call_but_sees_no_suggestions(env: dict[str, Any]) -> None:
    lead = client(env, "lead")
    sid = lead.post("/api/calibration/sessions", json={
        "name": "n", "call_ids": ["c07"], "reviewers": ["rev", "lead"]}).json()["id"]
    rev, rev2 = client(env, "rev"), client(env, "rev2")
    assert rev.get("/api/calls/c07/audio", headers={"Range": "bytes=0-3"}).content == b"RIFF"
    assert rev.get("/api/calls/c07").status_code == 403  # the suggestions stay hidden
    assert rev2.get("/api/calls/c07/audio").status_code == 403  # not a member
    queue_all(env)  # even once c07 is queued, members cannot open it while the session is open
    r = rev.get("/api/calls/c07")
    assert r.status_code == 403 and "open calibration session" in r.json()["detail"]
    assert lead.get("/api/calls/c07/history").status_code == 403  # lead rates too: blind
    assert rev2.get("/api/calls/c07").status_code == 200
    lead.post(f"/api/calibration/sessions/{sid}/close")
    assert rev.get("/api/calls/c07").status_code == 200
    sheet = rev.get(f"/api/calibration/sessions/{sid}").json()
    assert sheet["calls"][0]["utterances"][0]["speaker"] == "agent"


def test_two_leg_call_serves_both_legs(env: dict[str, Any]) -> None:
    from qa_analytics.records import Call
    from qa_analytics.store import repository

    agent = demo.write_recording(env["tmp"] / "legs" / "agent.wav")
    customer = env["tmp"] / "legs" / "customer.flac"
    customer.write_bytes(b"fLaC" + bytes(100))
    call = Call(call_id="two", source=str(agent), customer_source=str(customer),
                channels="two_leg", agent_id="a1")
    repository.save_result(env["engine"], demo.make_result("two", str(agent)), call=call)
    lead = client(env, "lead")
    assert lead.get("/api/calls/two/audio").content[:4] == b"RIFF"
    r = lead.get("/api/calls/two/audio?leg=customer", headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == b"fLaC"
    assert r.headers["content-type"] == "audio/flac"
    page = lead.get("/calls/two").text
    assert 'id="player-customer"' in page and "Agent leg" in page


def test_expired_session_is_anonymous(env: dict[str, Any]) -> None:
    c = client(env, "rev")
    assert c.get("/api/me").json()["username"] == "rev"
    with env["engine"].begin() as conn:
        conn.execute(text("update sessions set expires_at = '2000-01-01T00:00:00+00:00'"))
    assert c.get("/api/me").status_code == 401
    client(env, "rev2")  # the next login sweeps expired sessions away
    with env["engine"].connect() as conn:
        assert conn.execute(text("select count(*) from sessions")).scalar() == 1


def test_rescored_call_is_a_conflict_for_stale_pages(env: dict[str, Any]) -> None:
    from qa_analytics.store import repository

    queue_all(env)
    c = client(env, "rev")
    view = c.get("/api/calls/c06").json()
    assert view["result_revision"] == 1
    # The engine re-scores c06 (e.g. a new scorecard) while the page is open.
    source = view["call"]["source"]
    repository.save_result(env["engine"], demo.make_result("c06", source, {"empathy": "not_met"}))
    r = c.post("/api/calls/c06/decisions", json={"version": 0, "result_revision": 1,
                                                 "decisions": [{"criterion_id": "empathy"}]})
    assert r.status_code == 409 and "re-scored" in r.json()["detail"]
    r = c.post("/api/calls/c06/confirm-remaining", json={"version": 0, "result_revision": 2})
    assert r.status_code == 200
    assert c.get("/api/calls/c06/history").json()[4]["suggested_verdict"] == "not_met"
