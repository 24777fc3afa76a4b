"""voices.yaml loading: defaults, layering, and each validation error's message."""

from __future__ import annotations

from pathlib import Path

import pytest

from castbook.config import check_voices, config_paths, load_config, voice_known, work_voices_path
from castbook.errors import ConfigError

from .conftest import ROOT, write


def test_defaults_load_without_a_file():
    cfg = load_config()
    assert cfg.narrator.engine == "pyttsx3"
    assert cfg.pauses.paragraph_ms > cfg.pauses.phrase_ms
    assert cfg.characters == ()
    assert cfg.sources == ()


def test_repo_example_cast_loads():
    cfg = load_config(ROOT / "voices.yaml")
    mara = cfg.find_character("mara")
    assert mara is not None and mara.name == "Mara Quill"
    assert cfg.find_character("Toby").name == "Tobias Finch"
    tobias = cfg.find_character("Tobias Finch")
    assert tobias.voice.rate == 160
    # unspecified keys fall back to the narrator's settings
    assert mara.voice.volume == cfg.narrator.volume
    assert dict(cfg.lexicon)["Penrose"] == "Pen-rose"


def test_later_file_overrides_earlier(tmp_path):
    a = write(tmp_path / "a.yaml", "narrator: {voice: en-us, rate: 150}\ncharacters:\n  Mara: {voice: en-us+f3}\n")
    b = write(tmp_path / "b.yaml", "narrator: {rate: 190}\ncharacters:\n  Mara: {pitch: 70}\n  Eli: en-gb+m3\n")
    cfg = load_config(a, b)
    assert cfg.narrator.rate == 190 and cfg.narrator.voice == "en-us"
    mara = cfg.find_character("Mara")
    assert mara.voice.voice == "en-us+f3" and mara.voice.pitch == 70
    assert cfg.find_character("Eli").voice.voice == "en-gb+m3"
    assert cfg.sources == (a, b)


@pytest.mark.parametrize("text, message", [
    ("narrator:\n  pich: 50\n", "x.yaml:2: narrator.pich: unknown key; did you mean 'pitch'?"),
    ("narator: {}\n", "x.yaml:1: narator: unknown key; did you mean 'narrator'?"),
    ("narrator:\n  rate: fast\n", "x.yaml:2: narrator.rate: expected a whole number, got 'fast'"),
    ("narrator:\n  pitch: 300\n", "x.yaml:2: narrator.pitch: 300 is out of range 0..100"),
    ("characters:\n  Mara:\n    pitch: 3\n", "x.yaml:2: characters.Mara: needs a voice"),
    ("characters:\n  Mara: {voice: a, aliases: [Em]}\n  Emma: {voice: b, aliases: [Em]}\n",
     "characters.Emma.aliases: 'Em' is already a name of Mara"),
    ("narrator: [1, 2\n", "YAML syntax error"),
    ("narrator: !!python/object:os.system {}\n", "YAML tag not allowed"),
    ("- a\n- b\n", "expected a mapping of settings"),
    ("overrides:\n  - chapter: 1\n    speaker: Mara\n", "overrides.0: needs starts_with"),
    ("narrator:\n  engine: festival\n", "unknown engine 'festival'"),
])
def test_validation_messages(tmp_path, text, message):
    path = write(tmp_path / "x.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="no such voices file"):
        load_config(tmp_path / "nope.yaml")


def test_unknown_voice_names_nearest(tmp_path):
    path = write(tmp_path / "v.yaml", "characters:\n  Eli:\n    voice: en-uss+m3\n")
    cfg = load_config(path)
    with pytest.raises(ConfigError) as info:
        check_voices(cfg, {"pyttsx3": ["en-us", "en-gb", "fr-fr", "+m3", "+m2"]})
    msg = str(info.value)
    assert "v.yaml:3" in msg and "characters.Eli.voice" in msg and "nearest: en-us" in msg


def test_voice_known_with_variants():
    ids = ["en-us", "en-gb", "+f3"]
    assert voice_known("en-us", ids) and voice_known("EN-US+f3", ids)
    assert not voice_known("en-us+f9", ids) and not voice_known("xx", ids)


def test_config_paths_prefers_work_file_last(tmp_path):
    work = write(tmp_path / "story.txt", "hello")
    local = write(tmp_path / "voices.yaml", "{}")
    own = write(work_voices_path(work), "{}")
    assert own.name == "story.voices.yaml"
    assert config_paths(work, None, cwd=tmp_path) == [local, own]
    other = write(tmp_path / "other.yaml", "{}")
    assert config_paths(work, other, cwd=tmp_path) == [other, own]
    assert config_paths(None, None, cwd=Path("/nonexistent")) == []
