"""Benchmark: run castbook's segmenter on the original fan-fiction set and score speaker attribution.

Usage: python benchmarks/fanfic.py [--stories A,B] [--details] [--out DIR] [--loader auto|fallback|sources]
Reads benchmarks/fanfic/<slug>.txt and <slug>.gold.json (PDNC's gold schema; written for this project);
loads each story through castbook.sources like a user's file, then scores with ../shared/tools/score_attribution.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pdnc  # benchmarks/pdnc.py: segment writer, scorer call and report lines are shared

FANFIC = Path(__file__).resolve().parent / "fanfic"
_OPEN_MARKS = "\u201c\"\u2018"


def all_stories() -> list[str]:
    return sorted(p.name[: -len(".gold.json")] for p in FANFIC.glob("*.gold.json"))


def check_gold(story: str) -> list[str]:
    """Problems in a gold file: `start` must sit on an opening quote mark followed by `starts_with`.

    `starts_with` leaves out emphasis asterisks (*so*), which are not heard and which the scorer turns into spaces.
    """
    gold = json.loads((FANFIC / f"{story}.gold.json").read_text(encoding="utf-8"))
    text = (FANFIC / f"{story}.txt").read_text(encoding="utf-8")
    problems = []
    for q in gold["quotes"]:
        at = q["start"]
        after = " ".join(text[at + 1: at + 1 + 4 * len(q["starts_with"])].replace("*", "").split())
        if text[at: at + 1] not in _OPEN_MARKS or not after.startswith(q["starts_with"]):
            problems.append(f"{story} quote {q['n']}: text at {at} is {text[at: at + 30]!r}")
        if q["speaker"] not in gold["characters"]:
            problems.append(f"{story} quote {q['n']}: speaker {q['speaker']!r} is not in characters")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", help="comma-separated story slugs (default: all)")
    ap.add_argument("--details", action="store_true", help="write per-quote details (JSON Lines) and print its path")
    ap.add_argument("--out", type=Path, help="folder for segment files (default: a temp folder)")
    ap.add_argument("--loader", choices=("auto", "fallback", "sources"), default="auto")
    a = ap.parse_args(argv)
    stories = [s.strip() for s in a.stories.split(",") if s.strip()] if a.stories else all_stories()
    problems = [p for s in stories for p in check_gold(s)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    out = a.out or Path(tempfile.mkdtemp(prefix="castbook-fanfic-"))
    out.mkdir(parents=True, exist_ok=True)
    pdnc.PDNC = FANFIC  # pdnc.write_segments reads <PDNC>/<name>.txt; point it at this set
    pairs, total_time = [], 0.0
    for story in stories:
        segs, elapsed = pdnc.write_segments(story, out, a.loader)
        total_time += elapsed
        pairs.append((FANFIC / f"{story}.gold.json", segs))
    details = out / "details.jsonl" if a.details else None
    results = pdnc.score(pairs, details)["results"]
    pdnc.print_report(results, {}, f"{total_time:.2f} s for {len(stories)} stories", out, details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
