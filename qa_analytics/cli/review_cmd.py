"""`qa-analytics serve | users | sample | review | calibration | export`: the review app and the
same review actions from the command line, for scripts (``--json`` on everything that lists).

Commands act as a named user (``--as NAME`` or QA_ANALYTICS_USER) so that decisions carry a
reviewer and role rules apply; whoever can run them can already open the database, so the CLI
does not ask for that user's password.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_DB = "out/qa.db"

db_option = click.option("--db", default=DEFAULT_DB, envvar="QA_ANALYTICS_DB", show_default=True,
                         help="Database path or URL (env QA_ANALYTICS_DB).")
as_option = click.option("--as", "acting", required=True, envvar="QA_ANALYTICS_USER",
                         help="Act as this user (env QA_ANALYTICS_USER).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _engine(db: str):  # type: ignore[no-untyped-def]
    from qa_analytics.store import open_database

    return open_database(db)


def _user(engine, name: str):  # type: ignore[no-untyped-def]
    from qa_analytics.review.auth import get_user

    return get_user(engine, name)


def _print(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def _fmt(x: Any, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else str(x)


# ------------------------------------------------------------------------------------ serve


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--media-root", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder that relative recording paths are resolved against.")
@click.option("--secure-cookies", is_flag=True,
              help="Mark cookies Secure (when served over HTTPS, e.g. behind a proxy).")
@click.option("--demo", is_flag=True,
              help="Add 12 made-up calls (tone recordings) when the database has no results.")
def serve(db: str, host: str, port: int, media_root: Path, secure_cookies: bool,
          demo: bool) -> int:
    """Run the review web app (needs the [web] extra).

    Everything (pages, script, styles, recordings) is served by this process; nothing is
    loaded from the internet. Add people first with `qa-analytics users add`.

    \b
    Examples:
      qa-analytics serve --db out/qa.db
      qa-analytics serve --db out/qa.db --host 0.0.0.0 --port 8080 --media-root /data/calls
      qa-analytics serve --db /tmp/try.db --demo
    """
    try:
        import uvicorn

        from qa_analytics.review.web import create_app
    except ImportError as exc:
        raise click.ClickException(
            f"the web app needs {exc.name}: pip install 'qa-analytics[web]'") from exc
    engine = _engine(db)
    if demo:
        from qa_analytics.review import demo as demo_data
        from qa_analytics.store import repository

        if next(repository.iter_results(engine), None) is None:
            folder = Path(db).expanduser().resolve().parent / "demo_media"
            ids = demo_data.seed(engine, folder)
            click.echo(f"added {len(ids)} demo calls (recordings in {folder})")
    if host not in ("127.0.0.1", "localhost", "::1") and not secure_cookies:
        click.echo("note: listening beyond this machine without --secure-cookies; put the app "
                   "behind HTTPS so passwords and cookies are not sent in clear", err=True)
    click.echo(f"review app on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(create_app(engine, media_root=media_root, secure_cookies=secure_cookies),
                host=host, port=port, log_level="info")
    return EXIT_OK


# ------------------------------------------------------------------------------------ users


@click.group()
def users() -> None:
    """Manage people: add, list, disable, enable (roles: reviewer < lead < admin).

    \b
    Examples:
      qa-analytics users add alice --role lead
      qa-analytics users list --json
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["reviewer", "lead", "admin"]))
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of stdin (also when stdin is no tty).")
@db_option
def users_add(name: str, role: str, password_stdin: bool, db: str) -> int:
    """Add a user; the password is prompted for (twice) or read from stdin.

    \b
    Examples:
      qa-analytics users add alice --role lead
      printf '%s\\n' "$PASS" | qa-analytics users add bob --role reviewer --password-stdin
    """
    from qa_analytics.review.auth import add_user

    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = add_user(_engine(db), name, role, password)
    click.echo(f"added {user.username} ({user.role})")
    return EXIT_OK


@users.command("list")
@db_option
@json_option
def users_list(db: str, as_json: bool) -> int:
    """List users.

    \b
    Example:
      qa-analytics users list --json
    """
    from qa_analytics.review.auth import list_users

    rows = list_users(_engine(db))
    if as_json:
        _print(rows)
    for u in [] if as_json else rows:
        click.echo(f"{u['username']:<20} {u['role']:<9} {'active' if u['active'] else 'disabled'}")
    return EXIT_OK


def _set_active(name: str, db: str, active: bool) -> int:
    from qa_analytics.review.auth import set_active

    set_active(_engine(db), name, active)
    click.echo(f"{name} {'enabled' if active else 'disabled (sessions ended)'}")
    return EXIT_OK


