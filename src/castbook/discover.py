"""Find the works among export SOURCES: files, folders (recursive) and list files, in order, once each."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import CastbookError

SUPPORTED = (".txt", ".html", ".htm", ".epub")
"""File types a folder is searched for (recursively)."""
LIST_SUFFIXES = (".list", ".lst")
"""A source with one of these suffixes is always a list file."""


@dataclass(frozen=True, slots=True)
class Source:
    """One work file found among the SOURCES."""

    path: Path
    """Absolute path of the work."""
    problem: str | None = None
    """Why it cannot even be tried (missing file); reported as failed."""


def discover(sources: Iterable[Path], library: Path | None = None) -> list[Source]:
    """Work files from files, folders (recursive, SUPPORTED types) and list files; in order, no duplicates."""
    found: dict[Path, Source] = {}
    skip = library.resolve() if library is not None else None
    for raw in sources:
        for src in _expand(Path(raw), skip, from_list=False):
            found.setdefault(src.path, src)
    return list(found.values())


def _expand(path: Path, skip: Path | None, from_list: bool) -> list[Source]:
    full = Path(os.path.abspath(path.expanduser()))
    if not full.exists():
        return [Source(full, f"{path}: no such file or folder; check the path")]
    if full.is_dir():
        return [Source(p) for p in _walk(full, skip)]
    if not from_list and (full.suffix.lower() in LIST_SUFFIXES or _is_list(full)):
        out: list[Source] = []
        for entry in _list_entries(full):
            out += _expand(entry, skip, from_list=True)
        return out
    return [Source(full)]


def _walk(folder: Path, skip: Path | None) -> list[Path]:
    """Supported files under `folder`, sorted; hidden names and the library itself left out."""
    out = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (skip is None or here / d != skip))
        out += [here / f for f in sorted(files)
                if not f.startswith(".") and Path(f).suffix.lower() in SUPPORTED]
    return out


def _list_entries(path: Path) -> list[Path]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CastbookError(f"{path}: cannot read the list file ({exc}); one path per line, UTF-8") from None
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            p = Path(line).expanduser()
            entries.append(p if p.is_absolute() else path.parent / p)
    return entries


def _is_list(path: Path) -> bool:
    """A small text file whose every line (besides blanks and # comments) is a path.

    A path line names an existing file or folder or ends in a work's suffix (a missing work is reported);
    at least one must exist. Story text never passes: its lines are sentences.
    """
    if path.suffix.lower() not in (".txt", "") or path.stat().st_size > 64 * 1024:
        return False
    try:
        entries = _list_entries(path)
    except CastbookError:
        return False
    return (bool(entries) and any(_exists(e) for e in entries)
            and all(_exists(e) or e.suffix.lower() in SUPPORTED + LIST_SUFFIXES for e in entries))


def _exists(path: Path) -> bool:
    try:  # a line of prose makes a name too long for the file system (OSError), not a path
        return path.exists()
    except OSError:
        return False
