"""castbook voices list / preview / set / check, with the real engine and real files."""

from __future__ import annotations

import json
import sys
import wave

import pytest
from typer.testing import CliRunner

from castbook.cli import app
from castbook.config import load_config
from castbook.encode import duration_ms
from castbook.engines.pyttsx3_engine import Pyttsx3Engine

from .conftest import ROOT, SEEDS, require_tools, write

runner = CliRunner()

COMMENTED = """\
# top comment
narrator:
  voice: en-us   # the narrator
characters:
  Eli Marsh:
    voice: en-gb+m3     # keep me
    pitch: 40
    aliases: [Eli]
  Wren: en-us+m7        # short form
lexicon:
  Eli: Ee-lie
"""


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_list_table_and_json():
    res = run("voices", "list", "--lang", "en", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    ids = {r["id"] for r in rows}
    assert {"en-us", "en-gb-scotland", "+f3", "+m3"} <= ids
    assert not any(r["language"].startswith("fr") for r in rows)
    assert {"id", "name", "language", "gender", "kind"} <= set(rows[0])
    res = run("voices", "list", "--lang", "en")
    assert res.exit_code == 0 and "en-gb" in res.stdout and "variant" in res.stdout


def test_set_updates_in_place_keeping_comments(in_tmp):
    path = write(in_tmp / "voices.yaml", COMMENTED)
    res = run("voices", "set", "Eli", "--pitch", "44", "--rate", "150", "--alias", "Marsh")
    assert res.exit_code == 0, res.output
    assert "updated Eli Marsh" in res.stdout
    text = path.read_text()
    assert text == COMMENTED.replace("    pitch: 40\n    aliases: [Eli]",
                                     "    pitch: 44\n    aliases: [Eli, Marsh]\n    rate: 150")
    res = run("voices", "set", "Wren", "--voice", "en-gb-x-rp+m4")
    assert res.exit_code == 0, res.output
    cfg = load_config(path)
    assert cfg.find_character("Wren").voice.voice == "en-gb-x-rp+m4"
    res = run("voices", "set", "Juno Reyes", "--voice", "en-us+f5", "--alias", "Juno", "--alias", "JR")
    assert res.exit_code == 0, res.output
    text = path.read_text()
    assert "# top comment" in text and "# keep me" in text
    assert text.index("Juno Reyes") < text.index("lexicon:")
    assert load_config(path).find_character("JR").name == "Juno Reyes"


def test_set_creates_the_file(in_tmp):
    res = run("voices", "set", "Mara", "--voice", "en-us+f3", "--voices", in_tmp / "new.yaml")
    assert res.exit_code == 0, res.output
    assert load_config(in_tmp / "new.yaml").find_character("Mara").voice.voice == "en-us+f3"


@pytest.mark.parametrize("args, message", [
    (["Eli", "--pitch", "170"], "characters.Eli Marsh.pitch: 170 is out of range 0..100"),
    (["Eli", "--volume", "2"], "characters.Eli Marsh.volume: 2.0 is out of range 0.0..1.0"),
    (["Eli", "--rate", "9"], "characters.Eli Marsh.rate: 9 is out of range 40..600"),
    (["Eli", "--alias", "Wren"], "'Wren' is already a name of Eli Marsh; an alias can belong to one character only"),
    (["Nobody"], "'Nobody' is not in the file yet; give a voice with --voice"),
    (["Eli", "--voice", "en-uss"], "--voice: unknown pyttsx3 voice 'en-uss'; nearest: en-us"),
])
def test_set_rejects_and_restores(in_tmp, args, message):
    path = write(in_tmp / "voices.yaml", COMMENTED)
    res = run("voices", "set", *args)
    assert res.exit_code == 1, res.output
    out = res.output.strip()
    assert out.startswith("error:") and message in out and "\n" not in out, out
    assert path.read_text() == COMMENTED
    assert not [p for p in in_tmp.iterdir() if p.name != "voices.yaml"]  # no temp files left


def test_set_on_invalid_file_is_an_error(in_tmp):
    write(in_tmp / "voices.yaml", "characters: [\n")
    res = run("voices", "set", "Eli", "--voice", "en-us")
    assert res.exit_code == 1 and "YAML syntax error" in res.output


def test_preview_character_and_voice_id(in_tmp):
    require_tools()
    write(in_tmp / "voices.yaml", COMMENTED)
    res = run("voices", "preview", "Eli", "Eli says hello.")
    assert res.exit_code == 0, res.output
    wav = in_tmp / "preview-eli-marsh.wav"
    assert res.stdout.strip() == "preview-eli-marsh.wav" and wav.is_file()
    with wave.open(str(wav)) as w:
        assert w.getnframes() > w.getframerate() * 0.3
    res = run("voices", "preview", "en-gb+f3", "-o", in_tmp / "sub" / "p.m4a")
    assert res.exit_code == 0, res.output
    assert duration_ms(in_tmp / "sub" / "p.m4a") > 1000


CUTTING_WORKER = """
import os, sys, time
from castbook.engines import _pyttsx3_worker as worker
from pyttsx3.drivers import _espeak

CUT = int(sys.argv[1])  # takes to cut short
real_engine = worker._engine

def engine():
    eng = real_engine()
    run, cut = eng.runAndWait, [0]
    def run_and_cut():
        run()
        while _espeak.IsPlaying():  # let espeak-ng's thread finish the file...
            time.sleep(0.001)
        path = eng.proxy._driver._save_file
        if cut[0] < CUT and os.path.exists(path):
            cut[0] += 1
            with open(path, "r+b") as f:  # ...then leave it as a read mid-write saw it in CI
                f.truncate(4096)
    eng.runAndWait = run_and_cut
    return eng

worker._engine = engine
worker.main()
"""


@pytest.mark.parametrize("cut", [1, 99])
def test_preview_never_ships_a_take_read_mid_write(in_tmp, monkeypatch, cut):
    """CI once wrote a 92 ms preview of 'Eli says hello.': pyttsx3's file was read while espeak-ng's thread was
    still writing it (full header, first 4 KB of samples). It is retried; if it never comes whole, an error."""
    require_tools()
    script = write(in_tmp / "cutting_worker.py", CUTTING_WORKER)
    monkeypatch.setattr(Pyttsx3Engine, "worker_argv", (sys.executable, str(script), str(cut)))
    write(in_tmp / "voices.yaml", COMMENTED)
    res = run("voices", "preview", "Eli", "Eli says hello.")
    wav = in_tmp / "preview-eli-marsh.wav"
    if cut == 1:
        assert res.exit_code == 0, res.output
        with wave.open(str(wav)) as w:
            assert w.getnframes() > w.getframerate() * 0.3
    else:
        assert res.exit_code == 1 and not wav.exists(), res.output
        msg = res.output.strip()
        assert msg.startswith("error: espeak-ng could not speak 'Ee-lie says hello.'") and "truncated" in msg, msg


def test_preview_unknown_and_bad_extension(in_tmp):
    res = run("voices", "preview", "en-uss")
    assert res.exit_code == 1 and "neither a character" in res.output and "en-us" in res.output
    res = run("voices", "preview", "en-us", "-o", "x.txt")
    assert res.exit_code == 1 and "unknown audio type '.txt'" in res.output


def test_check_reports_and_exits_zero(in_tmp):
    path = write(in_tmp / "voices.yaml", COMMENTED.replace("aliases: [Eli]", "aliases: [Eli, Captain]"))
    res = run("voices", "check", SEEDS / "the-lantern-keeper.txt", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    uncast = {c["name"] for c in data["uncast"]}
    assert any("Mara" in n for n in uncast) and any("Tobias" in n for n in uncast)
    assert "Wren" in data["unused"] and "Eli Marsh" not in data["unused"]
    assert {"character": "Eli Marsh", "alias": "Captain"} in data["aliases_not_in_text"]
    assert str(path) in data["files"][0]
    res = run("voices", "check", SEEDS / "the-lantern-keeper.txt")
    assert res.exit_code == 0 and "Captain" in res.stdout and "Wren" in res.stdout


def test_check_invalid_file_exits_one(in_tmp):
    write(in_tmp / "voices.yaml", "characters:\n  Eli:\n    pich: 3\n")
    res = run("voices", "check", SEEDS / "the-lantern-keeper.txt")
    assert res.exit_code == 1 and "did you mean 'pitch'" in res.output


def test_voices_without_subcommand_shows_help():
    res = run("voices")
    assert "list" in res.output and "preview" in res.output and ROOT.exists()


def test_set_espeak_voice_under_a_piper_narrator_names_its_engine(in_tmp):
    path = write(in_tmp / "voices.yaml", "narrator:\n  engine: piper\n  voice: en_US-joe-medium\n")
    res = CliRunner().invoke(app, ["voices", "set", "Mara", "--voice", "en-us+f3"])
    assert res.exit_code == 0, res.output
    mara = load_config(path).find_character("Mara")
    assert mara is not None and (mara.voice.engine, mara.voice.voice) == ("pyttsx3", "en-us+f3")
    assert "engine: pyttsx3" in path.read_text()
