"""`timeline export` and `timeline import`: streaming NDJSON interchange."""

from __future__ import annotations

from timeline.cli import app  # noqa: F401
