"""People and access: users with argon2id password hashes, server-side sessions with a CSRF
token each, and a failed-login limit.

Sessions: the browser cookie holds 32 random bytes; the database holds only their SHA-256.
Failed logins: after ``max_failures`` failures for a username (or ``CLIENT_FACTOR`` times as
many from one client address) within ``window_s``, further attempts are refused until the
window passes, even with the right password, so that guessing cannot go on inside the window.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, func, select

from qa_analytics.errors import PermissionDenied, ReviewError
from qa_analytics.review import ROLES
from qa_analytics.review.schema import login_attempts, sessions, users

SESSION_TTL = timedelta(hours=12)
CLIENT_FACTOR = 4  # failures allowed from one address: this many times the per-user limit


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above it (reviewer < lead < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True, slots=True)
class Session:
    token: str  # goes into the cookie; never stored
    csrf_token: str
    user: User


class LoginRefused(ReviewError):
    """Wrong username/password (deliberately not saying which)."""


class LoginRateLimited(ReviewError):
    """Too many failed logins; ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _hasher():  # type: ignore[no-untyped-def]
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ReviewError(
            "user accounts need argon2-cffi: pip install 'qa-analytics[web]'") from exc
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def require(user: User, role: str, action: str) -> None:
    if not user.can(role):
        raise PermissionDenied(f"{action} needs the {role} role; {user.username} is a {user.role}")


def add_user(engine: Engine, username: str, role: str, password: str) -> User:
    username = username.strip()
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", username):
        raise ReviewError(
            f"username must be 1-100 letters, digits, '.', '_' or '-', got {username!r}")
    if role not in ROLES:
        raise ReviewError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if len(password) < 8:
        raise ReviewError("password must have at least 8 characters")
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise ReviewError(f"user {username!r} already exists")
        result = conn.execute(users.insert().values(
            username=username, role=role, password_hash=_hasher().hash(password), active=True,
            created_at=_iso(_now())))
        return User(int(result.inserted_primary_key[0]), username, role)


def list_users(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(users.c.username, users.c.role, users.c.active,
                                   users.c.created_at).order_by(users.c.username)).all()
    return [dict(r._mapping) for r in rows]


def set_active(engine: Engine, username: str, active: bool) -> None:
    with engine.begin() as conn:
        if not conn.execute(users.update().where(users.c.username == username)
                            .values(active=active)).rowcount:
            raise ReviewError(f"no user {username!r}")
        if not active:  # a disabled user's open sessions end now
            ids = select(users.c.id).where(users.c.username == username).scalar_subquery()
            conn.execute(sessions.delete().where(sessions.c.user_id == ids))


def get_user(engine: Engine, username: str) -> User:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)
                           .where(users.c.active.is_(True))).first()
    if not row:
        raise ReviewError(f"no active user {username!r}; add one with: qa-analytics users add")
    return User(row.id, row.username, row.role)


def login(engine: Engine, username: str, password: str, client: str, *,
          max_failures: int = 5, window_s: int = 900) -> Session:
    """Check the password (rate-limited) and open a session."""
    since = _iso(_now() - timedelta(seconds=window_s))
    failed = and_(login_attempts.c.success.is_(False), login_attempts.c.attempted_at >= since)
    count = select(func.count(), func.min(login_attempts.c.attempted_at))
    with engine.connect() as conn:
        by_user = conn.execute(count.where(failed, login_attempts.c.username == username)).one()
        by_client = conn.execute(count.where(failed, login_attempts.c.client == client)).one()
        row = conn.execute(select(users).where(users.c.username == username)).first()
    # Per username: stops guessing one account. Per client address, with a higher bar: stops
    # spraying many accounts, without one person's typos locking out everyone behind a proxy.
    for (n, oldest_iso), limit in ((by_user, max_failures),
                                   (by_client, CLIENT_FACTOR * max_failures)):
        if n >= limit:
            oldest = datetime.fromisoformat(oldest_iso)
            retry = max(1, int((oldest + timedelta(seconds=window_s) - _now()).total_seconds()))
            raise LoginRateLimited(
                f"too many failed logins; try again in {retry} s", retry_after_s=retry)
    ok = False
    if row is not None and row.active:
        try:
            ok = _hasher().verify(row.password_hash, password)
        except Exception:  # argon2 raises VerifyMismatchError / InvalidHashError
            ok = False
    with engine.begin() as conn:
        conn.execute(login_attempts.insert().values(
            username=username[:100], client=client[:100], success=ok, attempted_at=_iso(_now())))
    if not ok:  # raised after the commit: the failure must count towards the limit
        raise LoginRefused("wrong username or password")
    with engine.begin() as conn:
        # Housekeeping on the rare write path: drop expired sessions and old attempts.
        conn.execute(sessions.delete().where(sessions.c.expires_at < _iso(_now())))
        conn.execute(login_attempts.delete().where(
            login_attempts.c.attempted_at < _iso(_now() - timedelta(days=30))))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        conn.execute(sessions.insert().values(
            token_sha256=_digest(token), user_id=row.id, csrf_token=csrf,
            created_at=_iso(_now()), expires_at=_iso(_now() + SESSION_TTL)))
    return Session(token, csrf, User(row.id, row.username, row.role))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_for(engine: Engine, token: str | None) -> Session | None:
    """The live session of a cookie token, or None (unknown, expired, or user disabled)."""
    if not token:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(sessions.c.csrf_token, sessions.c.expires_at, users.c.id, users.c.username,
                   users.c.role, users.c.active)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_sha256 == _digest(token))).first()
    if not row or not row.active or row.expires_at < _iso(_now()):
        return None
    return Session(token, row.csrf_token, User(row.id, row.username, row.role))


def logout(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.token_sha256 == _digest(token)))