@users.command("disable")
@click.argument("name")
@db_option
def users_disable(name: str, db: str) -> int:
    """Disable a user and end their sessions.

    \b
    Example:
      qa-analytics users disable bob
    """
    return _set_active(name, db, False)


@users.command("enable")
@click.argument("name")
@db_option
def users_enable(name: str, db: str) -> int:
    """Enable a disabled user.

    \b
    Example:
      qa-analytics users enable bob
    """
    return _set_active(name, db, True)


# ----------------------------------------------------------------------------------- sample


@click.command()
@click.option("--confidence", default=0.95, show_default=True, type=float,
              help="Confidence level of the sample estimate.")
@click.option("--margin", default=0.05, show_default=True, type=float,
              help="Margin of error (0.05 = ±5 points).")
@click.option("--method", default="random", show_default=True,
              type=click.Choice(["random", "stratified"]))
@click.option("--by", "stratify_by", default="agent", show_default=True,
              type=click.Choice(["agent", "team", "queue"]), help="Strata for --method stratified.")
@click.option("--low-confidence", default=0.6, show_default=True, type=float,
              help="A criterion below this confidence sends the call to review.")
@click.option("--from", "date_from", help="Calls started on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Calls started on or before this date (YYYY-MM-DD).")
@click.option("--seed", type=int, help="Random seed, for a reproducible draw.")
@as_option
@db_option
@json_option
def sample(confidence: float, margin: float, method: str, stratify_by: str,
           low_confidence: float, date_from: str | None, date_to: str | None, seed: int | None,
           acting: str, db: str, as_json: bool) -> int:
    """Build the review queue: every auto-fail and low-confidence call, plus a random or
    stratified sample of the rest sized n = n0/(1+(n0-1)/N), n0 = z^2*0.25/margin^2.

    \b
    Examples:
      qa-analytics sample --as alice
      qa-analytics sample --as alice --confidence 0.9 --margin 0.1 --method stratified --by team
      qa-analytics sample --as alice --from 2026-11-16 --to 2026-11-20 --seed 7 --json
    """
    from qa_analytics.review.queue import SamplePlan, build_queue

    engine = _engine(db)
    s = build_queue(engine, _user(engine, acting), SamplePlan(
        confidence=confidence, margin=margin, method=method, stratify_by=stratify_by,
        low_confidence=low_confidence, date_from=date_from, date_to=date_to, seed=seed))
    if as_json:
        _print(s)
    else:
        click.echo(f"queued {s['added']} calls: {s['auto_fail']} auto-fail, "
                   f"{s['low_confidence']} low-confidence, {s['sampled']} {s['method']} of "
                   f"{s['population']} (sample size {s['sample_size']} for "
                   f"{confidence:.0%} confidence, ±{margin:.0%})")
    return EXIT_OK


# ----------------------------------------------------------------------------------- review


@click.group()
def review() -> None:
    """Review calls from the command line: list, show, confirm, override, history.

    \b
    Examples:
      qa-analytics review list --as bob --json
      qa-analytics review override c01 empathy not_met --reason "no acknowledgement" --as bob
    """


@review.command("list")
@click.option("--status", default="pending", show_default=True,
              type=click.Choice(["pending", "reviewed", "all"]))
@click.option("--all-results", is_flag=True, help="Every scored call, not only the queue (leads).")
@click.option("--from", "date_from", help="Started on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Started on or before (YYYY-MM-DD).")
@click.option("--agent")
@click.option("--team")
@click.option("--queue")
@click.option("--reason", help="Queue reason: auto_fail, low_confidence, random, stratified:...")
@as_option
@db_option
@json_option
def review_list(status: str, all_results: bool, date_from: str | None, date_to: str | None,
                agent: str | None, team: str | None, queue: str | None, reason: str | None,
                acting: str, db: str, as_json: bool) -> int:
    """List calls awaiting review (or reviewed, or all).

    \b
    Examples:
      qa-analytics review list --as bob
      qa-analytics review list --as bob --team north --reason auto_fail --json
    """
    from qa_analytics.review.service import list_calls

    engine = _engine(db)
    rows = list_calls(engine, _user(engine, acting), queued_only=not all_results, status=status,
                      date_from=date_from, date_to=date_to, agent=agent, team=team, queue=queue,
                      reason=reason)
    if as_json:
        _print(rows)
        return EXIT_OK
    for r in rows:
        click.echo(f"{r['call_id']:<14} {r['started_at'] or '-':<20} {r['agent_id'] or '-':<8} "
                   f"{r['queue_reason'] or '-':<16} engine {_fmt(r['engine_score'], 1):>6}  "
                   f"{r['status']} {r['decided']}/{r['criteria_total']}  "
                   f"final {_fmt(r['final_score'], 1)}")
    click.echo(f"{len(rows)} call(s)")
    return EXIT_OK


