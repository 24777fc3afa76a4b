"""The engine Protocol every speech engine implements, and the audio format they all produce."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from ..config import Voice

SAMPLE_RATE: Final = 22050
"""Every engine's output is converted to 16-bit mono PCM at this rate (espeak-ng's native rate)."""
SAMPLE_WIDTH: Final = 2
CHANNELS: Final = 1


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
