"""Casting: cast entries and aliases, automatic distinct voices, lexicon, overrides."""

from __future__ import annotations

from castbook.casting import apply_lexicon, auto_voices, cast, compile_lexicon
from castbook.config import load_config
from castbook.model import Break, Character, Segment

from .conftest import write


def seg(text, kind="dialogue", speaker=None, chapter=1, index=0):
    return Segment(chapter=chapter, index=index, kind=kind, text=text, speaker=speaker, break_before=Break.PARAGRAPH)


def test_narration_narrator_dialogue_character_unknown_default(tmp_path):
    cfg = load_config(write(tmp_path / "v.yaml", "characters:\n  Mara Quill:\n    voice: en-us+f3\n    aliases: [Mara]\n"))
    chars = [Character("Mara", ("Mara Quill",), 3, "female")]
    lines = cast([seg("The wind rose.", "narration"), seg("Who's there?", speaker="Mara"), seg("Me.")], chars, cfg)
    assert [ln.role for ln in lines] == ["narrator", "Mara Quill", "default"]
    assert lines[1].voice.voice == "en-us+f3"
    assert lines[2].voice == cfg.default and lines[0].voice == cfg.narrator
    assert lines[1].speaker == "Mara" and lines[0].speaker is None


def test_unnamed_first_person_narrator_speaks_in_the_narrator_voice(tmp_path):
    """An unnamed "I" (speaker `Narrator`) is read by the narrator, gets no voice of its own, and a cast entry
    of that name still wins."""
    chars = [Character("Narrator", (), 5, None), Character("Marek", (), 4, "male")]
    lines = cast([seg("Neither,", speaker="Narrator"), seg("Then what?", speaker="Marek")], chars, load_config())
    assert [ln.role for ln in lines] == ["narrator", "Marek"] and lines[0].voice == load_config().narrator
    assert set(auto_voices(chars, load_config())) == {"Marek"}
    cfg = load_config(write(tmp_path / "v.yaml", "characters:\n  Narrator: {voice: en-us+f2}\n"))
    assert cast([seg("Neither,", speaker="Narrator")], chars, cfg)[0].voice.voice == "en-us+f2"


def test_auto_voices_are_distinct_and_unlike_narrator():
    cfg = load_config()
    chars = [Character(n, (), lines, g) for n, lines, g in
             [("A", 40, "female"), ("B", 30, "male"), ("C", 20, None), ("D", 10, None), ("E", 5, "female")]]
    voices = auto_voices(chars, cfg)
    ids = [voices[n].voice for n in "ABCDE"]
    assert len(set(ids)) == 5
    assert cfg.narrator.voice not in ids and cfg.default.voice not in ids
    assert "+f" in voices["A"].voice and "+m" in voices["B"].voice


def test_auto_voices_skip_cast_characters_by_alias(tmp_path):
    cfg = load_config(write(tmp_path / "v.yaml", "characters:\n  Tobias Finch: {voice: en-us+m3, aliases: [Toby]}\n"))
    voices = auto_voices([Character("Toby", (), 9, "male"), Character("Eli", (), 4, "male")], cfg)
    assert set(voices) == {"Eli"}


def test_lexicon_whole_words_and_case():
    lex = compile_lexicon([("Taehyung", "Tay-hyung"), ("gif", "jif")])
    assert apply_lexicon("Taehyung's gif, GIF and Taehyungs", lex) == "Tay-hyung's jif, jif and Taehyungs"
    assert apply_lexicon("taehyung", lex) == "taehyung"  # capitalised entries match as written


def test_overrides_by_chapter_and_opening_words(tmp_path):
    cfg = load_config(write(tmp_path / "v.yaml", (
        "characters:\n  Eli: en-gb+m3\n"
        "overrides:\n  - chapter: 2\n    starts_with: \"please, I saw\"\n    speaker: Eli\n"
        "  - starts_with: Keepers\n    narration: true\n")))
    segs = [seg("Please. I saw the light.", speaker="Mara", chapter=1),
            seg("Please. I saw the light.", speaker="Mara", chapter=2),
            seg("Keepers", speaker=None, chapter=3)]
    lines = cast(segs, [], cfg)
    assert lines[0].role == "default"  # chapter 1 is not overridden; Mara has no voice -> auto? no chars
    assert lines[1].role == "Eli" and lines[1].speaker == "Eli"
    assert lines[2].kind == "narration" and lines[2].role == "narrator"
