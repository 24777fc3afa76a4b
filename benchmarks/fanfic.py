"""Benchmark: run castbook's segmenter on the original fan-fiction set and score speaker attribution.

Usage: python benchmarks/fanfic.py [--set dev|held|fresh|all] [--stories A,B] [--details] [--out DIR]
                                   [--loader auto|fallback|sources]
Reads <set folder>/<slug>.txt and <slug>.gold.json (PDNC's gold schema; written for this project);
loads each story through castbook.sources like a user's file, then scores with ../shared/tools/score_attribution.py.

Sets: `dev` (default) = benchmarks/fanfic/*, the stories rules are tuned on; `held` = benchmarks/fanfic/held/*,
original stories written to look like real AO3/FFN/Wattpad posts and kept OUT of tuning (see held/README.md:
run it to check a change, never read its errors line by line to write rules); `fresh` = benchmarks/fanfic/fresh/*,
stories written blind at the start of a session, scored for their totals only, to estimate unseen fan fiction (see
fresh/README.md); `all` = dev and held. The gold files of every set are checked (offsets, starts_with, speakers) on
every run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pdnc  # benchmarks/pdnc.py: segment writer, scorer call and report lines are shared

FANFIC = Path(__file__).resolve().parent / "fanfic"
HELD = FANFIC / "held"
FRESH = FANFIC / "fresh"
SETS = {"dev": (FANFIC,), "held": (HELD,), "fresh": (FRESH,), "all": (FANFIC, HELD)}
_OPEN_MARKS = "\u201c\"\u2018'"


def all_stories(folder: Path = FANFIC) -> list[str]:
    return sorted(p.name[: -len(".gold.json")] for p in folder.glob("*.gold.json"))


def story_folder(story: str) -> Path:
    """The folder that holds a story: the dev set first, then the held-out set, then the fresh set."""
    for folder in (FANFIC, HELD, FRESH):
        if (folder / f"{story}.gold.json").exists():
            return folder
    raise SystemExit(f"no gold file for story {story!r} in {FANFIC}, {HELD} or {FRESH}")


def check_gold(story: str, folder: Path | None = None) -> list[str]:
    """Problems in a gold file: `start` must sit on an opening quote mark followed by `starts_with`.

    `starts_with` leaves out emphasis asterisks (*so*), which are not heard and which the scorer turns into spaces.
    """
    folder = folder or story_folder(story)
    gold = json.loads((folder / f"{story}.gold.json").read_text(encoding="utf-8"))
    text = (folder / f"{story}.txt").read_text(encoding="utf-8")
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
    ap.add_argument("--set", choices=tuple(SETS), default="dev",
                    help="dev = benchmarks/fanfic (default), held = benchmarks/fanfic/held, fresh = benchmarks/fanfic/fresh, "
                         "all = dev and held")
    ap.add_argument("--stories", help="comma-separated story slugs (default: every story of --set)")
    ap.add_argument("--details", action="store_true", help="write per-quote details (JSON Lines) and print its path")
    ap.add_argument("--out", type=Path, help="folder for segment files (default: a temp folder)")
    ap.add_argument("--loader", choices=("auto", "fallback", "sources"), default="auto")
    a = ap.parse_args(argv)
    if a.stories:
        runs = [(story_folder(s.strip()), s.strip()) for s in a.stories.split(",") if s.strip()]
    else:
        runs = [(folder, s) for folder in SETS[a.set] for s in all_stories(folder)]
    # the gold of every set is always checked, whatever is run
    problems = [p for folder in (FANFIC, HELD, FRESH) for s in all_stories(folder) for p in check_gold(s, folder)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    out = a.out or Path(tempfile.mkdtemp(prefix="castbook-fanfic-"))
    out.mkdir(parents=True, exist_ok=True)
    pairs, total_time = [], 0.0
    for folder, story in runs:
        pdnc.PDNC = folder  # pdnc.write_segments reads <PDNC>/<name>.txt; point it at the story's set
        segs, elapsed = pdnc.write_segments(story, out, a.loader)
        total_time += elapsed
        pairs.append((folder / f"{story}.gold.json", segs))
    details = out / "details.jsonl" if a.details else None
    results = pdnc.score(pairs, details)["results"]
    groups = {}
    if len({folder for folder, _ in runs}) > 1:
        held = {s for folder, s in runs if folder == HELD}
        groups = {"dev": lambda w: w not in held, "held": lambda w: w in held}
    kept = out if a.out or a.details else None
    pdnc.print_report(results, groups, f"{total_time:.2f} s for {len(runs)} stories", kept, details)
    if kept is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
