"""Command groups that live outside cli.py (one module per group); cli.py registers them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])

out = Console()
err = Console(stderr=True)


def guard(fn: F) -> F:
    """cli._guard for commands defined here: one-line errors and exit 1 (imported late: cli imports us)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..cli import _guard

        return _guard(fn)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def target_file(voices: Path | None) -> Path:
    """The voices file commands write to: --voices FILE, else ./voices.yaml."""
    return voices if voices is not None else Path.cwd() / "voices.yaml"
