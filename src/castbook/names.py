"""Safe file names from titles: inside the output folder, portable, never empty."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_MAX_BYTES = 120


def safe_filename(text: str, fallback: str = "untitled") -> str:
    """A file name (no folder part) made from `text`: no separators, controls, `..`, or reserved names."""
    name = unicodedata.normalize("NFC", text or "")
    name = _BAD.sub(" ", name)
    name = " ".join(name.split()).strip(" .")
    while len(name.encode("utf-8")) > _MAX_BYTES:
        name = name[:-1]
    name = name.rstrip(" .")
    if not name:
        name = fallback
    if name.split(".")[0].casefold() in _WINDOWS_RESERVED:
        name = f"_{name}"
    return name


LAYOUTS = ("flat", "author-title")
"""How a work's outputs are placed under the output folder."""


def library_folder(author: str | None, title: str | None, fallback: str = "untitled") -> Path:
    """The `Author/Title` folder (relative) a work goes to in a library; "Unknown Author" when none is stated."""
    return Path(safe_filename(author or "", "Unknown Author")) / safe_filename(title or "", fallback)


def book_folder(root: Path, author: str | None, title: str | None, layout: str = "flat",
                fallback: str = "untitled") -> Path:
    """Where a work's files go: `root` itself ("flat"), or `root/Author/Title` ("author-title", the layout
    audiobook servers such as Audiobookshelf scan). Always inside `root`."""
    if layout == "flat":
        return Path(root)
    if layout == "author-title":
        return Path(root) / library_folder(author, title, fallback)
    raise ValueError(f"unknown layout '{layout}'; use one of: {', '.join(LAYOUTS)}")
