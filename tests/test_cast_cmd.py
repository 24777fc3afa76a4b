"""castbook cast: distinct automatic voices, and --write merges into voices.yaml keeping comments and order."""

from __future__ import annotations

from typer.testing import CliRunner

from castbook.castfile import CastFile, Entry
from castbook.cli import app
from castbook.commands.cast import propose_cast
from castbook.config import Config, load_config
from castbook.model import Character

from .conftest import ROOT, SEEDS, write

runner = CliRunner()
LANTERN = SEEDS / "the-lantern-keeper.txt"

HAND_WRITTEN = """\
# My cast. Hand-ordered: narrator last on purpose.
characters:
  # the lighthouse keeper
  Mara:
    pitch: 61         # a touch higher than auto
    voice: en-us+f2
    aliases: [Mara Quill]

# pronunciations
lexicon:
  Quill: Kwill
narrator:
  voice: en-us
"""


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_cast_proposes_without_writing(in_tmp):
    res = run("cast", LANTERN)
    assert res.exit_code == 0, res.output
    assert "Mara" in res.stdout and "Tobias" in res.stdout and "--write" in res.stdout
    assert not (in_tmp / "voices.yaml").exists()


def test_cast_write_creates_a_distinct_cast(in_tmp):
    res = run("cast", LANTERN, "--write")
    assert res.exit_code == 0, res.output
    cfg = load_config(in_tmp / "voices.yaml")
    assert len(cfg.characters) >= 3
    res = run("inspect", LANTERN, "--json")
    import json

    ranked = sorted(json.loads(res.stdout)["characters"], key=lambda c: -c["lines"])[:4]
    voices = [cfg.find_character(c["name"]).voice.voice for c in ranked]
    assert len(set(voices)) == len(voices)
    assert cfg.narrator.voice not in voices
    tobias = cfg.find_character("Tobias")
    assert tobias is not None and "+m" in tobias.voice.voice  # the text says he is male
    # writing again changes nothing
    before = (in_tmp / "voices.yaml").read_text()
    res = run("cast", LANTERN, "--write")
    assert res.exit_code == 0 and "nothing changed" in res.stdout
    assert (in_tmp / "voices.yaml").read_text() == before


def test_cast_write_keeps_comments_order_and_hand_edits(in_tmp):
    path = write(in_tmp / "cast.yaml", HAND_WRITTEN)
    res = run("cast", LANTERN, "--voices", path, "--write")
    assert res.exit_code == 0, res.output
    text = path.read_text()
    assert text.startswith(HAND_WRITTEN.split("\n# pronunciations")[0])  # Mara's entry untouched
    for line in ("# My cast. Hand-ordered: narrator last on purpose.", "  # the lighthouse keeper",
                 "    pitch: 61         # a touch higher than auto", "# pronunciations"):
        assert line in text
    assert text.index("lexicon:") < text.index("narrator:")  # order kept
    assert text.index("Eli") < text.index("# pronunciations")  # new entries inside characters:
    cfg = load_config(path)
    assert [c.name for c in cfg.characters][0] == "Mara"
    assert cfg.find_character("Mara").voice.voice == "en-us+f2"
    eli, tobias = cfg.find_character("Eli"), cfg.find_character("Tobias")
    assert eli and tobias and eli.voice.voice != "en-us+f2" and tobias.voice.voice != "en-us+f2"
    assert "Mara Quill" not in eli.aliases


def test_propose_cast_avoids_narrator_and_collisions_in_top_four():
    chars = [Character(f"C{i}", lines=50 - i, gender="female") for i in range(6)]
    # a file that already uses most female voices, and a narrator on one of them
    from castbook.casting import FEMALE_VOICES
    from castbook.config import CharacterCast
    from castbook.model import Voice

    taken = tuple(CharacterCast(f"X{i}", Voice(voice=v)) for i, (v, _) in enumerate(FEMALE_VOICES[1:5]))
    cfg = Config(narrator=Voice(voice=FEMALE_VOICES[0][0]), characters=taken)
    props = propose_cast(chars, cfg)
    top = [p.voice.voice for p in props[:4]]
    assert len(set(top)) == 4
    assert all(p.voice.voice != cfg.narrator.voice for p in props)


def test_castfile_appends_before_trailing_comment(tmp_path):
    path = write(tmp_path / "v.yaml", "characters:\n  Ann:\n    voice: en-us+f3\n    pitch: 40   # low\n\n"
                                      "# next section\nlexicon:\n  A: B\n")
    cf = CastFile(path)
    assert cf.add([Entry("Bob", "en-gb+m3", pitch=40, aliases=("Bobby",))]) == ["Bob"]
    cf.save()
    assert path.read_text() == ("characters:\n  Ann:\n    voice: en-us+f3\n    pitch: 40   # low\n"
                                "  Bob:\n    voice: en-gb+m3\n    pitch: 40\n    aliases: [Bobby]\n\n"
                                "# next section\nlexicon:\n  A: B\n")


def test_cast_and_voices_are_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for args in (["cast"], ["voices", "list"], ["voices", "preview"], ["voices", "set"], ["voices", "check"]):
        res = run(*args, "--help")
        assert res.exit_code == 0 and "Example" in res.output, res.output
        assert "castbook " + " ".join(args) in readme
