"""The 'cache' commands: how big the segment cache is, and emptying it (all of it, or what is old)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CastbookError
from . import guard, out

cache_app = typer.Typer(help="Look at or empty the segment cache (one WAV per spoken line).",
                        no_args_is_help=True)

CacheOpt = Annotated[Path | None, typer.Option("--cache", help="Segment cache folder (default: "
                                               "~/.cache/castbook/segments, or $CASTBOOK_CACHE).")]


def _folder(cache: Path | None) -> Path:
    from ..cli import _cache_dir

    folder = cache or _cache_dir()
    if folder.exists() and not folder.is_dir():
        raise CastbookError(f"{folder}: not a folder; give the cache folder with --cache")
    return folder


def _entries(folder: Path) -> list[tuple[Path, int, float]]:
    """(path, bytes, last used) of every cached WAV and leftover temporary file."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".wav") or ".part" in name:
                path = Path(root) / name
                try:
                    st = path.stat()
                except OSError:
                    continue
                found.append((path, st.st_size, max(st.st_atime, st.st_mtime)))
    return found


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@cache_app.command("info")
@guard
def info(cache: CacheOpt = None) -> None:
    """Where the cache is, how many lines it holds and how much room they take.

    Example: castbook cache info
    """
    folder = _folder(cache)
    entries = _entries(folder) if folder.exists() else []
    total = sum(size for _, size, _ in entries)
    seconds = total / (2 * 22050)
    out.print(f"{folder}: {len(entries)} files, {_size(total)} (about {seconds / 3600:.1f} h of speech)",
              highlight=False, markup=False)


@cache_app.command("clear")
@guard
def clear(
    cache: CacheOpt = None,
    older_than: Annotated[int | None, typer.Option("--older-than", min=0, help="Only lines not used for this "
                                                   "many days.")] = None,
) -> None:
    """Delete cached lines (all, or those unused for --older-than days). Renders only get slower: lines are
    spoken again when needed.

    Example: castbook cache clear --older-than 30
    """
    folder = _folder(cache)
    if not folder.exists():
        out.print(f"{folder}: no cache yet", highlight=False, markup=False)
        return
    cutoff = time.time() - older_than * 86400 if older_than is not None else None
    removed = freed = 0
    for path, size, used in _entries(folder):
        if cutoff is not None and used >= cutoff:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CastbookError(f"{path}: cannot delete ({exc.strerror})") from None
        removed += 1
        freed += size
    for sub in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True):
        try:
            sub.rmdir()  # only when empty
        except OSError:
            pass
    out.print(f"{folder}: removed {removed} files, {_size(freed)} freed", highlight=False, markup=False)
