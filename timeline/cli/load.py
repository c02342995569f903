"""`timeline load`: seed files into the database."""

from __future__ import annotations

from timeline.cli import app  # noqa: F401
