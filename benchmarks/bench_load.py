"""Time load_work (and segmentation, when castbook.segment exists) on a generated 500 KB single-line chapter."""

from __future__ import annotations

import importlib
import sys
import tempfile
import time
from pathlib import Path

from castbook.sources import load_work

_SENTENCES = (
    "The keeper climbed the spiral stair and counted every step.",
    "“Is the lamp lit?” Mara asked, already halfway up.",
    "The wind was louder tonight, and the glass hummed in its frame.",
    "“Not yet,” said Eli, “but it will be.”",
)


def make_line(size: int = 500_000) -> str:
    """One line of prose with glued sentences (paragraph breaks lost), as AO3 text exports have them."""
    parts, n, i = [], 0, 0
    while n < size:
        s = _SENTENCES[i % len(_SENTENCES)]
        sep = "" if i % 5 == 0 else " "  # every fifth sentence is glued to the one before
        parts.append(sep + s)
        n += len(s) + len(sep)
        i += 1
    return "".join(parts)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long_chapter.txt"
        path.write_text("Work Header\n\nLong Night\n\nChapter Text\n\n" + make_line() + "\n", encoding="utf-8")
        size = path.stat().st_size
        t0 = time.perf_counter()
        work = load_work(path)
        load_s = time.perf_counter() - t0
        paras = sum(len(c.paragraphs) for c in work.chapters)
        print(f"load_work: {size / 1024:.0f} KB single line -> {len(work.chapters)} chapter(s), {paras} paragraphs"
              f" in {load_s:.2f} s")
        try:
            segment = importlib.import_module("castbook.segment")
        except ImportError:
            segment = None
        if segment is not None and hasattr(segment, "segment_work"):
            t0 = time.perf_counter()
            result = segment.segment_work(work.chapters)
            seg_s = time.perf_counter() - t0
            count = len(getattr(result, "segments", result))
            print(f"segment_work: {count} segments in {seg_s:.2f} s (total {load_s + seg_s:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
