"""timeline: an event timeline database for news-derived events.

`from timeline import Timeline` is the library API (`timeline.api`); importing the
package itself stays cheap, since the command line imports it on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from timeline.api import Timeline

__all__ = ["Timeline", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Timeline":
        from timeline.api import Timeline

        return Timeline
    if name == "__version__":
        from importlib.metadata import version

        return version("timeline")
    raise AttributeError(f"module 'timeline' has no attribute {name!r}")
