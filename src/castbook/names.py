"""Safe file names from titles: inside the output folder, portable, never empty."""

from __future__ import annotations

import re
import unicodedata

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
