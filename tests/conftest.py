"""Shared fixtures: a private HOME and cache, the repo's paths, small audio helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """No test reads the developer's config or cache."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("CASTBOOK_CACHE", raising=False)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder (no ./voices.yaml)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def require_tools():
    """The real tools must be there: the README's commands install them, and CI must not skip."""
    missing = [t for t in ("ffmpeg", "ffprobe", "espeak-ng") if shutil.which(t) is None]
    assert not missing, f"missing {missing}: install with the README's test command"


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


os.environ.setdefault("COLUMNS", "200")
