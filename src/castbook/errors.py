"""castbook's one exception family; cli.py renders it as a one-line message and exit 1."""

from __future__ import annotations


class CastbookError(Exception):
    """A problem the user can fix: the message says what failed, where, and what to do."""


class SourceError(CastbookError):
    """A work file that cannot be read or holds no story."""


class ConfigError(CastbookError):
    """A voices.yaml (or option) that is invalid."""


class EngineError(CastbookError):
    """The speech engine is missing or failed."""


class SegmentError(EngineError):
    """The engine could not speak one line, even after retries; the render goes on without it."""


class EncodeError(CastbookError):
    """ffmpeg is missing or failed."""
