"""The HTML pages: login form (with its CSRF token), queue, call page, calibration, users."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from qa_analytics.review import auth, demo  # noqa: E402
from qa_analytics.review.web import create_app  # noqa: E402
from qa_analytics.store import open_database  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    engine = open_database(root / "qa.db")
    demo.seed(engine, root / "media")
    auth.add_user(engine, "rev", "reviewer", PASSWORD)
    auth.add_user(engine, "lead", "lead", PASSWORD)
    auth.add_user(engine, "admin", "admin", PASSWORD)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return root / "qa.db"


@pytest.fixture()
def app(tmp_path: Path, template_db: Path):  # type: ignore[no-untyped-def]
    shutil.copy(template_db, tmp_path / "qa.db")
    return create_app(open_database(tmp_path / "qa.db"))


def form_login(app, user: str, password: str = PASSWORD) -> tuple[TestClient, int]:  # type: ignore[no-untyped-def]
    c = TestClient(app, follow_redirects=False)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/login", data={"username": user, "password": password, "csrf_token": token})
    return c, r.status_code


def csrf_of(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_login_form_flow(app) -> None:  # type: ignore[no-untyped-def]
    c, status = form_login(app, "rev")
    assert status == 303
    page = c.get("/queue")
    assert page.status_code == 200 and "rev (reviewer)" in page.text
    assert "Build a review queue" not in page.text  # reviewers do not sample
    _, status = form_login(app, "rev", "wrong password")
    assert status == 401


def test_login_form_without_its_token_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app, follow_redirects=False)
    r = c.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403 and "qa_session" not in r.cookies


def test_lead_builds_queue_and_opens_call_page(app) -> None:  # type: ignore[no-untyped-def]
    c, _ = form_login(app, "lead")
    token = csrf_of(c.get("/queue").text)
    assert c.post("/queue/sample", data={"margin": "0.2"}).status_code == 403  # no token
    r = c.post("/queue/sample", data={"margin": "0.2", "method": "stratified",
                                      "stratify_by": "team", "csrf_token": token})
    assert r.status_code == 200 and "Queue built (stratified:team)" in r.text
    assert "c01" in r.text and "auto_fail" in r.text
    page = c.get("/calls/c01")
    assert page.status_code == 200
    html = page.text
    assert 'data-version="0"' in html
    assert 'src="/api/calls/c01/audio?leg=agent"' in html
    # evidence links seek the player: recording_disclosure's evidence starts at 2.6 s
    assert 'class="seek evidence-link" data-t="2.6"' in html
    assert "This call is recorded for quality and training." in html
    assert "Confirm all remaining" in html and "No decisions yet." in html


def test_reviewer_sees_error_page_for_unqueued_call(app) -> None:  # type: ignore[no-untyped-def]
    c, _ = form_login(app, "rev")
    r = c.get("/calls/c05")
    assert r.status_code == 403 and "not in the review queue" in r.text


def test_calibration_and_users_pages(app) -> None:  # type: ignore[no-untyped-def]
    lead, _ = form_login(app, "lead")
    token = csrf_of(lead.get("/calibration").text)
    r = lead.post("/calibration", data={"name": "Week 47", "call_ids": "c03, c04",
                                        "reviewers": ["rev", "lead"], "csrf_token": token})
    assert r.status_code == 303
    report_url = r.headers["location"]
    rev, _ = form_login(app, "rev")
    sheet = rev.get("/calibration/1")
    assert sheet.status_code == 200 and "Blind rating" in sheet.text
    r = rev.post("/calibration/1/rate", data={"call_id": "c03", "v:greeting": "not_met",
                                              "csrf_token": csrf_of(sheet.text)})
    assert r.status_code == 303
    lead_sheet = lead.get("/calibration/1")
    lead.post("/calibration/1/rate", data={"call_id": "c03", "v:greeting": "met",
                                           "csrf_token": csrf_of(lead_sheet.text)})
    report = lead.get(report_url)
    assert "Ratings so far: lead 1, rev 1" in report.text and "rev=not_met" not in report.text
    lead.post("/calibration/1/close", data={"csrf_token": csrf_of(report.text)})
    report = lead.get(report_url)
    assert report.status_code == 200 and "c03: lead=met rev=not_met" in report.text
    assert rev.get(report_url).status_code == 403
    assert lead.get("/calibration/engine").status_code == 200
    assert lead.get("/users").status_code == 403
    admin, _ = form_login(app, "admin")
    users = admin.get("/users")
    r = admin.post("/users", data={"username": "kim", "role": "reviewer", "password": "12345678",
                                   "csrf_token": csrf_of(users.text)})
    assert r.status_code == 303 and "kim" in admin.get("/users").text
    token = csrf_of(users.text)
    assert admin.post("/users/rev/active", data={"active": "0", "csrf_token": token}
                      ).status_code == 303
    assert rev.get("/queue").status_code == 303  # disabled: the session ended
    assert admin.post("/users/admin/active", data={"active": "0", "csrf_token": token}
                      ).status_code == 400
    assert lead.post("/users/rev/active", data={"active": "1", "csrf_token": csrf_of(
        lead.get("/queue").text)}).status_code == 403