@review.command("show")
@click.argument("call_id")
@as_option
@db_option
@json_option
def review_show(call_id: str, acting: str, db: str, as_json: bool) -> int:
    """Show a call's criteria (suggested and current verdicts), score and version.

    \b
    Example:
      qa-analytics review show c01 --as bob --json
    """
    from qa_analytics.review.service import call_view

    engine = _engine(db)
    v = call_view(engine, _user(engine, acting), call_id)
    if as_json:
        _print(v)
        return EXIT_OK
    click.echo(f"call {call_id}  version {v['version']}  {v['status']} "
               f"{v['decided']}/{v['criteria_total']}  engine {_fmt(v['engine']['score'], 2)}  "
               f"final {_fmt(v['final_score'], 2)}{'  AUTO-FAIL' if v['final_auto_fail'] else ''}")
    for c in v["criteria"]:
        now = c["current_verdict"] if c["decided"] else "(undecided)"
        click.echo(f"  {c['id']:<24} suggested {c['suggested_verdict']:<8} "
                   f"conf {c['confidence']:.2f}  now {now}")
    return EXIT_OK


def _decide(call_id: str, decisions: list[Any], acting: str, db: str, version: int | None,
            as_json: bool) -> int:
    from qa_analytics.review.service import call_view, decide

    engine = _engine(db)
    user = _user(engine, acting)
    # Without --version the CLI saves against what it reads now; scripts that showed the call
    # earlier pass --version to get the same conflict check as the web app.
    current = call_view(engine, user, call_id)["version"] if version is None else version
    s = decide(engine, user, call_id, current, decisions)
    if as_json:
        _print(s)
    else:
        click.echo(f"call {call_id}: version {s['version']}, {s['status']} "
                   f"{s['decided']}/{s['criteria_total']}, final {_fmt(s['final_score'], 2)}"
                   f"{' AUTO-FAIL' if s['final_auto_fail'] else ''}")
    return EXIT_OK


@review.command("confirm")
@click.argument("call_id")
@click.argument("criteria", nargs=-1)
@click.option("--remaining", is_flag=True, help="Confirm every criterion not decided yet.")
@click.option("--version", type=int, help="The version you loaded (refused if it changed).")
@as_option
@db_option
@json_option
def review_confirm(call_id: str, criteria: tuple[str, ...], remaining: bool,
                   version: int | None, acting: str, db: str, as_json: bool) -> int:
    """Confirm suggested verdicts: named CRITERIA, or all undecided with --remaining.

    \b
    Examples:
      qa-analytics review confirm c01 greeting closing --as bob
      qa-analytics review confirm c01 --remaining --as bob --version 3 --json
    """
    from qa_analytics.review.service import Decision, call_view

    if bool(criteria) == remaining:
        raise click.UsageError("name criteria to confirm, or give --remaining (not both)")
    if remaining:
        engine = _engine(db)
        v = call_view(engine, _user(engine, acting), call_id)
        criteria = tuple(c["id"] for c in v["criteria"] if not c["decided"])
        if not criteria:
            raise click.UsageError(f"every criterion of {call_id} is already decided")
    return _decide(call_id, [Decision(c) for c in criteria], acting, db, version, as_json)


@review.command("override")
@click.argument("call_id")
@click.argument("criterion")
@click.argument("verdict", type=click.Choice(["met", "not_met", "na"]))
@click.option("--reason", required=True, help="Why the suggestion is wrong (kept in the trail).")
@click.option("--version", type=int, help="The version you loaded (refused if it changed).")
@as_option
@db_option
@json_option
def review_override(call_id: str, criterion: str, verdict: str, reason: str,
                    version: int | None, acting: str, db: str, as_json: bool) -> int:
    """Override one criterion's verdict, with a reason.

    \b
    Example:
      qa-analytics review override c01 empathy not_met --reason "no acknowledgement" --as bob
    """
    from qa_analytics.review.service import Decision

    return _decide(call_id, [Decision(criterion, verdict, reason)], acting, db, version, as_json)


