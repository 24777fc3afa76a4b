"""Character discovery: names clustered into characters, and a gender hint only from real pronoun evidence."""

from __future__ import annotations

from castbook.attribution.names import discover


def _people(paragraphs: list[str]) -> dict[str, str | None]:
    cast = discover(paragraphs)
    return {cast.name(pid): cast.gender(pid) for pid, p in enumerate(cast.people) if p.forms}


def test_pronoun_in_a_later_sentence_votes():
    paras = [
        "Rowan crossed the yard slowly, counting the broken slats in the fence, the missing shingles on the roof "
        "and every one of the crows that watched from the wire. She did not like the number.",
        "Rowan knocked twice on the kitchen door, and then once more, harder, because the wind took the sound "
        "away across the fields before anyone inside could have heard it over the radio. She waited.",
        "Ilya opened it at last. He looked tired.",
    ]
    people = _people(paras)
    assert people["Rowan"] == "female" and people["Ilya"] == "male"


def test_pronoun_after_an_object_pronoun_of_that_gender_does_not_vote():
    # "Rowan told him he was late": `he` is the man she told, so Rowan gets no male vote.
    paras = ["Rowan told him he was late.", "Rowan handed him the map and he folded it.", "Rowan laughed."]
    assert _people(paras)["Rowan"] is None


def test_contractions_and_chat_words_are_not_characters():
    paras = [
        "“He’ll be fine,” Oskar said. “Yeah. Okay. He’ll be fine.”",
        "“You’ve said that twice,” Oskar’s sister pointed out. “He’ll what?”",
        "Oskar shrugged. “He’ll be fine.” Oskar meant it.",
    ]
    names = set(_people(paras))
    assert "Oskar" in names
    assert not names & {"He’ll", "You’ve", "Yeah", "Okay"}


def test_short_forms_join_the_full_first_name():
    paras = [
        "Caspian Reyes had been on the ridge for a week. Caspian liked it there.",
        "“Cas,” the radio said. Cas ignored it. Cas ate his soup.",
        "Toby waved from the door. Tobias Finch never knocked. Tobias sat down.",
        "Everett Lowe came late. Everett was always late. “Ev, sit,” Toby said, and Ev sat.",
    ]
    cast = discover(paras)
    assert cast.resolve("Ev") == cast.resolve("Everett") is not None
    assert cast.resolve("Cas") == cast.resolve("Caspian Reyes") is not None
    assert cast.resolve("Toby") == cast.resolve("Tobias") is not None
    assert cast.resolve("Cas") != cast.resolve("Toby")


def test_pet_names_by_sound_and_doubled_syllable_join_the_name():
    # `Mimi` doubles Mireille's first syllable; `Oz` is Oskar spelt as it sounds; `Nana` is a grandmother.
    paras = [
        "Mireille Fontaine did her own makeup. Mireille always did. Later Mireille laughed at him.",
        "Oskar tuned the guitar. Oskar swore at it. Then Oskar sat down. Oskar sighed.",
        "“Mimi, you're on,” Oskar said. “Thanks, Oz,” said Mimi. Nana waved from the wings, and Nana sat.",
        "“Oz, your cue,” Mireille said.",
    ]
    cast = discover(paras)
    assert cast.resolve("Mimi") == cast.resolve("Mireille") is not None
    assert cast.resolve("Oz") == cast.resolve("Oskar") is not None
    assert cast.resolve("Nana") not in (None, cast.resolve("Mireille"))


def test_lowercase_text_handles_do_not_unmake_a_name():
    # `dom: u up` in a text thread is Dom's name, not a lowercase word.
    paras = ["dom: u up", "dom: babe", "dom: getting the soup", "Dom came home wet. I looked at Dom.",
             "“Gary wept, Dom.”", "Dom laughed."]
    assert "Dom" in _people(paras)


def test_one_pronoun_is_not_enough_for_a_gender():
    # "Thornby" is a farm: one "he" after it is someone else's, and must not make the farm a man.
    paras = ["Up at Thornby he kept sheep.", "Thornby lay under snow.", "Anya walked up to Thornby. She knocked."]
    people = _people(paras)
    assert people.get("Thornby") is None


def test_address_suffixes_join_the_bare_name():
    # `Jiwon-noona`, `Taeyang-hyung` and `Rin-senpai` are Jiwon, Taeyang and Rin, not three more characters.
    paras = [
        "Jiwon dropped her bag by the mirror. Taeyang was already stretching, and Rin sat by the speaker.",
        "“You’re early, Jiwon-noona,” Taeyang said.",
        "“Taeyang-hyung, the music,” Rin called. Jiwon laughed at them both.",
        "“Rin-senpai is strict today,” Taeyang muttered, and Rin ignored him.",
    ]
    cast = discover(paras)
    people = [p for p in cast.people if p.forms]
    assert len(people) == 3
    assert cast.resolve("Taeyang-hyung") == cast.resolve("Taeyang")


def test_last_syllable_with_ah_joins_the_given_name():
    # `Yeon-ah` is Seoyeon's nickname: the last syllable of her given name with `-ah`.
    paras = [
        "Seoyeon tied her shoes twice. Dohyun watched her from the door.",
        "“Yeon-ah, come on,” Dohyun said. Seoyeon ignored him.",
        "“Yeon-ah.” He waited. Seoyeon stood at last.",
    ]
    cast = discover(paras)
    assert cast.resolve("Yeon-ah") == cast.resolve("Seoyeon") is not None
    assert cast.resolve("Dohyun") != cast.resolve("Seoyeon")


def test_places_and_groups_are_not_characters():
    # A run ending in a place or group word, and `The` + a plural, name no one; nor do its words alone later.
    paras = [
        "Wren drove out to Ashcombe Mill Farm on Thursday. Ashcombe Mill Farm was mostly mud.",
        "“The Night Owls meet at eight,” Wren said. “The Rooks won’t come.”",
        "Tobin laughed. “The Rooks never come.” He had grown up at Ashcombe Mill, and the Rooks knew it.",
        "Wren signed them both up for the Harbour Chess Club anyway.",
    ]
    names = set(_people(paras))
    assert {"Wren", "Tobin"} <= names
    assert not names & {"Farm", "Ashcombe", "Mill", "The Rooks", "Rooks", "The Night Owls", "Harbour", "Club"}


def test_a_role_before_a_name_is_a_title():
    # "Healer Ossory" is titled like "Doctor Ossory": "the Healer" later is the same person.
    paras = [
        "Jae waited on the cot while Healer Ossory washed her hands.",
        "“Hold still,” Healer Ossory said. Jae held still.",
        "Healer Ossory frowned at the cut.",
        "“Again,” said the Healer. Jae sighed.",
        "“You again,” the Healer said when Jae came back.",
    ]
    cast = discover(paras)
    assert cast.resolve("the Healer") == cast.resolve("Healer Ossory") is not None
