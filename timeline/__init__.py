"""timeline: an event timeline database for news-derived events."""

__version__ = "0.1.0"
