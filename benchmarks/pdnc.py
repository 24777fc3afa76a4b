"""Benchmark: run castbook's segmenter on every PDNC novel and score speaker attribution.

Usage: python benchmarks/pdnc.py [--novels A,B] [--set tune|held] [--details] [--out DIR] [--loader auto|fallback|sources]
Reads ../shared/pdnc (never copied into the repository); writes segments to a temp folder.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from castbook.model import SCENE_BREAK, Chapter
from castbook.segment import segment_work

SHARED = Path(__file__).resolve().parents[2] / "shared"
PDNC = SHARED / "pdnc"
SCORER = SHARED / "tools" / "score_attribution.py"
PDNC2 = {"MansfieldPark", "HardTimes", "OliverTwist", "WinnieThePooh", "WhereAngelsFearToTread", "APassageToIndia"}
CUES = ("explicit", "anaphoric", "implicit")
_HEADING = re.compile(r"^(?:CHAPTER|Chapter|BOOK|Book|VOLUME|Volume|PART|Part)\b[^a-z]{0,40}$")


def all_novels() -> list[str]:
    return sorted(p.name[: -len(".gold.json")] for p in PDNC.glob("*.gold.json"))


def split_sets(novels: list[str]) -> tuple[list[str], list[str]]:
    """Tune on every other novel (alphabetical), hold out the rest."""
    return novels[::2], novels[1::2]


def fallback_chapters(text: str) -> list[Chapter]:
    """Blank lines split paragraphs, hard-wrapped lines are joined, headings start chapters."""
    chapters: list[Chapter] = []
    title, paragraphs = "Chapter 1", []
    for block in re.split(r"\n\s*\n", text):
        para = " ".join(block.split())
        if not para:
            continue
        if _HEADING.match(para):
            if paragraphs:
                chapters.append(Chapter(len(chapters) + 1, title, tuple(paragraphs)))
            title, paragraphs = para, []
            continue
        if set(para) <= set("* .-~"):
            paragraphs.append(SCENE_BREAK)
            continue
        paragraphs.append(para)
    chapters.append(Chapter(len(chapters) + 1, title, tuple(paragraphs)))
    return chapters


def load_chapters(path: Path, loader: str) -> list[Chapter]:
    return load_source(path, loader)[0]


def load_source(path: Path, loader: str) -> tuple[list[Chapter], tuple[str, ...]]:
    """The chapters, and the people the work's tags name (`Work.characters`), as a user's render reads them."""
    if loader in ("auto", "sources"):
        try:
            from castbook.sources import load_work  # type: ignore[attr-defined]
        except ImportError:
            if loader == "sources":
                raise
        else:
            try:
                work = load_work(path)
                return list(work.chapters), tuple(getattr(work, "characters", ()))
            except Exception:  # noqa: BLE001 - a loader bug must not stop the benchmark in auto mode
                if loader == "sources":
                    raise

    return fallback_chapters(path.read_text(encoding="utf-8")), ()


def write_segments(novel: str, out_dir: Path, loader: str) -> tuple[Path, float]:
    chapters, characters = load_source(PDNC / f"{novel}.txt", loader)
    t0 = time.process_time()
    result = segment_work(chapters, characters=characters)
    elapsed = time.process_time() - t0
    titles = {c.index: c.title for c in chapters}
    path = out_dir / f"{novel}.segments.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for s in result.segments:
            row = {"chapter": s.chapter, "chapter_title": titles.get(s.chapter), "index": s.index, "kind": s.kind,
                   "speaker": s.speaker, "voice": None, "text": s.text, "cue": s.cue, "confidence": s.confidence}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path, elapsed


def score(pairs: list[tuple[Path, Path]], details: Path | None) -> dict:
    cmd = [sys.executable, str(SCORER), "--exclude-pseudo", "--json"]
    for gold, segs in pairs:
        cmd += ["--pair", str(gold), str(segs)]
    if details:
        cmd += ["--details", str(details)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"scorer failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def pooled(results: list[dict]) -> dict:
    tot = {"gold": 0, "found": 0, "correct": 0}
    cues = {c: {"gold": 0, "correct": 0} for c in CUES}
    for r in results:
        for k in tot:
            tot[k] += r["counts"][k]
        for c in CUES:
            cues[c]["gold"] += r["per_cue"][c]["gold"]
            cues[c]["correct"] += r["per_cue"][c]["correct"]
    return {"tot": tot, "cues": cues}


def line(label: str, results: list[dict]) -> str:
    p = pooled(results)
    t = p["tot"]
    if not t["gold"]:
        return f"{label:<28} (none)"
    cue = " ".join(f"{c[:4]} {p['cues'][c]['correct'] / max(1, p['cues'][c]['gold']):.3f}" for c in CUES)
    return (f"{label:<28} quotes {t['gold']:>6}  recall {t['found'] / t['gold']:.3f}  "
            f"acc {t['correct'] / t['gold']:.3f}  acc|fnd {t['correct'] / max(1, t['found']):.3f}  {cue}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--novels", help="comma-separated novel ids (default: all)")
    ap.add_argument("--set", choices=("tune", "held"), help="only the tuning or the held-out half")
    ap.add_argument("--details", action="store_true", help="write per-quote details (JSON Lines) and print its path")
    ap.add_argument("--out", type=Path, help="folder for segment files (default: a temp folder)")
    ap.add_argument("--loader", choices=("auto", "fallback", "sources"), default="auto")
    a = ap.parse_args(argv)
    novels = all_novels()
    tune, held = split_sets(novels)
    if a.novels:
        novels = [n.strip() for n in a.novels.split(",") if n.strip()]
    elif a.set:
        novels = tune if a.set == "tune" else held
    out = a.out or Path(tempfile.mkdtemp(prefix="castbook-pdnc-"))
    out.mkdir(parents=True, exist_ok=True)
    pairs, total_time = [], 0.0
    for novel in novels:
        segs, elapsed = write_segments(novel, out, a.loader)
        total_time += elapsed
        pairs.append((PDNC / f"{novel}.gold.json", segs))
    details = out / "details.jsonl" if a.details else None
    report = score(pairs, details)
    results = report["results"]
    groups = {
        "PDNC1": lambda w: w not in PDNC2, "PDNC2": lambda w: w in PDNC2,
        "tuned half": lambda w: w in tune, "held-out half": lambda w: w in held,
    }
    kept = out if a.out or a.details else None
    print_report(results, groups, f"{total_time:.2f} s for {len(novels)} novels", kept, details)
    if kept is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


def print_report(results: list[dict], groups: dict, timing: str, out: Path | None, details: Path | None) -> None:
    """Per-work lines, then each group's and the micro total, then the time taken (and where the segments
    are, when they are kept: with --out or --details; otherwise the temp folder is removed)."""
    for r in sorted(results, key=lambda r: r["work"]):
        print(line(r["work"], [r]))
    print()
    for name, member in groups.items():
        print(line(name, [r for r in results if member(r["work"])]))
    print(line("ALL (micro)", results))
    print(f"segment_work CPU time: {timing}" + (f"; segments in {out}" if out else ""))
    if details:
        print(f"details: {details}")


if __name__ == "__main__":
    sys.exit(main())
