"""A deterministic stand-in engine for fast tests: a tone whose pitch depends on the voice, 250 ms a word."""

from __future__ import annotations

import hashlib
import math
import struct
from pathlib import Path

from ..model import Voice
from .base import SAMPLE_RATE, VoiceInfo, write_wav

_MS_PER_WORD = 250


class FakeEngine:
    """Writes a sine tone instead of speech; same text and voice give the same samples."""

    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def version(self) -> str:
        return "fake-1"

    def list_voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(id="en-us", name="Fake US", language="en-us"),
                VoiceInfo(id="en-gb", name="Fake GB", language="en-gb"),
                VoiceInfo(id="+f3", name="female3", gender="female", kind="variant")]

    def render(self, text: str, voice: Voice, wav_path: Path) -> int:
        self.calls += 1
        words = len(text.split())
        frames = words * _MS_PER_WORD * SAMPLE_RATE // 1000
        seed = int(hashlib.sha256(voice.label().encode()).hexdigest()[:4], 16)
        freq = 150 + seed % 400
        amp = 8000 * voice.volume
        data = b"".join(struct.pack("<h", int(amp * math.sin(2 * math.pi * freq * i / SAMPLE_RATE)))
                        for i in range(frames))
        write_wav(wav_path, data)
        return frames * 1000 // SAMPLE_RATE

    def close(self) -> None:
        pass
