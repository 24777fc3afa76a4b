"""Loudness measurement (BS.1770) and per-voice levelling, checked against ffmpeg's own ebur128 meter."""

from __future__ import annotations

import math
import re
import subprocess
import wave

import numpy as np
import pytest

from castbook.loudness import Leveler, Target, integrated_lufs, true_peak_db

RATE = 22050


def speechlike(seconds: float, level: float, pitch: float = 140.0, seed: int = 1) -> np.ndarray:
    """Harmonic bursts with pauses, like syllables: a stand-in for speech with a known shape."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 12))
    envelope = (np.sin(2 * np.pi * 3.0 * t) > -0.2).astype(float)
    noise = rng.normal(0, 0.05, len(t))
    x = (tone + noise) * envelope
    return level * x / np.max(np.abs(x))


def ffmpeg_lufs(x: np.ndarray, tmp_path) -> tuple[float, float]:
    path = tmp_path / "m.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(np.round(x * 32768), -32768, 32767).astype("<i2").tobytes())
    err = subprocess.run(["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, peak


@pytest.mark.parametrize("level", [0.05, 0.3, 0.9])
def test_integrated_loudness_agrees_with_ffmpeg(tmp_path, level):
    x = speechlike(6.0, level)
    ours = integrated_lufs(x, RATE)
    theirs, peak = ffmpeg_lufs(x, tmp_path)
    assert abs(ours - theirs) < 0.5
    assert abs(true_peak_db(x) - peak) < 0.6


def test_silence_is_minus_infinity():
    assert integrated_lufs(np.zeros(RATE), RATE) == -math.inf
    assert integrated_lufs(np.zeros(0), RATE) == -math.inf


def test_leveler_brings_quiet_and_loud_voices_to_one_level():
    leveler = Leveler(Target(lufs=-18.0, makeup_db=0.0), RATE, measure_s=10.0)
    quiet = (speechlike(4.0, 0.05, 120, seed=2) * 32767).astype("<i2").tobytes()
    loud = (speechlike(4.0, 0.9, 230, seed=3) * 32767).astype("<i2").tobytes()
    out = {}
    for voice, pcm in [("narrator", quiet), ("mara", loud), ("narrator", quiet), ("mara", loud)]:
        out.setdefault(voice, []).append(leveler(voice, pcm))
    levels = {v: integrated_lufs(np.concatenate(chunks), RATE) for v, chunks in out.items()}
    assert all(abs(lv + 18.0) < 0.3 for lv in levels.values()), levels
    assert out["mara"][0].dtype == np.float32


def test_leveler_keeps_a_voice_steady_once_measured():
    leveler = Leveler(Target(lufs=-18.0), RATE, measure_s=4.0)
    first = (speechlike(4.0, 0.2, seed=4) * 32767).astype("<i2").tobytes()
    later = (speechlike(2.0, 0.6, seed=5) * 32767).astype("<i2").tobytes()
    g1 = leveler.gain_db("v", np.frombuffer(first, "<i2") / 32768)
    g2 = leveler.gain_db("v", np.frombuffer(later, "<i2") / 32768)
    assert g1 == pytest.approx(g2)  # measured enough already: one gain for the whole voice


def test_silent_line_passes_unchanged():
    leveler = Leveler(Target(), RATE)
    out = leveler("v", b"\0\0" * 1000)
    assert not out.any()
