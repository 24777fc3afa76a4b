"""The engine Protocol every speech engine implements, and the audio format they all produce."""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from ..config import Voice

SAMPLE_RATE: Final = 22050
"""Every engine's output is converted to 16-bit mono PCM at this rate (espeak-ng's native rate)."""
SAMPLE_WIDTH: Final = 2
CHANNELS: Final = 1


def write_wav(path: Path, pcm: bytes) -> None:
    """16-bit mono PCM at SAMPLE_RATE into a WAV file, under a temporary name and then renamed."""
    part = path.with_name(f".{path.name}.part")
    with wave.open(str(part), "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(SAMPLE_WIDTH)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    os.replace(part, path)


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """A voice an engine offers."""

    id: str
    """The id to put in voices.yaml (`voice:`)."""
    name: str
    """A readable name."""
    language: str = ""
    """Language code, e.g. "en-us"."""
    gender: str | None = None
    """"male", "female" or None."""
    kind: str = "voice"
    """"voice" for a language voice, "variant" for an espeak-ng variant ("+f3")."""


class Engine(Protocol):
    """A speech engine: turns short text into a WAV file at SAMPLE_RATE, 16-bit mono."""

    name: str

    def list_voices(self) -> list[VoiceInfo]:
        """The voices (and variants) this engine can speak with."""
        ...

    def version(self) -> str:
        """A string that changes when the engine's output may change (goes into the cache key)."""
        ...

    def render(self, text: str, voice: Voice, wav_path: Path) -> int:
        """Speak `text` with `voice` into `wav_path` (written atomically); return its duration in ms."""
        ...

    def close(self) -> None:
        """Release worker processes."""
        ...
