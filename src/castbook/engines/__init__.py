"""Speech engines behind one Protocol; `get_engine(name)` builds one."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import EngineError
from .base import SAMPLE_RATE, Engine, VoiceInfo
from .fake import FakeEngine
from .piper_engine import PiperEngine
from .pyttsx3_engine import Pyttsx3Engine

ENGINES: dict[str, Callable[[], Engine]] = {
    "pyttsx3": Pyttsx3Engine,
    "piper": PiperEngine,
    "fake": FakeEngine,
}

__all__ = ["ENGINES", "SAMPLE_RATE", "Engine", "VoiceInfo", "get_engine"]


def get_engine(name: str) -> Engine:
    """A new engine instance by name."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise EngineError(f"unknown engine '{name}'; use one of: {', '.join(ENGINES)}") from None
    return factory()
