"""Time load_work (and segmentation, when castbook.segment exists) on a generated 500 KB single-line chapter.

With `--mb N`: CPU time of load_work and segment_work on a generated work of N MB (chapters of dialogue).
"""

from __future__ import annotations

import argparse
import importlib
import random
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


def make_work(n_bytes: int) -> str:
    """About n_bytes of chapters with tagged dialogue and narration among a few characters (deterministic)."""
    rng = random.Random(7)
    names = ["Mara", "Eli", "Juno", "Tobias", "Wren", "Agnes"]
    lines = ["\u201cIs the lamp lit?\u201d {a} asked.", "{a} climbed the stair while {b} counted the boats.",
             "\u201cNot yet,\u201d said {a}, \u201cbut it will be.\u201d", "The wind was louder tonight.",
             "\u201cGo down,\u201d {a} told {b}."]
    parts, size, chapter = [], 0, 0
    while size < n_bytes:
        chapter += 1
        parts.append(f"Chapter {chapter}\n\n")
        for _ in range(120):
            a, b = rng.sample(names, 2)
            parts.append(" ".join(rng.choice(lines).format(a=a, b=b) for _ in range(3)) + "\n\n")
            size += len(parts[-1].encode())
    return "".join(parts)


def time_work(mb: float) -> int:
    from castbook.segment import segment_work

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big_work.txt"
        path.write_text(make_work(int(mb * 1_000_000)), encoding="utf-8")
        t0 = time.process_time()
        work = load_work(path)
        t1 = time.process_time()
        result = segment_work(work.chapters)
        t2 = time.process_time()
        print(f"{path.stat().st_size / 1e6:.1f} MB, {len(work.chapters)} chapters: load_work {t1 - t0:.2f} s CPU, "
              f"segment_work {t2 - t1:.2f} s CPU ({len(result.segments)} segments), total {t2 - t0:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, help="time a generated work of this many MB instead")
    a = ap.parse_args(argv)
    if a.mb:
        return time_work(a.mb)
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
