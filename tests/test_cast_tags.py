"""The people a work's AO3 tags name (`Work.characters`) join the names the text writes into one character."""

from __future__ import annotations

from pathlib import Path

from castbook.attribution.names import discover
from castbook.segment import segment_work
from castbook.sources import load_work
from castbook.sources.meta import tagged_people

_PREFACE = """Night Watch - quietwren - Original Work
p.message{text-align:center}.meta h1{font-size:1.5em}.meta{margin-bottom:1em}dt{float:left}dd{margin-left:12em}
Preface
Night Watch
    Posted originally on the Archive of Our Own at http://archiveofourown.org/works/000000.
Rating:
    General Audiences
Fandom:
    Original Work
Relationship:
    Sam Whitlock & Dee Okafor
Character:
    Sam Whitlock, Dee Okafor, Tobiah Pimentel, Hollis Grey (Night Watch), Original Female Character, Reader
Additional Tags:
    Found Family, Night Shift
Stats:
    Published: 2024-01-05
    Chapters: 1/1
Night Watch
by quietwren
Summary
Three on the bridge, one kettle.
Chapter 1
"""

_STORY = """The bridge was cold, and Sam had the first watch.

“Is the kettle on?” Sam asked.

“It's always on,” Dee said, not looking up from the charts.

Whitlock leaned on the rail and said nothing for a while. The sea was black and flat.

“You're brooding,” Dee said.

“I'm watching,” Whitlock said. “There's a difference.”

Pim came up the ladder with three mugs balanced on a tray, and Whitlock took one before it could spill.

“Careful, they're full,” Pim said.

“They're always full,” Sam said.

Tobiah shrugged and sat down by the radio. “Then drink faster.”

Dee laughed at that, and Whitlock hid a smile behind the mug.
"""


def _speakers(segmented) -> list[str | None]:
    return [s.speaker for s in segmented.segments if s.kind == "dialogue"]


def test_tagged_people_drop_disambiguation_and_generic_tags() -> None:
    assert tagged_people(["Sam Whitlock", "VESTA (Meridian Drift)", "Original Female Character", "Reader", "You",
                          "Original Character(s)", "Weasley Family"],
                         ["Marit Halvorsen & Kwame Osei", "Sam Whitlock/Reader"]) == (
        "Sam Whitlock", "VESTA", "Marit Halvorsen", "Kwame Osei")


def test_ao3_character_tags_join_first_name_surname_and_nickname(tmp_path: Path) -> None:
    path = tmp_path / "night_watch.txt"
    path.write_text(_PREFACE + _STORY, encoding="utf-8")
    work = load_work(path)
    assert work.characters == ("Sam Whitlock", "Dee Okafor", "Tobiah Pimentel", "Hollis Grey")
    # without the tags, "Sam" and "Whitlock" (and "Pim" and "Tobiah") are four people
    assert len({s for s in _speakers(segment_work(work.chapters)) if s}) == 5
    done = segment_work(work.chapters, characters=work.characters)
    assert _speakers(done) == ["Sam Whitlock", "Dee Okafor", "Dee Okafor", "Sam Whitlock", "Sam Whitlock",
                               "Tobiah Pimentel", "Sam Whitlock", "Tobiah Pimentel"]
    # a tagged name the text never writes is no character (and gets no voice)
    assert [c.name for c in done.characters] == ["Sam Whitlock", "Dee Okafor", "Tobiah Pimentel"]


def test_voices_yaml_hints_win_over_tags(tmp_path: Path) -> None:
    path = tmp_path / "night_watch.txt"
    path.write_text(_PREFACE + _STORY, encoding="utf-8")
    work = load_work(path)
    done = segment_work(work.chapters, hints={"Captain Sam": ["Sam", "Whitlock"]}, characters=work.characters)
    assert _speakers(done)[:5] == ["Captain Sam", "Dee Okafor", "Dee Okafor", "Captain Sam", "Captain Sam"]


def test_nickname_joins_a_tag_only_when_no_other_name_begins_so() -> None:
    paras = ["Kes checked the lock twice. Brody watched from the doorway, and Kes ignored him.",
             "Later Kes sat with Vance by the fire, and Brody slept. Nobody woke Vance."]
    cast = discover(paras, tagged=["Kestrel Vance"])
    assert cast.resolve("Kes") == cast.resolve("Vance") and cast.name(cast.resolve("Kes")) == "Kestrel Vance"
    # another name in the work begins so: "Kes" may be Kessler, and does not join the tag
    cast = discover([p.replace("Brody", "Kessler") for p in paras], tagged=["Kestrel Vance"])
    assert cast.resolve("Kes") != cast.resolve("Vance")
    # two tags share the first name, and the text names both: neither takes it
    cast = discover([p.replace("Brody", "Moy") for p in paras], tagged=["Kestrel Vance", "Kestrel Moy"])
    assert cast.name(cast.resolve("Moy")) == "Kestrel Moy"
    assert cast.resolve("Kes") != cast.resolve("Vance")
