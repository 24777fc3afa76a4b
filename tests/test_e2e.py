"""End to end with the real engine (pyttsx3 + espeak-ng) and real ffmpeg, probed with ffprobe and mutagen."""

from __future__ import annotations

import array
import json
import subprocess

import pytest
from mutagen.mp4 import MP4
from typer.testing import CliRunner

from castbook.cli import app
from castbook.encode import duration_ms, probe

from .conftest import ROOT, SEEDS, require_tools

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    require_tools()
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    res = CliRunner().invoke(app, ["render", str(SEEDS / "the-lantern-keeper.txt"), "-o", str(out),
                                   "--voices", str(ROOT / "voices.yaml"), "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    return out, cache, res.output


def test_chapter_files_and_m4b_chapters(rendered):
    out, _, _ = rendered
    files = sorted(out.glob("*.m4a"))
    assert [f.name for f in files] == ["01 - Chapter 1.m4a", "02 - Chapter 2.m4a", "03 - Chapter 3.m4a"]
    m4b = out / "The Lantern Keeper.m4b"
    info = probe(m4b)
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    durs = [duration_ms(f) for f in files]
    total = float(info["format"]["duration"]) * 1000
    assert abs(total - sum(durs)) <= 0.01 * sum(durs)
    start = 0
    for c, d in zip(chapters, durs):
        assert abs(float(c["start_time"]) * 1000 - start) < 50
        start += d
    assert all(d > 60_000 for d in durs)  # minutes of speech, not a stub
    assert not list(out.glob(".*.part"))


def test_tags(rendered):
    out, _, _ = rendered
    tags = MP4(out / "The Lantern Keeper.m4b").tags
    assert tags["\xa9nam"] == ["The Lantern Keeper"] and tags["\xa9gen"] == ["Audiobook"]
    assert "castbook (voices:" in tags["\xa9wrt"][0]
    ch1 = MP4(out / "01 - Chapter 1.m4a").tags
    assert ch1["\xa9nam"] == ["Chapter 1"] and ch1["\xa9alb"] == ["The Lantern Keeper"] and ch1["trkn"] == [(1, 3)]


def _pcm(path, start_ms, end_ms):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{start_ms / 1000:.3f}", "-to", f"{end_ms / 1000:.3f}",
                          "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", "22050", "-"],
                         capture_output=True, check=True).stdout
    a = array.array("h")
    a.frombytes(raw)
    return a


def _pitch_hz(samples):
    """Median fundamental frequency of voiced 40 ms frames, by autocorrelation (80-400 Hz)."""
    found = []
    for i in range(0, len(samples) - 882, 882):
        frame = samples[i:i + 882]
        if max(abs(x) for x in frame) < 2000:
            continue
        best, lag_best = 0.0, 0
        for lag in range(55, 276):
            s = sum(frame[j] * frame[j + lag] for j in range(0, 882 - lag, 2))
            if s > best:
                best, lag_best = s, lag
        if lag_best:
            found.append(22050 / lag_best)
    found.sort()
    return found[len(found) // 2]


def test_two_voices_are_audible(rendered):
    out, _, _ = rendered
    state = json.loads((out / ".castbook-state.json").read_text())
    cues = state["chapters"]["01 - Chapter 1.m4a"]["cues"]
    narr = next(c for c in cues if c["role"] == "narrator" and c["kind"] == "narration"
                and c["end_ms"] - c["start_ms"] > 3000)
    mara = next(c for c in cues if c["role"] == "Mara Quill" and c["end_ms"] - c["start_ms"] > 1500)
    f_narr = _pitch_hz(_pcm(out / "01 - Chapter 1.m4a", narr["start_ms"], narr["end_ms"]))
    f_mara = _pitch_hz(_pcm(out / "01 - Chapter 1.m4a", mara["start_ms"], mara["end_ms"]))
    print("pitch narrator", f_narr, "Mara", f_mara)
    assert f_mara > 1.3 * f_narr, (f_narr, f_mara)


def test_rerender_uses_cache_and_skips_encoding(rendered, tmp_path):
    out, cache, _ = rendered
    before = {f.name: f.stat().st_mtime_ns for f in out.glob("*.m4a")}
    res = CliRunner().invoke(app, ["render", str(SEEDS / "the-lantern-keeper.txt"), "-o", str(out),
                                   "--voices", str(ROOT / "voices.yaml"), "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    assert "0 lines synthesized" in res.output
    assert {f.name: f.stat().st_mtime_ns for f in out.glob("*.m4a")} == before


def _ebur128(path, *extra):
    """ffmpeg's own EBU R128 meter: (integrated LUFS, true peak dBTP)."""
    import re

    err = subprocess.run(["ffmpeg", "-nostats", *extra, "-i", str(path), "-af", "ebur128=peak=true", "-f", "null",
                          "-"], capture_output=True, text=True).stderr
    summary = err[err.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)))


def test_loudness_target_and_true_peak(rendered):
    out, _, _ = rendered
    integrated, peak = _ebur128(out / "The Lantern Keeper.m4b")
    print("m4b integrated", integrated, "true peak", peak)
    assert -19.0 <= integrated <= -17.0
    assert peak <= -1.5


def test_voices_are_matched_in_loudness(rendered, tmp_path):
    """Each role's speech, cut from the chapter files by its cue times, measured with ffmpeg's meter."""
    import wave

    out, _, _ = rendered
    state = json.loads((out / ".castbook-state.json").read_text())
    by_role: dict[str, array.array] = {}
    for name, entry in state["chapters"].items():
        whole = _pcm(out / name, 0, entry["duration_ms"] + 1000)  # decoded once, cut by the cues
        for c in entry["cues"]:
            if c["end_ms"] - c["start_ms"] > 600:
                cut = whole[c["start_ms"] * 22050 // 1000:c["end_ms"] * 22050 // 1000]
                by_role.setdefault(c["role"], array.array("h")).extend(cut)
    levels = {}
    for role, samples in by_role.items():
        if len(samples) < 22050 * 3:
            continue
        path = tmp_path / "role.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(samples.tobytes())
        levels[role] = _ebur128(path)[0]
    print("loudness by role", levels)
    assert len(levels) >= 3
    assert max(levels.values()) - min(levels.values()) <= 2.0, levels
