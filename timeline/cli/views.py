"""`timeline events`, `event`, `actors`, `actor`, `sources`, `info`: the chronological views."""

from __future__ import annotations

from timeline.cli import app  # noqa: F401
