"""Human review of provisional scores: confirm/override with an audit trail, review queues
(sampling), calibration agreement, and the web app (``review.web``, needs the ``[web]`` extra).

Importing this package is light: the web app (FastAPI) is imported only by ``review.web``.

Quick start (after ``qa-analytics run ... --out out/`` has filled ``out/qa.db``)::

    qa-analytics users add alice --role lead          # password prompted
    qa-analytics sample --as alice --db out/qa.db     # build the review queue
    qa-analytics serve --db out/qa.db                 # http://127.0.0.1:8000/
    qa-analytics serve --db /tmp/try.db --demo        # or: try it on made-up calls

Roles are ordered: ``reviewer`` < ``lead`` < ``admin``; a role can do everything the roles
below it can. Reviewers review queued calls and rate calibration calls they were added to;
leads also build queues, run calibration sessions and see all results; admins manage users.
"""

ROLES: tuple[str, ...] = ("reviewer", "lead", "admin")

__all__ = ["ROLES"]
