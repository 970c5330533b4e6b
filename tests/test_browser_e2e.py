"""End to end in a real browser: uvicorn serving the app on loopback, Playwright driving
Debian's Chromium headless. A reviewer logs in, opens a call, plays from an evidence link,
overrides a criterion with a reason, confirms the rest, and checks the final score and the
history. The screenshot is kept in out/e2e/ (git-ignored) for people to look at."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "out" / "e2e" / "review_call_page.png"
PASSWORD = "correct horse battery"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    from qa_analytics.review import auth, demo
    from qa_analytics.review.queue import SamplePlan, build_queue
    from qa_analytics.review.web import create_app
    from qa_analytics.store import open_database

    engine = open_database(tmp_path / "qa.db")
    demo.seed(engine, tmp_path / "media", n_calls=6)
    auth.add_user(engine, "rev", "reviewer", PASSWORD)
    lead = auth.add_user(engine, "lead", "lead", PASSWORD)
    build_queue(engine, lead, SamplePlan(margin=0.01, seed=0))  # every call queued
    port = _free_port()
    config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 15 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_review_a_call_in_chromium(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--autoplay-policy=no-user-gesture-required"])
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 800})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            external: list[str] = []
            page.on("request", lambda r: external.append(r.url)
                    if not r.url.startswith(server) else None)

            page.goto(server + "/calls/c03")
            assert page.url.endswith("/login")  # anonymous -> login
            page.fill("input[name=username]", "rev")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/queue")
            page.click("a[href='/calls/c03']")
            page.wait_for_url("**/calls/c03")

            # Evidence for recording_disclosure starts at 2.6 s: the player seeks and plays.
            disclosure = page.locator("article[data-criterion=recording_disclosure]")
            disclosure.locator("button.evidence-link").click()
            page.wait_for_function(
                "() => { const a = document.getElementById('player-agent');"
                " return a.currentTime >= 2.6 && !a.paused; }", timeout=10000)
            time.sleep(0.5)
            assert page.evaluate("document.getElementById('player-agent').currentTime") > 2.6

            # Override without a reason is refused in place; with a reason it saves.
            greeting = page.locator("article[data-criterion=greeting]")
            greeting.locator("select[name=verdict]").select_option("not_met")
            greeting.locator("form.override button").click()
            assert "needs a reason" in page.locator("#message").inner_text()
            greeting.locator("input[name=reason]").fill("greeting came after the customer spoke")
            with page.expect_navigation():
                greeting.locator("form.override button").click()
            greeting = page.locator("article[data-criterion=greeting]")
            assert "now not_met" in greeting.inner_text()
            assert page.locator("#review-status").inner_text().startswith("in_review 1/10")

            with page.expect_navigation():
                page.click("#confirm-all")
            # 10 criteria, hold_etiquette na: 95 weight applies; greeting (10) not met
            assert page.locator("#final-score").inner_text() == "89.47"
            assert page.locator("#review-status").inner_text() == "reviewed 10/10"
            assert page.locator("#final-auto-fail").is_hidden()
            rows = page.locator("#history tbody tr")
            assert rows.count() == 10
            newest_first = rows.last.inner_text()
            assert "greeting" in newest_first and "rev" in newest_first
            assert "greeting came after the customer spoke" in newest_first
            assert "not_met" in newest_first

            # Two tabs on the same call: the later save against a stale version is refused
            # with a visible conflict message, and nothing is overwritten.
            page.goto(server + "/calls/c04")
            stale = context.new_page()  # same login, second tab
            stale.goto(server + "/calls/c04")
            with page.expect_navigation():
                page.locator("article[data-criterion=empathy] button.confirm").click()
            stale.locator("article[data-criterion=empathy] select[name=verdict]").select_option(
                "not_met")
            stale.locator("article[data-criterion=empathy] input[name=reason]").fill("cold")
            stale.locator("article[data-criterion=empathy] form.override button").click()
            stale.wait_for_selector("#message:not(.hidden)")
            message = stale.locator("#message").inner_text()
            assert message.startswith("Conflict:") and "changed since you loaded it" in message
            stale.close()
            page.reload()
            assert page.locator("#history tbody tr").count() == 1
            page.goto(server + "/calls/c03")

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert SCREENSHOT.stat().st_size > 10_000
            assert not errors, errors
            assert not external, external  # everything is served by the app itself
        finally:
            browser.close()


def test_screenshot_dir_is_ignored_by_git() -> None:
    # out/ is in .gitignore, so the e2e screenshot never ends up committed by accident.
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    import subprocess

    r = subprocess.run(["git", "check-ignore", "-q", str(SCREENSHOT)], cwd=REPO)
    assert r.returncode == 0