@review.command("history")
@click.argument("call_id")
@as_option
@db_option
@json_option
def review_history(call_id: str, acting: str, db: str, as_json: bool) -> int:
    """Show the audit trail of a call, oldest first.

    \b
    Example:
      qa-analytics review history c01 --as bob --json
    """
    from qa_analytics.review.service import history

    engine = _engine(db)
    rows = history(engine, _user(engine, acting), call_id)
    if as_json:
        _print(rows)
        return EXIT_OK
    for d in rows:
        click.echo(f"{d['seq']:>3} {d['decided_at']} {d['reviewer']:<12} {d['criterion_id']:<22} "
                   f"{d['suggested_verdict']} -> {d['new_verdict']} ({d['action']}; previous "
                   f"{d['previous_verdict'] or '-'}){': ' + d['reason'] if d['reason'] else ''}")
    return EXIT_OK


# ------------------------------------------------------------------------------ calibration


@click.group()
def calibration() -> None:
    """Agreement: engine vs human over reviewed calls, and calibration sessions.

    \b
    Examples:
      qa-analytics calibration report --json
      qa-analytics calibration create W47 --call c01 --reviewer bob --reviewer carol --as alice
    """


@calibration.command("report")
@click.option("--session", "session_id", type=int,
              help="A calibration session's reviewer agreement instead of engine vs human.")
@click.option("--as", "acting", envvar="QA_ANALYTICS_USER",
              help="Lead to act as (needed with --session).")
@db_option
@json_option
def calibration_report(session_id: int | None, acting: str | None, db: str,
                       as_json: bool) -> int:
    """Engine-vs-human agreement per criterion (Cohen's kappa, confusion matrix), or with
    --session the reviewers' agreement (percent, pairwise kappa, Krippendorff's alpha).

    \b
    Examples:
      qa-analytics calibration report --db out/qa.db
      qa-analytics calibration report --session 3 --as alice --json
    """
    from qa_analytics.review import calibration as cal

    engine = _engine(db)
    if session_id is not None:
        if not acting:
            raise click.UsageError("--session needs --as LEAD")
        report = cal.session_report(engine, _user(engine, acting), session_id)
        if as_json:
            _print(report)
            return EXIT_OK
        click.echo(f"session {report['id']} {report['name']!r}: {len(report['calls'])} calls, "
                   f"reviewers {', '.join(report['reviewers'])}")
        for c in report["criteria"]:
            pairs = ", ".join(f"{p['a']}-{p['b']} {_fmt(p['kappa'])}" for p in c["pairwise_kappa"])
            click.echo(f"  {c['criterion_id']:<24} agree {_fmt(c['percent_agreement'])}  "
                       f"alpha {_fmt(c['krippendorff_alpha'])}  kappa {pairs}  "
                       f"differed on {len(c['disagreements'])} call(s)")
        return EXIT_OK
    rows = cal.engine_vs_human(engine)
    if as_json:
        _print(rows)
        return EXIT_OK
    if not rows:
        click.echo("no reviewed criteria yet")
    for r in rows:
        cm = " ".join("/".join(str(n) for n in row) for row in r["confusion"])
        click.echo(f"{r['criterion_id']:<24} n {r['n']:>4}  agree {_fmt(r['percent_agreement'])}"
                   f"  kappa {_fmt(r['kappa'])}  confusion (engine rows met/not_met/na) {cm}")
    return EXIT_OK


@calibration.command("create")
@click.argument("name")
@click.option("--call", "calls", multiple=True, required=True, help="A call id (repeat).")
@click.option("--reviewer", "reviewers", multiple=True, required=True, help="A user (repeat).")
@as_option
@db_option
def calibration_create(name: str, calls: tuple[str, ...], reviewers: tuple[str, ...],
                       acting: str, db: str) -> int:
    """Create a blind calibration session (leads).

    \b
    Example:
      qa-analytics calibration create "Week 47" --call c01 --call c02 \\
          --reviewer bob --reviewer carol --as alice
    """
    from qa_analytics.review.calibration import create_session

    engine = _engine(db)
    sid = create_session(engine, _user(engine, acting), name, calls, reviewers)
    click.echo(f"calibration session {sid} created; reviewers rate at /calibration/{sid}")
    return EXIT_OK


# ----------------------------------------------------------------------------------- export


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for final_scores.csv/.jsonl and decisions.csv/.jsonl.")
@db_option
@json_option
def export(out_dir: Path, db: str, as_json: bool) -> int:
    """Export final scores (recomputed from human verdicts) and every decision, CSV and JSONL.

    \b
    Example:
      qa-analytics export --db out/qa.db --out out/export
    """
    from qa_analytics.reports.export import export as run_export

    summary = run_export(_engine(db), out_dir)
    if as_json:
        _print(summary)
    else:
        for name, n in summary["rows"].items():
            click.echo(f"{out_dir / name}: {n} rows")
    return EXIT_OK


def register(cli: click.Group) -> None:
    for command in (serve, users, sample, review, calibration, export):
        cli.add_command(command)
