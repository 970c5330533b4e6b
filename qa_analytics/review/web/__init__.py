"""The review web app (FastAPI + Jinja2 templates + one small vanilla JS file), served entirely
from the package: no CDN, no external assets. Needs the ``[web]`` extra."""

from qa_analytics.review.web.app import create_app

__all__ = ["create_app"]
