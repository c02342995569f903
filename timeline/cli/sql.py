"""`timeline sql` and `timeline schema`: read-only inspection."""

from __future__ import annotations

from timeline.cli import app  # noqa: F401
