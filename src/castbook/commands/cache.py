"""The 'cache' commands: how big the segment cache is, and emptying it (all of it, or what is old)."""

from __future__ import annotations

import os
import re
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


_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in a size such as 500M, 2G, 1.5GB, 800KiB or 4096 (units of 1024, as `cache info` prints them)."""
    m = _SIZE.fullmatch(text)
    if not m:
        raise CastbookError(f"--max-size: '{text}' is not a size; give a number with K, M or G, e.g. 500M or 2G")
    return int(float(m.group(1)) * 1024 ** "bkmgt".index(m.group(2).lower() or "b"))


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
    max_size: Annotated[str | None, typer.Option("--max-size", help="Only the least recently used lines, until "
                                                 "the cache takes at most SIZE (500M, 2G).",
                                                 metavar="SIZE")] = None,
) -> None:
    """Delete cached lines (all; those unused for --older-than days; or the least recently used ones until the
    cache fits in --max-size). Renders only get slower: lines are spoken again when needed.

    Example: castbook cache clear --older-than 30
    Example: castbook cache clear --max-size 2G
    """
    limit = parse_size(max_size) if max_size is not None else None
    folder = _folder(cache)
    if not folder.exists():
        out.print(f"{folder}: no cache yet", highlight=False, markup=False)
        return
    entries = _entries(folder)
    doomed = entries if older_than is None and limit is None else []
    if older_than is not None:
        cutoff = time.time() - older_than * 86400
        doomed = [e for e in entries if e[2] < cutoff]
    if limit is not None:
        gone = {path for path, _, _ in doomed}
        kept = sorted((e for e in entries if e[0] not in gone), key=lambda e: e[2])  # least recently used first
        total = sum(size for _, size, _ in kept)
        for entry in kept:
            if total <= limit:
                break
            doomed.append(entry)
            total -= entry[1]
    removed = freed = 0
    for path, size, _used in doomed:
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
    left = f", {_size(sum(size for _, size, _ in entries) - freed)} left" if limit is not None else ""
    out.print(f"{folder}: removed {removed} files, {_size(freed)} freed{left}", highlight=False, markup=False)
