"""Human review of provisional scores: confirm/override with an audit trail, review queues
(sampling), calibration agreement, and the web app (``review.web``, needs the ``[web]`` extra).

Importing this package is light: the web app (FastAPI) is imported only by ``review.web``.

Roles are ordered: ``reviewer`` < ``lead`` < ``admin``; a role can do everything the roles
below it can. Reviewers review queued calls and rate calibration calls they were added to;
leads also build queues, run calibration sessions and see all results; admins manage users.
"""

ROLES: tuple[str, ...] = ("reviewer", "lead", "admin")

__all__ = ["ROLES"]
