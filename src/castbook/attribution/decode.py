"""Conversation decoding: the best sequence of speakers over a whole exchange, not one guess per turn."""

from __future__ import annotations

import re

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from castbook.attribution.idiolect import Idiolects, features
from castbook.attribution.names import _FAMILY_CALLS, Cast, Person, may_hold, starts_on
from castbook.attribution.quotes import Piece
from castbook.attribution.radio import marked
from castbook.attribution.stage import ASLEEP, ENTER, STIR, WAKE, WAKE_FEMALE, WAKE_MALE, movements
from castbook.attribution.tags import _SENTENCES

_HARD = frozenset({"tag_name", "first_person", "desc_new", "desc_role", "pron_stranger", "desc_kin", "desc_contrast", "desc_look",
                   "pron_role", "newcomer", "voice_named"})
"""Rules whose choice is kept as it is: an explicit tag names the speaker."""
_SOFT = frozenset({"pron_near", "pron_fresh", "voice_seen"})
"""Pronoun tags resolved through the narration: a strong hint, weighed against the turns around it."""
_STAY = frozenset({"continued", "pron_continues"})
"""Turns that go on with the previous speaker's speech (a reopened quotation, `she went on`)."""
_UNKNOWN = -2
"""Someone on stage who is not one of the candidates (`said a voice`)."""
_MAX_CANDS = 4
"""Candidates per exchange, most present first (the anchored speakers always take part)."""
_MIN_UNITS = 1
_CARRY = 6
"""Speakers of earlier exchanges in the same scene kept as candidates."""
_CARRY_WEIGHT = 0.5

# Scores (log-odds-like, added up along a path).
_SAME_AS_LAST = -0.5
"""Two turns in a row by the same speaker: rare without a tag saying so."""
_REPLY_SAME = -4.0
"""A turn the narration calls a reply (`came the answer`) by whoever spoke the turn before."""
_ALTERNATE = 1.2
"""A, B, A: the speaker before the last one speaks again."""
_ALTERNATE_TAGGED = 0.6
"""...less so when the third line is tagged by name in a group heard by name (`"You're both wrong," said Pim.`): a
writer names the speaker where the turns do not say it, so the one named seldom spoke the bare line two before (fan
fiction dev, groups of three or more, lines in a row: 31% against 70% for an untagged third line; PDNC tune 59%
against 90%)."""
_ADDRESSED = 1.5
"""The previous turn named this character as the one spoken to."""
_THIRD_CALLED = 0.5
"""A line calling by name someone other than the two who spoke just before (`Mister Kask.`): that third one
answers, not the one it would be the turn of."""
_ROLL_ANSWER = 1.5
_CRACKLE_ANSWERED = 2.0
"""A line after `the speaker crackled` is by whom the line after it calls by name (`Not yet, Chief.`), and the
line after it, at the start of an exchange, by whoever called over the intercom just before (`Engineering, bridge.`)."""
"""After orders to several by name (`Moose, the hose. Lieu, the line.`), each acknowledgement that follows
(`Copy.`, `Copy, Cap.`) is by one of those named: not back and forth with the one giving them."""
_ANSWERED = 0.5
"""The next turn names this character: a reply is often addressed to whoever just spoke."""
_CALLS_BACK = 2.0
"""A line calling by name someone who came in calling the speaker by name (`Wes! Are you drowned?` ... `Mari.`)."""
_CROWD = 3
_CROWD_BACK = 20
_CROWD_AHEAD = 5
"""A scene where this many people are heard by name (tagged within these many paragraphs before or after an
exchange) is a group: no longer two people taking turns."""
_GROUP_ADDRESSED = 2.0
_GROUP_ANSWERED = 1.5
"""In a group, a line calling someone by name (`Bo, you're on.`) hands them the next turn, and a reply that names
someone (`Copy, Priya.`) answers whoever spoke just before, more surely than A, B, A alternation."""
_GROUP_ASKED = 1.5
"""...and surer still when the line ends on a question put to them by name (`What have we got, Hoshino?`): in a
group the one asked answers, whoever else the line named. Not a bare `Hoshino?`, often an echo of a name."""
_CALLED_GAP = 3
"""A line calling someone by name, then up to two paragraphs of narration (`There was a pause.`): they still answer
next."""
_VOCATIVE_SELF = -4.0
_INTRODUCES_SELF = 3.0
_CHECKS_IN = 3.0
"""...and surely on a radio check, where each line opens with its speaker's name (`Kestrel, up top.`)."""
_NOT_ME = -5.0
"""Nobody calls themself by name."""
_SPOKEN_TO = 2.0
"""The previous turn's narration said it was spoken to this character (`Tom said to Sam`)."""
_SPOKEN_TO_SELF = -2.0
_HEARD_BY_SELF = -5.0
"""`Mara heard a voice whisper,`: Mara is not the one whispering."""
_GENDER_OK = 0.8
_PERSONAL = ("male", "female", "they")
"""The genders a `she`/`he`/singular `they` tag gives (see names' `_vote_gender`)."""
_THEY_UNKNOWN = 1.0
"""Share of the gender clash a `they` tag gives a character the text never gendered (half cost cold-spot 0.012)."""
_GENDER_CLASH = -5.0
_BEAT_OK = 0.5
_BEAT_CLASH = -1.0
"""An action beat's subject (`She grinned.`) is usually the one who speaks in its paragraph."""
_NEWCOMER = 1.0
_CALLED_NEWCOMER = 3.0
"""Someone described coming in (`The door opened on a boy of ten.` ... `he said`) who is the next one called by a name
the narration never uses (`"Thank you, Wil."`)."""
_CALLED_BEFORE = 3
"""...or called by it in a line just before, this many paragraphs at most (`"I'm sorry, Mr. Pruitt."` -- `"Ah," the
old man said.`)."""
_VOICE_ON_STAGE = -1.5
"""`said a voice`: not one of the two who spoke just before."""
_ARRIVAL_PICK = 1.5
"""Someone come in unnamed greeting one of those talking by name (`The door opened.` -- `"Morning, Mari."`): besides
`_NEWCOMER`, the one greeted or called by name next, or brought on by name just after (then often speaking again)."""
_VOICE_TAGGED_NEAR = -3.0
"""...and surely not whoever the lines just before or after it name as their speaker."""
_NEWCOMER_WEIGHT = 2.0
_ANSWERED_VOICE = 2.5
"""A voice from off stage, called back to by name with a shout or a question, answers it."""
_ANSWERER_AGAIN = -1.0
"""...and then the other one in the room speaks first, not the one who called back."""
_NEWCOMER_SPAN = 20
"""A turn tagged by a description leans towards the next character named for the first time within this many
paragraphs (`said the girl` ... "Hoshino Sakura. Second year.")."""
_SOFT_PICK = 1.5
"""A `he said`/`she said` resolved to someone through the narration: less than the turn-taking of two alternations
and a repeat (`She went on ...` chaining back past the other's line to whoever was named before)."""
_SOFT_FRESH = 0.0
"""...times this when no sentence near the tag gave the pronoun an antecedent and it was taken to be whoever the
narration before the exchange named last (`She watched Mara pour the tea.` ... `she said`: the one watching, not
Mara): a guess the decoder's own opening priors already make, not a second hint."""
_DESCRIBED_PICK = 2.0
"""A pronoun standing for someone described (`The new girl ... she says`): the next new name of that gender."""
_SOFT_UNSURE = 1.0
_BEAT_SUBJECT = 2.0
"""...and more when that someone is the subject of a sentence of the paragraph's own narration before the tag
(`Rafe sat down across from her. "Go on," he said.`): the pronoun goes on with the beat's subject."""
_BEAT_NAMED = 2.0
_BEAT_NAMED_GROUP = 0.0
_BEAT_REACH = 1
"""A turn with no tag (or a beat whose subject is no one: `The fan clicked.`, `They slid down.`) leans towards whom
the nearest sentence of its paragraph's narration, at most one sentence away, names as its subject (`Mina turned it
over. For a while nobody spoke. "..."`), in a talk of two (in a group the sentence opening on a name counts)."""
_LEAD_BEAT = 2.5
_LEAD_WEIGHT = 1.0
_CREW_ANSWERED = 1.0
_CREW_ASKED = 0.75
"""A crew: few are tagged by name near an exchange, but its own lines call or its beats show at least `_CROWD` people
(`Because I'm in it, Lou.` -- `Kit! You were meant to take the stairs.`). A line naming someone answers whoever spoke
just before more surely than in a talk of two, a question put by name is answered by the one asked, and whom the
turn's narration opens on speaks (as in a group); the beat's subject still counts, and no idiolects are learnt."""
# (addressed, answered, asked, beat named, lead beat, lead weight, idiolect style) by how the turns pass.
_PAIR = (_ADDRESSED, _ANSWERED, 0.0, _BEAT_NAMED, 0.0, 0.0, False)
_GROUP = (_GROUP_ADDRESSED, _GROUP_ANSWERED, _GROUP_ASKED, _BEAT_NAMED_GROUP, _LEAD_BEAT, _LEAD_WEIGHT, True)
_CREW = (_ADDRESSED, _CREW_ANSWERED, _CREW_ASKED, _BEAT_NAMED, _LEAD_BEAT, _LEAD_WEIGHT, False)
"""In a group, the character a sentence of the turn's own narration opens on, before its quotation (`Then Aggie,
from the back:`), is about to speak, however long ago they last did (not in a two-person talk: no gain there)."""
_SENTENCE_START = re.compile(r"(?:[.!?:;]\s+|\b(?:Then|And|But|So|Now|Finally)\s+)\W*$")
_GREEDY = 0.3
"""A small nudge towards the turn-by-turn guess, to break ties."""
_IN_PARAGRAPH = 0.6
"""Named in the narration of the turn's own paragraph (an action beat or a look)."""
_OPENING_FRESH = 0.8
_GAP_SAME = 0.5
"""After a paragraph of narration, the one who spoke last often goes on (a beat, then more speech)."""
_GAP_ALTERNATE = 0.5
"""...and as often the talk goes on turn by turn across the beat: the one who spoke before the last speaker (A, B,
a paragraph of narration, A) opens the next exchange (fan fiction: 40 of 118 untagged openers, the last speaker 32);
not when the beat named them only to say they waited (`Mara waited.`: the other goes on)."""
_SILENT_TURN = -2.0
"""...but not one the beat showed answering without words or listening (`Hamish nodded.`): that was their turn."""
_REACTS = re.compile(
    r"\s+(?:just\s+|only\s+|still\s+|simply\s+|openly\s+|barely\s+)?(?:nod(?:s|ded)|shrug(?:s|ged)|star(?:es|ed)\b|"
    r"flinch(?:es|ed)|freez(?:es)|froze|pretend(?:s|ed)|listen(?:s|ed)|wait(?:s|ed)|watch(?:es|ed)|blink(?:s|ed)|"
    r"(?:is|was)\s+(?:\w+ly\s+)?(?:eavesdropping|listening|watching|staring|waiting))\b")
"""After a name opening a sentence of the beat: that one only reacts (`Noor just stared at the table.`)."""
_SENTENCE_OPENS = re.compile(r"(?:^|[.!?]\s+|\b(?:Then|And|But)\s+)$")
_REACTED = -2.0
"""The one a paragraph of narration right after a turn opens on, only taking it in (`Noor nodded.`, `Holt said
nothing.`, `Marisol looked at her for a long second.`, `Priya went pink.`, `Teo's face fell.`): a listener to that turn,
not its speaker. (Not `laughed`: as often the speaker laughing at their own joke.)"""
_ACTED = -0.5
"""...and a little less likely, whatever they do there (`Theo put the kettle on.`): a writer gives a speaker's own beat
the paragraph of the line (fan fiction dev: 11 of 216 such lines are theirs; PDNC tune 32 of 440)."""
_REACTS_AFTER = re.compile(
    r"\s+(?:just\s+|only\s+|still\s+|simply\s+)?(?:nod(?:s|ded)|shrug(?:s|ged)|sh(?:ook|akes)\s+(?:his|her|their)\s+head|"
    r"said\s+nothing|says\s+nothing|(?:did\s+not|didn't|does\s+not|doesn't)\s+(?:answer|reply|say\s+anything)|"
    r"(?:was|is|stayed|stays|remained|remains|fell|falls)\s+silent|star(?:es|ed)\s+at|blink(?:s|ed)|"
    r"look(?:s|ed)\s+(?:at\s+(?:him|her|them|me|us)\b|up\b|down\b|away\b)|smil(?:es|ed)|sigh(?:s|ed)|snort(?:s|ed)|winc(?:es|ed)|"
    r"flush(?:es|ed)|blush(?:es|ed)|colou?r(?:s|ed)|go(?:es)?\s+(?:red|pink|pale|white|still)|went\s+(?:red|pink|pale|white|still)|"
    r"roll(?:s|ed)\s+(?:his|her|their)\s+eyes|rais(?:es|ed)\s+an\s+eyebrow)"
    r"|['\u2019]s\s+(?:face|smile|mouth|jaw|ears|cheeks|stomach|expression|eyebrows?)\b")
_REACTS_AFTER_STEMS = ("nod", "shrug", "head", "nothing", "answer", "reply", "anything", "silent", "star", "blink", "look", "smil",
                       "sigh", "snort", "winc", "flush", "blush", "colo", "red", "pink", "pale", "white", "still", "eye", "'s", "\u2019s")
"""Each match of `_REACTS_AFTER` holds one of these: narration without one is not searched."""
_MENTION_SELF = -2.0
"""A name said inside the quotation (not as an address): seldom the speaker's own."""
_SURE = frozenset({"tag_name", "split", "first_person"})
"""Lines whose speaker is sure enough to learn how that character talks from."""
_STYLE = 0.1
_STYLE_CAP = 2.0
"""In a group, a line worded the way one of those on stage talks in their tagged lines (pet words, tics, forms of
address), more than the others do: a faint hint, for a third voice cutting in that turn-taking cannot place."""
_LEAD_PRIOR = 0.3
"""The book's most often tagged speaker (its main character) takes part in most exchanges."""
"""The first turn of an exchange: whoever the narration just before it named last."""
_FOCAL_PRIOR = 0.4
"""A gendered tag (`she said`) leans towards the book's most often tagged speaker of that gender."""
_GONE = -3.0
"""Someone the narration took off stage earlier in the exchange (`Mara walked out.`, `Jun was asleep.`) and who has
not been tagged or come back since."""
_CAME = 1.0
_CAME_WEIGHT = 1.5
_CAME_GAP = 3
"""...in this many paragraphs before the exchange."""
_OFF_SPAN = 15
_ASLEEP_SPAN = 8
"""Someone gone (or fallen asleep) this many paragraphs ago may be back unannounced."""
_STAYING = 2
"""Someone the narration just brought on stage (`The door banged and Dev came in.`): a candidate, and likely to be
heard in the line that follows (or greeted in it)."""
_UNKNOWN_COST = -2.5
_REMOTE_WEIGHT = 3.0
_REMOTE_PICK = 4.0
"""A voice from the phone (`says the phone`, `a voice crackled down the line`) is the one on the other end."""
_CALLS_HOLDER = 1.0
"""A line of the call naming someone other than the one on the other end: often that one, calling the holder."""
_HOLDER = 1.0
"""Who speaks to the one on the phone by name is likeliest the one holding the phone."""
_ON_THE_LINE = 1.0
"""During a call, a bare line (nobody named in its paragraph, nobody called) after a line from the room leans towards
the one on the other end."""
_CALL_TURN = 2.0
"""...and a line after the far end's towards whoever holds the phone."""
_CALL_GAP = 6
"""A call stays open into the next exchange of the scene (`Anna? Still there?`) unless this many paragraphs of
narration come between, or someone hangs up."""
_UNMARKED_REMOTE = -4.0
"""Someone heard on the radio who ends their calls by the book (`Over.`): a line without it is seldom theirs."""
_FIRST_PERSON_MIN = 3
_FIRST_PERSON_SHARE = 0.03
"""A book with this many `I said` tags (and this share of its lines) is told by a narrator who takes part in its
conversations."""
_TOLD_WEIGHT = 1.0
"""The first-person narrator is a candidate in every exchange of such a book."""
_I_RATE = 0.02
"""A narration with this many `I `/`my`/`My` per word is told by "I", even when no line is ever tagged `I said`
(third-person books and stories measured: under 0.006; first-person ones: over 0.03)."""


def _told_by_i(paragraphs: Sequence[list[Piece]]) -> bool:
    """Whether the narration says "I" so often that "I" tells the story and talks (`I read it twice.` / `"I'm fine."`),
    though no line is tagged `I said` (see `_I_RATE`)."""
    words = mine = 0
    for pieces in paragraphs:
        for p in pieces:
            if p.kind == "narration":
                t = p.text
                words += t.count(" ") + 1
                mine += t.count("I ") + t.count(" my ") + t.count("My ")
    return words >= 100 and mine >= _I_RATE * words


_I = re.compile(r"\bI\b")
_TO_WHOM = re.compile(
    r"\b(?:(?:said|says|say|saying|whispered|murmured|muttered|cried|called|replied|answered|returned|turned|turning|"
    r"spoke|speaking|added|remarked|observed|exclaimed|continued|nodded|bowed|smiled|went\s+on|repeated|explained|"
    r"shouted|answering|replying|calling)(?:\s+\w+ly)?(?:\s+round|\s+again)?\s+to|addressing|"
    r"(?:grin(?:ned|ning|s)?|(?:smil|glar)(?:e|ed|es|ing)|(?:smirk|wink|scowl|frown|beam)(?:ed|s|ing)?)"
    r"(?:\s+\w+ly)?(?:\s+(?:up|over|down|across|back|round|around|sideways))?\s+at)\s+$"
)
"""Narration naming the one spoken to (`he said to Mara`, `turning to Mara`, `addressing Mara`), or looked at while
speaking (`She grinned at Mara.`, `glancing over at Mara`)."""


def _said_to(text: str, s: int) -> bool:
    """`_TO_WHOM.search(text, max(0, s - 40), s)`, asked only where the words before `s` end in `to`, `at` or
    `addressing`, as every match does (most names stand after no such word)."""
    start = max(0, s - 40)
    return text[start:s].rstrip().endswith(("to", "at", "addressing")) and _TO_WHOM.search(text, start, s) is not None


_TO_ME = re.compile(
    r"\b(?:(?:said|says|whispered|murmured|muttered|called|replied|answered|returned|turned|turns|turning|spoke|"
    r"speaking|added|remarked|observed|explained|shouted|repeated|went\s+on|bent|leaned|leant|nodded|smiled)"
    r"(?:\s+\w+ly)?(?:\s+round|\s+again|\s+back|\s+over)?\s+to"
    r"|(?:asked|asks|asking|told|tells|telling|questioned|addressed|addressing|studied|eyed|called|warned|assured|urged)"
    r"(?:\s+\w+ly)?"
    r"|(?:looked|looks|looking|glanced|glances|glancing|stared|peered|smiled|grinned|frowned|winked|blinked)"
    r"(?:\s+\w+ly)?(?:\s+up|\s+over|\s+across|\s+round|\s+back)?\s+at"
    r"|(?:says|said|asks|asked|whispers|whispered|calls|called)\s+(?:from\s+)?(?:behind|beside|next\s+to))\s+me\b"
)
"""First-person narration saying the narrator was spoken to or looked at (`Teodor turned to me`, `the critic asked me`,
`She studied me`): the one speaking there talks with the narrator."""


_WITH_ME_AFTER = re.compile(r"\s+and\s+I\b")
_WITH_ME_BEFORE = re.compile(
    r"(?:\bI\s+and\s+|\bI\b[^.!?;\"\u201c\u201d]{0,60}?\b(?:with|saw|met|meet|found|joined|spotted)\s+)$")
"""First-person narration opening an exchange that puts the narrator with one named person (`Nina and I walked up to
the cafe`, `I sat with Bram`, `I found Nina in the kitchen`): the exchange is between the two of them."""
_PAIR_OUT = -1.0
"""...and a third person takes no untagged turn of it."""


def _with_me(cast: Cast, text: str, known: set[int], me: int | None, places: set[int] | frozenset[int]) -> int | None:
    """The one person the narration `text` puts together with the narrator (see `_WITH_ME_BEFORE`), if just one."""
    found = set()
    for s, e, pid in cast.find(text):
        if pid == me or pid in places or pid not in known:
            continue
        if _WITH_ME_AFTER.match(text, e) or _WITH_ME_BEFORE.search(text, max(0, s - 70), s):
            found.add(pid)
    return found.pop() if len(found) == 1 else None


_PHONE = re.compile(r"\b(?:phone|phones|call|calls|called|calling|rang|ring|rings|ringing|speaker|video|radio|walkie|comm|comms|intercom|channel|link)\b", re.I)
_CALL = starts_on(
    # (A yes/no search, or where the words start: see `starts_on`.)
    "ospavfrwcmdith",
    r"\b(?:on\s+speaker(?:phone)?|speakerphone|picks\s+up|picked\s+up(?=\s*[.,;!?]|\s+(?:on|after|at|before|the\s+phone|the\s+call)\b)|"
    r"(?<=I\s)pick\s+up(?=\s*[.,;!?]|\s+(?:on|after|at|before)\b)|pick(?:s|ed)?\s+it\s+up\b(?!\s+(?:and|off|from|again)\b)|"
    r"answer(?:s|ed)\s+(?:it|the\s+(?:phone|call))|(?<=I\s)answer\s+(?:it|the\s+(?:phone|call))|(?<=I\s)answer(?:ed)?(?=,?\s+(?:because|anyway)\b)|video[- ]?call\w*|face-?tim\w+"
    r"|\b(?:phone|radio|walkie(?:-talkie)?|cell|mobile)\s+(?:\w+\s+)?(?:buzz|crackl|vibrat|rang\b|rings\b|ringing\b)\w*"
    r"|\bhit(?:s|ting)?\s+accept\b|\baccept(?:s|ed)?\s+the\s+call\b|\bswip(?:e|es|ed)\s+to\s+answer\b"
    r"|\bopen(?:s|ed)\s+(?:the|a)\s+(?:channel|link|comms?)\b"
    r"|\bdial(?:s|ed|led|ing)\b|\brang\s+(?:\w+\s+)?(?:times|once|twice)\b|\b(?:it|the\s+line)\s+click(?:s|ed)\b)", ignorecase=True)
"""Narration that opens a telephone call: from here on, one voice in the exchange comes from the phone (also `her phone
buzzes`, `the radio crackles`: someone far off is about to be heard)."""
_HANG_UP = re.compile(r"(?=[hwilecskf])(?:\b(?:hung|hangs|hang|hanging)\s+up\b|\b(?:was|is)\s+gone\b|\bline\s+(?:went|goes)\s+dead\b|"
                      r"\bend(?:s|ed)\s+the\s+call\b|\b(?:channel|link|comms?|connection|screen|feed)\s+(?:\w+\s+)?(?:went|goes)\s+(?:dead|dark|silent)\b|"
                      r"\b(?:channel|link|comms?|connection)\s+(?:\w+\s+)?(?:closed|shut|cut\s+out)\b|"
                      r"\b(?:cut|cuts|killed|kills|closed|closes)\s+the\s+(?:channel|link|comms?|connection|feed)\b)", re.I)
"""(The lookahead on the first letters of the alternatives lets the scan skip other words quickly.)"""
_REMOTE_VOICE = re.compile(
    r"\bvoices?\b[^.!?]{0,50}?\b(?:crackl\w+|came\s+(?:out|through|over|down)|comes\s+(?:out|through|over|down)|"
    r"down\s+the\s+line|over\s+the\s+(?:line|phone|speaker)|from\s+the\s+(?:phone|speaker|screen))"
    r"|\b(?:came|comes)\s+(?:out\s+of|through|over|from)\s+the\s+(?:speaker|phone|line|handset|receiver)\b"
    r"|\b\w+\s+(?:crackl\w+|comes|came)\s+down\s+the\s+line|\b(?:pause|silence|sigh)\s+on\s+the\s+line", re.I)
"""A voice out of the phone (`a tinny voice crackled out of it`, `her voice came through`): the one called."""
_CALL_STEMS = ("speaker", "comm", "intercom", "open", "pick", "answer", "video", "face", "phone", "radio", "walkie", "cell", "mobile",
               "dial", "rang", "click", "accept", "swip")
_HANG_UP_STEMS = ("hung", "hang", "gone", "dead", "call", "dark", "silent", "closed", "shut", "cut", "kill")
_REMOTE_STEMS = ("voice", "line")
"""Each match of `_CALL`, `_HANG_UP`, `_REMOTE_VOICE` holds one of these: narration without one is not searched."""
_REPLY = r"(?:reply|replies|answer|answers|response|responses|retort|rejoinder)"
_REPLY_AFTER = re.compile(rf"^\W*(?:(?:then|and)\s+)?(?:comes|came|come)\s+(?:the|an?|his|her|their)\s+(?:\w+\s+)?{_REPLY}\b", re.I)
_REPLY_BEFORE = re.compile(
    rf"(?:^|[.!?]\s+)(?:the|an?|his|her|their)\s+(?:\w+\s+)?{_REPLY}\s+(?:comes|came|was|is|follows|followed)"
    rf"(?:\s+\w+ly)?(?:\s+(?:back|at\s+once|at\s+last|quickly|promptly|instantly))?\s*[:,\u2014-]*\s*$", re.I)
"""`"Ankle," came the reply.` / `The answer was: "..."`: said by someone other than whoever spoke last."""


_CRACKLE = re.compile(r"\b(?:speaker|radio|comms?|intercom|walkie(?:-talkie)?|handset)s?\s+(?:\w+\s+)?(?:crackl|hiss)\w*"
                      r"|\bcrackl\w*\s+(?:over|through|out\s+of|from)\s+the\s+(?:speaker|radio|comms?|intercom)\b", re.I)
"""`the speaker crackled`, `The radio hissed`, `crackled over the radio`: a voice from elsewhere is about to be heard."""


def _crackles(paragraphs: Sequence[list[Piece]], q) -> bool:
    """The narration before quotation `q` in its paragraph, or a paragraph of narration alone just before it, ends on
    a sentence saying a speaker or radio crackled (`There was a pause, and then the speaker crackled.`)."""
    pieces = paragraphs[q.para]
    text = " ".join(p.text for p in pieces[: q.piece] if p.kind == "narration")
    if not text and q.piece == 0 and q.para > 0 and paragraphs[q.para - 1] and all(
            p.kind == "narration" for p in paragraphs[q.para - 1]):
        text = " ".join(p.text for p in paragraphs[q.para - 1])
    if "rackl" not in text and "hiss" not in text:
        return False
    last = [x for x in _SENTENCES.split(text) if x.strip()]
    return bool(last) and bool(_CRACKLE.search(last[-1]))


def replied(pieces: Sequence[Piece], k: int) -> bool:
    """The narration around quotation `pieces[k]` calls it a reply (`came the answer`, `The reply was:`)."""
    after = pieces[k + 1] if k + 1 < len(pieces) else None
    ahead = pieces[k - 1] if k > 0 else None
    return bool(after is not None and after.kind == "narration" and _REPLY_AFTER.match(after.text)
                or ahead is not None and ahead.kind == "narration" and _REPLY_BEFORE.search(ahead.text))


_AFAR = re.compile(
    r"\b(?:upstairs|downstairs|overhead|ceiling|next\s+door|far\s+off|another\s+room|the\s+other\s+room"
    r"|through\s+the\s+(?:\w+\s+)?(?:wall|walls|door|floor|floorboards|ceiling|window|letterbox)"
    r"|(?:from|down|across|up|over)\s+(?:\w+\s+){0,3}?(?:hall|hallway|stairs|stairwell|landing|kitchen|stacks|yard|garden|"
    r"window|street|corridor|distance|above|below|deck|loft|attic|cellar|basement)\b)")
"""Narration placing a voice away from the room (`a voice came down through the ceiling`, `floats over from the
stacks`, `shouted from the kitchen`)."""
_AFAR_STEMS = ("stairs", "ceiling", "door", "off", "room", "through", "from", "down", "across", "over", "up")


_COMES_IN = re.compile(
    r"\b(?:door|doorway|doorbell|bell|threshold|arrived|arrives|entered|enters|barged|burst|bursts|came\s+in|comes\s+in|"
    r"walked\s+in|walks\s+in|stepped\s+in|steps\s+in|let\s+(?:her|him|them)self\s+in)\b")
"""Narration of someone coming in on the others: `The door banged open.`, `The bell went again.`, `stopped in the
doorway`."""
_COMES_IN_STEMS = ("door", "bell", "thresh", "arriv", "enter", "barg", "burst", " in")


def _narration_near(paragraphs: Sequence[list[Piece]], q) -> str:
    """The narration of quotation `q`'s paragraph, and of a paragraph of narration alone just before it."""
    text = " ".join(p.text for p in paragraphs[q.para] if p.kind == "narration")
    if q.para > 0 and paragraphs[q.para - 1] and all(p.kind == "narration" for p in paragraphs[q.para - 1]):
        text += " " + " ".join(p.text for p in paragraphs[q.para - 1])
    return text


def _comes_in(paragraphs: Sequence[list[Piece]], q) -> bool:
    """The narration near quotation `q` (`_narration_near`) brings someone in."""
    text = _narration_near(paragraphs, q)
    return any(w in text for w in _COMES_IN_STEMS) and _COMES_IN.search(text) is not None


def _afar(paragraphs: Sequence[list[Piece]], q) -> bool:
    """The narration near quotation `q` (`_narration_near`) places the voice away from the room."""
    text = _narration_near(paragraphs, q)
    return any(w in text for w in _AFAR_STEMS) and _AFAR.search(text) is not None


_THE_OTHER = re.compile(r"the other(?: (?:one|man|woman|boy|girl|lad|fellow|gentleman|lady))?")
"""A speech tag for the other one of two (`said the other`, `the other man snapped`)."""


DEVICES = frozenset("phone telephone line speaker speakerphone screen receiver radio intercom handset".split())
"""`says the phone`: the voice of whoever is on the other end."""


@dataclass(slots=True)
class _Unit:
    """One turn: the quotations of a paragraph said by one speaker."""

    quotes: list = field(default_factory=list)
    anchor: int | None = None
    anchored: bool = False
    soft: int | None = None
    soft_beat: bool = False
    """The soft pick is the subject of a sentence of its paragraph's narration before the pronoun tag."""
    soft_fresh: bool = False
    """The soft pick is only whoever the narration before the exchange named last (`pron_fresh`)."""
    gender: str | None = None
    newcomer: tuple[int, str | None] | None = None
    """(paragraph, gender) of a turn tagged by a description (`said the girl`, `The boy swallowed.`)."""
    young: bool = False
    """Tagged by a word for a child (`said the girl`, `the boy muttered`): not anyone titled as a grown-up."""
    vocatives: set[int] = field(default_factory=set)
    given: set[int] = field(default_factory=set)
    asks: set[int] = field(default_factory=set)
    """Whom its last quotation's closing question calls by name (`What have we got, Hoshino?`)."""
    mentions: set[int] = field(default_factory=set)
    """Characters named inside the quotations: people seldom name themselves."""
    intro: set[int] = field(default_factory=set)
    """...unless they introduce themselves ("I'm Eli")."""
    names: list[int] = field(default_factory=list)
    """Characters named in the paragraph's narration."""
    spoken_to: set[int] = field(default_factory=set)
    """Characters the narration says were spoken to (`he said to Mara`)."""
    beat: str | None = None
    """The gender of an action beat's pronoun or epithet in the paragraph (`She set the cup down.`)."""
    greedy: int | None = None
    not_me: bool = False
    """A first-person story's paragraph whose speech is tagged "she"/"he" with no "I" in it: not the narrator."""
    remote: bool = False
    """Spoken through a phone (`says the phone`, `a voice crackled down the line`): the one on the other end."""
    hang_up: bool = False
    """Its narration ends the call (`and hung up`)."""
    call: bool = False
    """Its paragraph's narration opens a phone call."""
    taken: bool = False
    """The narration of the turn says someone answered, bare (`Noor answered.`): a call, after a phone rang."""
    holders: set[int] = field(default_factory=set)
    """Who takes the call in the room (`Ines put it on speaker`)."""
    described: bool = False
    """Its pronoun tag stands for someone described, not named (`The new girl ... she says`)."""
    subject: int | None = None
    """Whom a sentence of its untagged paragraph's narration next to its quotation names as subject."""
    lead: int | None = None
    """The character who opens the last sentence of narration before the turn's first quotation (`Then Aggie, from
    the back:`, `Linh, who was tiny, leaned round the lockers.`): the one about to speak."""
    checks_in: bool = False
    """Answers a radio check with its speaker's name."""
    reply: bool = False
    """Its narration calls it a reply (`came the answer`): not the one who spoke just before."""
    voice: bool = False
    """Tagged by someone unnamed (`said a voice from the doorway`): seldom either of the two just talking."""
    radio: bool = False
    """A radio line by procedure (`Over.`, `Base, Two.`)."""
    listener: int | None = None
    """Whom the beat paragraph before it shows answering without words or listening (`Hamish nodded.`)."""
    reacted: int | None = None
    """Whom the paragraph of narration right after it opens on, only taking it in (see `_REACTS_AFTER`)."""
    acted: int | None = None
    """...or doing anything else (`_ACTED`)."""
    nodder: tuple[str, str] | None = None
    """A nod told with a pronoun (`He nods.`) after a question: (gender, "nod" | "answer"); see Quote.nodder."""
    answerer: int | None = None
    """Who the pronoun nod before it showed answering the question, before answering in words too."""
    heard_by: set[int] = field(default_factory=set)
    arrival: set[int] | None = None
    """Its first line greets someone by name right after narration bringing someone in unnamed (`The door opened.`,
    `Footsteps on the stairs.`): whom that narration names (see `_ARRIVAL_BEAT`); the decoder makes it a voice."""
    crackle: bool = False
    """The narration just before it says the speaker or radio crackled: a voice from elsewhere."""
    """Who the narration says heard it (`Mara heard a voice whisper,`): not its speaker."""
    group: bool = False
    """Its lines call on several at once (`Lads!`, `Okay, everyone.`, `Both of you, quiet.`): see `_GROUP_CALL`."""


def called_only(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list, places: set[int] | frozenset[int]) -> None:
    """Someone the narration never names, only called by name in the lines (`"Thank you, Wil."`): the one described
    coming in just before (`The door opened on a boy of ten.` ... `he said`) may be them. Sets `cast.called_first`
    (character -> the paragraph first calling them)."""
    cast.called_first = {}
    if not any(q.why == "described" and id(q) in cast.arrivals for q in quotes):
        return
    speaking = {q.speaker for q in quotes if q.why in _HARD and q.speaker is not None} | {
        pid for q in quotes for pid in q.intro}
    told_of = {pid for pieces in paragraphs for p in pieces if p.kind == "narration" for _, _, pid in cast.find(p.text)}
    for q in quotes:
        for pid in q.vocatives:
            if pid >= 0 and pid not in speaking and pid not in told_of and pid not in places:
                cast.called_first.setdefault(pid, q.para)
    for pid in list(cast.called_first):
        # (Only ever said to someone: a name also talked about in the lines, `going to Italy`, is not a person's.)
        forms = tuple(cast.people[pid].forms)
        if any(pid not in q.vocatives and any(f in q.text for f in forms) for q in quotes):
            del cast.called_first[pid]


def called_soon(cast: Cast, q) -> bool:
    """A described newcomer's line (`called_only`) with a name called soon after that may be theirs."""
    return q.why == "described" and id(q) in cast.arrivals and any(q.para < fp <= q.para + _NEWCOMER_SPAN for fp in cast.called_first.values())


def decode(
    cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], quotes: list, known: set[int],
    narrator: int, fresh_before: dict[int, list[int]], me: int | None = None, places: set[int] | frozenset[int] = frozenset(),
    also: frozenset[int] = frozenset(),
) -> None:
    """Re-decide every turn not fixed by an explicit tag with a Viterbi pass over (previous, current) speaker.

    `fresh_before[conv]` lists the characters the narration named just before a conversation, in order.
    """
    counts: dict[int, int] = {}
    for q in quotes:
        if q.why in _HARD and q.speaker is not None:
            counts[q.speaker] = counts.get(q.speaker, 0) + 1
    lead = max(counts, key=counts.get) if counts else None
    leads = {
        g: max((p for p in counts if p >= 0 and cast.gender(p) == g), key=counts.get, default=None)
        for g in ("male", "female")
    }
    for g in ("male", "female"):
        if leads[g] is None:
            # Nobody of that gender is ever tagged by name: the one most often named in the book.
            named = [p for p in range(len(cast.people)) if cast.gender(p) == g]
            leads[g] = max(named, key=lambda p: sum(cast.people[p].forms.values()), default=None)
    first_seen: dict[int, int] = {}
    if any(q.tag is not None and q.tag.kind == "descriptor" for q in quotes):
        # Only someone heard speaking somewhere (tagged by name, or introducing themself) can be the newcomer.
        speaking = set(counts) | {pid for q in quotes for pid in q.intro}
        for pi, pieces in enumerate(paragraphs):
            for p in pieces:
                for _, _, pid in cast.find(p.text):
                    if pid in speaking:
                        first_seen.setdefault(pid, pi)
    mine = sum(1 for q in quotes if q.speaker == narrator and q.why in ("first_person", "split"))
    told = mine >= _FIRST_PERSON_MIN and mine >= _FIRST_PERSON_SHARE * len(quotes) or _told_by_i(paragraphs)
    if told:
        # A story told by "I": the "he" or "she" of its tags is most often the narrator's partner, the one the
        # narration names most, not whoever happens to be tagged by name most.
        for g in ("male", "female"):
            named = [p for p in range(len(cast.people)) if p != narrator and cast.gender(p) == g]
            if named:
                leads[g] = max(named, key=lambda p: sum(cast.people[p].forms.values()))
    idiolects = Idiolects.learn(
        (narrator if q.speaker == me or q.speaker in also else q.speaker, q.text)
        for q in quotes if q.why in _SURE and q.speaker is not None
    )
    start = 0
    carry: list[int] = []
    line: list = []
    called: set[int] = set()
    last_para = -1
    # Who may go off stage: anyone but places; and come on: those whose gender the book shows or who are heard by name
    # (not `Religion appeared`).
    people = {p: cast.gender(p) is not None or p in counts for p in range(len(cast.people)) if p not in places}
    off: dict[int, tuple[int, bool]] = {}
    while start < len(quotes):
        end = start
        while end + 1 < len(quotes) and quotes[end + 1].conv == quotes[start].conv:
            end += 1
        if any(resets[p] for p in range(last_para + 1, quotes[start].para + 1)) or (
                quotes[start].para - last_para > _CALL_GAP):
            line = []
        if any(resets[p] for p in range(last_para + 1, quotes[start].para + 1)):
            carry = []
            called = set()
            off = {}
        # The narration between two exchanges of a scene: who went off stage, who came on just before this one.
        came: set[int] = set()
        # A `he`/`she` opening the first narration after the last line may be whoever said it, if tagged by name.
        hint = quotes[start - 1].speaker if start else None
        if hint == narrator or not any(q.why in _HARD and q.speaker == hint for q in quotes[max(0, start - 3) : start]
                                       if q.para == quotes[start - 1].para):
            hint = None
        for p in range(last_para + 1, quotes[start].para):
            for x in paragraphs[p]:
                if x.kind == "narration":
                    off, now = _moves(cast, x.text, p, off, people, set(carry), hint)
                    hint = None
                    came = (came - set(off)) | now if p >= quotes[start].para - _CAME_GAP else came - set(off)
        off = {pid: at for pid, at in off.items() if at[0] >= quotes[start].para - (_ASLEEP_SPAN if at[1] else _OFF_SPAN)}
        conv = quotes[start : end + 1]
        lo = max(last_para + 1, quotes[start].para - 3)
        for p in range(quotes[start].para, lo, -1):
            if resets[p]:
                lo = p
                break
        before = " ".join(x.text for p in range(lo, quotes[start].para) for x in paragraphs[p] if x.kind == "narration")
        heard = _crowd(quotes, resets, start, end)
        pair = None
        if told:
            opening = before + " " + " ".join(
                x.text for x in paragraphs[quotes[start].para][: quotes[start].piece] if x.kind == "narration")
            if "I " in opening:
                pair = _with_me(cast, opening, known, me, places)
        off = _decode_conv(
            cast, paragraphs, conv, known, narrator, fresh_before.get(quotes[start].conv, []), lead, carry, me,
            told, leads, places, first_seen, before, heard,
            called if quotes[start].para - last_para <= _CALLED_GAP else set(), idiolects, (off, came, people, carry),
            line, pair, also, _peek(paragraphs, resets, quotes, end, counts) if told else None,
        )
        # Whom the exchange's last line calls by name answers first in the next one, after a beat of narration.
        called = {v for q in conv if q.para == quotes[end].para for v in q.vocatives if v != me and v not in also}
        # Who spoke in this exchange stays on stage for the next one in the same scene.
        for q in conv:
            if q.speaker is not None and (q.speaker >= 0 or q.speaker == narrator):
                if q.speaker in carry:
                    carry.remove(q.speaker)
                carry.append(q.speaker)
        carry = carry[-_CARRY:]
        last_para = quotes[end].para
        start = end + 1


_PEEK = 30
"""How many lines past an exchange a call taken by "I" from someone unnamed is read for their name."""


def _peek(paragraphs: Sequence[list[Piece]], resets: Sequence[bool], quotes: list, end: int, speaking: dict[int, int]):
    """Names called by the lines after exchange `end` in the same scene, up to narration hanging up (see `_call`),
    of people a tag shows speaking somewhere (not the narrator's own surname, `Quintero? You still there?`): read
    only when asked."""
    def names() -> list[int]:
        out: list[int] = []
        para = quotes[end].para
        for q in quotes[end + 1 : end + 1 + _PEEK]:
            if any(resets[p] for p in range(para + 1, q.para + 1)):
                break
            if any(x.kind == "narration" and _HANG_UP.search(x.text) for p in range(para, q.para) for x in paragraphs[p]):
                break
            para = q.para
            out += [v for v in sorted(q.vocatives) if v in speaking]
        return out
    return names


_GROUP_FEW = (r"(?:[Ll]ads|[Gg]uys|[Yy]ou\s+guys|[Tt]eam|[Ff]olks|[Ll]adies|[Gg]entlemen|[Yy]['\u2019]all|[Yy]ou\s+lot|[Ff]ellas|"
              r"[Gg]ents|[Dd]ears)")
_GROUP_ALL = (r"(?:[Ee]veryone|[Ee]verybody|[Pp]eople|[Bb]oys|[Gg]irls|[Aa]ll\s+of\s+you|[Bb]oth\s+of\s+you|[Yy]ou\s+two|"
              r"[Cc]hildren|[Kk]ids|[Cc]rew|[Gg]ang|[Ff]riends)")
_GROUP_CALL = re.compile(
    r"(?:[,!?;:\u2014]\s*|[.]\s+|\b(?:[Hh]ey|[Oo]h|[Oo]kay|OK|[Aa]lright|[Aa]ll\s+right|[Rr]ight|[Ll]isten|[Cc]ome\s+on|[Oo]i|"
    r"[Mm]orning|[Nn]ight|[Hh]i|[Hh]ello|[Hh]ullo|[Tt]hanks|[Tt]hank\s+you|[Ss]orry|[Ww]ell|[Nn]ow),?\s+)(?:[Mm]y\s+)?"
    rf"(?:{_GROUP_FEW}|{_GROUP_ALL})(?=\s*(?:[,!?;.\u2014]|$))"
    rf"|^(?:[Mm]y\s+)?(?:{_GROUP_FEW}(?=\s*(?:[,!?;.\u2014]|$))|{_GROUP_ALL}(?=\s*(?:[,!?;\u2014]|$)))")
"""A line calling on several at once (`Lads!`, `Okay, team.`, `Everyone, listen.`, `Go to sleep, both of you.`); not a
line opening on `Everybody.` (an answer: `Who knows?`) or owning them (`I have my friends.`)."""
_GROUP_AT = 60
"""...within its opening characters."""
_GROUP_STEMS = ("lads", "guys", "every", "team", "folks", "people", "boys", "girls", "ladies", "gentlemen", "all",
                "lot", "both", "two", "children", "kids", "crew", "gang", "fellas", "gents", "dears", "friends")
"""A part of each `_GROUP_CALL` word, for a cheap test before the regex."""
_GROUP_RETURN = -2.0
"""A line calling on several at once is not A's in A, B, A: two who were trading lines do not call each other `lads`;
a third one there (or just come in) speaks it: instead of the alternation's bonus, this."""
_GROUP_THIRDS = 2
"""...so up to this many of those the narration named, not yet candidates, become candidates for it."""
_GROUP_BEAT = 1.0
"""...and the one the narration right after it opens on (`"Lads!" / Ros was hanging out of the cab window.`) most."""
_ACK = re.compile(r"\W*(?:copy|yes|yeah|yep|yup|aye|roger|got\s+it|on\s+it|okay|ok|sure|understood|will\s+do|right)\b", re.I)
"""A short acknowledgement opening a line (`Copy.`, `Yes, Coach.`, `On it.`)."""


def _crew(units: list[_Unit], heard: set[int]) -> int:
    """How many people an exchange shows besides those heard by name near it: whom its turns are tagged to, call by
    name, or whose beat opens on them or has them as subject."""
    who = {p for p in heard if p >= 0}
    for u in units:
        who |= {v for v in u.vocatives if v >= 0}
        who |= {p for p in (u.anchor if u.anchored else None, u.lead, u.subject) if p is not None and p >= 0}
    return len(who)


def _ordered(cast: Cast, u: _Unit) -> set[int]:
    """Those a turn gives orders to one after another, each called by name opening a sentence (`Moose, you've got
    the kid. Lieu, you're on the line.`), when at least two are."""
    out = set()
    for q in u.quotes:
        text = q.text
        for s, e, pid in cast.find(text):
            if pid >= 0 and pid in u.vocatives and text[e:e + 1] == "," and (
                    not text[:s].strip() or text[:s].rstrip()[-1:] in ".!?"):
                out.add(pid)
    return out if len(out) >= 2 else set()


_SUMMONS_AFTER = re.compile(r"\s*[.!?]+(?:\s|$)")
"""The end of a sentence right after a name."""


def _summoned(cast: Cast, u: _Unit, stop: str = "") -> set[int]:
    """Whom a turn calls by a name said as a sentence of its own opening its line (`Kask.`, `Mister Kask.`,
    `Whitlock! Boots!`): a summons (see `_THIRD_CALLED`)."""
    out = set()
    for q in u.quotes:
        text = q.text
        for s, e, pid in cast.find(text):
            if pid in u.vocatives and _SUMMONS_AFTER.match(text, e) and not text[:s].strip() and (
                    not stop or text.startswith(stop, e)):
                out.add(pid)
    return out


def _crowd(quotes: list, resets: Sequence[bool], start: int, end: int) -> set[int]:
    """Who is heard speaking by name around an exchange (`quotes[start:end + 1]`), in its scene."""
    first, last = quotes[start].para, quotes[end].para
    lo = next((p for p in range(first, first - _CROWD_BACK - 1, -1) if p <= 0 or resets[p]), first - _CROWD_BACK)
    hi = next((p - 1 for p in range(last + 1, min(last + _CROWD_AHEAD + 1, len(resets))) if resets[p]),
              last + _CROWD_AHEAD)
    who = set()
    k = start
    while k > 0 and quotes[k - 1].para >= lo:
        k -= 1
    while k < len(quotes) and quotes[k].para <= hi:
        q = quotes[k]
        if q.why in _HARD and q.speaker is not None:
            who.add(q.speaker)
        k += 1
    return who


def _to_me(paragraphs: Sequence[list[Piece]], at: int, prev: int) -> bool:
    """The narration of paragraph `at` (before its quotation or after it), or of a paragraph of narration alone just
    before it (after the previous turn's paragraph `prev`), says its speaker turned to, asked or looked at "me"."""
    if any(x.kind == "narration" and " me" in x.text and _TO_ME.search(x.text) for x in paragraphs[at]):
        return True
    p = at - 1
    if p > prev and p >= 0 and all(x.kind == "narration" for x in paragraphs[p]):
        return any(" me" in x.text and _TO_ME.search(x.text) for x in paragraphs[p])
    return False


def _reacted(cast: Cast, paragraphs: Sequence[list[Piece]], q) -> tuple[int | None, bool]:
    """Whom the paragraph of narration alone right after quotation `q` (the last piece of its paragraph) opens on by
    name, and whether only taking it in (`_REACTS_AFTER`)."""
    pieces = paragraphs[q.para]
    if q.piece != len(pieces) - 1 or q.para + 1 >= len(paragraphs):
        return None, False
    after = paragraphs[q.para + 1]
    if not after or after[0].kind != "narration" or any(p.kind != "narration" for p in after):
        return None, False
    text = after[0].text
    if not text[:1].isupper():
        return None, False
    for s, e, pid in cast.find(text[:80]):
        if s == 0 and pid >= 0:
            return pid, may_hold(text[e:e + 40], _REACTS_AFTER_STEMS) and _REACTS_AFTER.match(text, e) is not None
        break
    return None, False


def _units(
    cast: Cast, paragraphs: Sequence[list[Piece]], conv: list, known: set[int], narrator: int, me: int | None,
    told: bool = False, also: frozenset[int] = frozenset(),
) -> list[_Unit]:
    def canon(pid: int) -> int:
        return narrator if pid == me or pid in also else pid

    over_style = cast.over_style
    units: list[_Unit] = []
    para = -1
    for q in conv:
        hard = q.why in _HARD and q.speaker is not None
        device = q.tag is not None and q.tag.kind == "descriptor" and q.tag.text.lower().split()[-1] in DEVICES
        voice = (q.speaker is None and q.tag is not None and q.tag.kind == "descriptor" and q.tag.strength >= 0.9
                 and not device and q.tag.text.lower().startswith(("a ", "an ", "some")))
        new_para = q.para != para
        u = units[-1] if units else None
        if new_para and u is not None and q.why in _STAY and q.speaker == u.quotes[-1].speaker:
            new_para = False  # a speech going on in the next paragraph: the same turn
        # `"..." He said this and more. But the other brushed it aside. "..."`: `the other` in the paragraph of a
        # line already heard (tagged apart from it) is the other one answering it, a turn of their own.
        other = (not new_para and u is not None and not hard and not q.shares and q.tag is not None
                 and q.tag.kind == "descriptor" and q.tag_at is not None and q.tag_at != u.quotes[-1].tag_at
                 and _THE_OTHER.fullmatch(q.tag.text.lower().strip()) is not None)
        if new_para or u is None or other or (hard and u.anchored and q.speaker != u.anchor) or (hard and not u.anchored and u.quotes and q.speaker != u.quotes[0].speaker and u.quotes[0].why in _HARD):
            u = _Unit()
            units.append(u)
            u.reply = other
            if q.para != para:
                u.names = [
                    canon(pid) for p in paragraphs[q.para] if p.kind == "narration"
                    for _, _, pid in cast.find(p.text) if pid in known or (
                        q.tag is not None and q.tag.gender in ("male", "female") and cast.gender(pid) == q.tag.gender)
                ]
                u.spoken_to = {
                    canon(pid) for p in paragraphs[q.para] if p.kind == "narration"
                    for s, _, pid in cast.find(p.text) if _said_to(p.text, s)
                }
                if told and any(_I.search(p.text) for p in paragraphs[q.para] if p.kind == "narration"):
                    u.names.append(narrator)  # "I looked up": the narrator is in the scene
                if told and _to_me(paragraphs, q.para, para):
                    u.spoken_to.add(narrator)  # `John turned to me.`: John talks with the narrator
                said = " ".join(p.text for p in paragraphs[q.para] if p.kind == "narration")
                low = said.lower()
                u.call = may_hold(low, _CALL_STEMS) and bool(_CALL.search(said))
                if u.call:
                    u.holders = _holders(cast, said, narrator if told else None)
                elif "answer" in low and (m := _ANSWERED_BARE.search(said)):
                    # `Noor answered. "Hi."` after the phone rang: she took the call (see `_call`)
                    u.taken = True
                    start = max(said.rfind(c, 0, m.start()) for c in ".!?") + 1
                    u.holders = {canon(pid) for _, _, pid in cast.find(said[start : m.start()])}
                    if not u.holders and told and said[start : m.start()].strip() == "I":
                        u.holders = {narrator}
                u.hang_up = may_hold(low, _HANG_UP_STEMS) and bool(_HANG_UP.search(said))
                u.remote = may_hold(low, _REMOTE_STEMS) and bool(_REMOTE_VOICE.search(said))
                if q.tag is None:
                    u.lead = _lead(cast, paragraphs[q.para], q.piece)
                    if u.lead is not None:
                        u.lead = canon(u.lead)
                if q.tag is None or (q.tag.strength < 0.9 and q.tag.kind != "name"
                                     and q.tag.gender not in ("male", "female", "first")):
                    u.subject = _subject(cast, paragraphs[q.para], q.piece)
                    if u.subject is not None:
                        u.subject = canon(u.subject)
        para = q.para
        if not u.quotes:
            u.reply = u.reply or replied(paragraphs[q.para], q.piece)
            u.crackle = _crackles(paragraphs, q)
            u.reply = u.reply or u.crackle
            if getattr(q, "listener", None) is not None:
                u.listener = canon(q.listener)
            u.nodder = getattr(q, "nodder", None)
        u.quotes.append(q)
        after, reacts = _reacted(cast, paragraphs, q)
        u.acted, u.reacted = (None, None) if after is None else (None, canon(after)) if reacts else (canon(after), None)
        u.vocatives |= {canon(v) for v in q.vocatives}
        if q.given:
            u.given |= {canon(v) for v in q.given}
        u.asks = {canon(v) for v in _asks(cast, q.text, q.vocatives)}
        u.mentions |= {canon(pid) for _, _, pid in cast.find(q.text)}
        u.intro |= {canon(pid) for pid in q.intro}
        u.checks_in |= q.checks_in
        if len(u.quotes) == 1 and may_hold(q.text[:_GROUP_AT].lower(), _GROUP_STEMS):
            # (the turn's opening words: not `Remember that, all of you.` deep in a speech going on)
            u.group = _GROUP_CALL.search(q.text[:_GROUP_AT]) is not None
        if over_style:
            u.radio |= q.checks_in or marked(q.text)
        u.vocatives -= u.intro  # "Tamsin," she said. "Tamsin Quaile.": her own name twice, nobody addressed
        if hard and not u.anchored:
            u.anchored, u.anchor = True, canon(q.speaker)
        elif voice and not u.anchored:
            u.voice = True
        if device:
            u.remote = True
        if q.tag is not None and q.tag.hearer is not None:
            u.heard_by.add(canon(q.tag.hearer))
        if q.why in _SOFT and u.soft is None and q.speaker is not None:
            u.soft = canon(q.speaker)
            u.soft_beat = q.speaker in _beat_subjects(cast, paragraphs[q.para], q)
            u.soft_fresh = q.why == "pron_fresh"
        tag = q.tag
        if (told and tag is not None and tag.kind == "pronoun" and tag.gender in ("male", "female")
                and (not any(_I.search(p.text) for p in paragraphs[q.para] if p.kind == "narration")
                     or _she_leads(paragraphs[q.para], q))):
            u.not_me = True
        if (tag is not None and tag.kind in ("pronoun", "descriptor") and tag.gender in _PERSONAL
                and u.gender is None and (tag.strength >= 0.9 or q.why in _SOFT)):
            u.gender = tag.gender
        elif (tag is not None and tag.kind in ("pronoun", "descriptor") and tag.gender in _PERSONAL
                and q.tag_at is not None and u.beat is None):
            u.beat = tag.gender
        if (tag is not None and tag.kind == "descriptor" and tag.strength >= 0.9 and not u.anchored
                and tag.text.lower().split()[-1] in _YOUNG):
            u.young = True
        if (tag is not None and tag.kind == "descriptor" and tag.text.lower().startswith("the ")
                and u.newcomer is None and not u.anchored):
            u.newcomer = (q.para, tag.gender)
            u.described = q.why == "described"  # (`the old man said` for the one who came in unnamed)
        elif voice and u.newcomer is None and not u.anchored:
            u.newcomer = (q.para, tag.gender)  # `a voice called through the door`: whoever turns up named soon after
        elif q.why == "described" and u.newcomer is None and not u.anchored:
            u.newcomer = (q.para, tag.gender)
            u.described = True
        if u.greedy is None and q.speaker is not None:
            u.greedy = canon(q.speaker)
        if (len(u.quotes) == 1 and not u.anchored and not u.voice and q.vocatives and (
                q.tag is None or q.tag.kind == "pronoun") and _GREETS.match(q.text)):
            u.arrival = _arrival(cast, paragraphs, q)
    return units


_ARRIVAL_BEAT = re.compile(
    r"\b(?:door|gate)\b[^.!?]{0,40}?\b(?:opened|opens|swung|swings|banged|bangs|creaked|creaks|burst|bursts)\b"
    r"|(?:^|[.!?]\s+|\band\s+)(?:[Ff]ootsteps|[Ff]eet|[Ss]teps)\b(?![^.!?]{0,40}\b(?:away|off|out|receding|faded|fading)\b)"
    r"|\b(?:[Ss]omeone|[Ss]omebody)\s+(?:\w+ly\s+)?(?:came|comes|walked|walks|stepped|steps|clattered|clatters|thumped|"
    r"thumps|ran|runs|appeared|appears|knocked|knocks|let\s+(?:themselves|themself|himself|herself)\s+in)\b"
    r"|\bbell\b[^.!?]{0,30}?\b(?:went|goes|rang|rings|jingled|jingles|chimed|chimes|tinkled|tinkles)\b")
"""Narration bringing someone in without a name: `The door opened.`, `Footsteps on the stairs.`, `feet came down them
two at a time`, `Someone came down the stairs.`, `The bell over the door went.`"""
_ARRIVAL_STEMS = ("door", "gate", "oot", "eet", "teps", "omeone", "omebody", "bell")


def _arrival(cast: Cast, paragraphs: Sequence[list[Piece]], q) -> set[int] | None:
    """The people named by the narration just before line `q` (its own paragraph's, else the paragraph before when that
    is narration alone), when it brings someone in unnamed (`_ARRIVAL_BEAT`); else None."""
    if q.piece:
        prev = paragraphs[q.para][: q.piece]  # (`The door opened. "Morning, Mari."`)
    elif q.para:
        prev = paragraphs[q.para - 1]
    else:
        return None
    if not prev or any(p.kind != "narration" for p in prev):
        return None
    text = " ".join(p.text for p in prev)
    if not any(w in text for w in _ARRIVAL_STEMS) or not _ARRIVAL_BEAT.search(text):
        return None
    return {pid for _, _, pid in cast.find(text)}


_GREETS = re.compile(r"\W*(?:[Hh]i|[Hh]ello|[Hh]ey|[Hh]iya|[Hh]eya|[Mm]orning|[Ee]vening|[Aa]fternoon|[Gg]ood\s+(?:morning|evening|afternoon))"
                     r"\s*,\s*[A-Z]")
"""A line that greets someone by name (`Hi, Nads,`, `Morning, Sam.`)."""


def _greeted(cast: Cast, u: _Unit) -> set[int]:
    """Whom a turn's first line greets by name, however it goes on (`Good morning, Danny from upstairs.`)."""
    text = u.quotes[0].text
    m = _GREETS.match(text)
    if m is None:
        return set()
    return {pid for s, _, pid in cast.find(text[m.end() - 1 : m.end() + 40]) if s == 0}


_GREETING = re.compile(r"(?:^|[.!?]\s+)\W*(?:[Hh]i|[Hh]ello|[Hh]ey|[Hh]iya|[Hh]eya)\s*,?\s+[A-Z]")
"""A sentence greeting someone by name, anywhere in the line (`Is he there? Hi, Theo.`)."""
_NOT_YET = -1.5
"""Someone greeted by name later in the exchange has not been talking in it before."""


def _transitions(
    score: list[float], new: list[float], arg: list[int], row: list[float], live: list[int], n: int, third, voice: bool,
    reply: bool, group: bool, same: float, unk: int, ans_b: int | None, again: float, alt_ok: bool, called_i: set[int] | None,
    alt_bonus: float, call: tuple | None = None,
) -> None:
    """One Viterbi step of `_decode_conv`, for the states (a, b) -> (b, c): the row's score of c, then (on a call,
    `call` = far end, holders, whether the line is bare, whether it is plain) the call's turn, then the one branch
    that fits. Most transitions go to a third speaker (c neither a nor b), which only a call by name in the turn
    before scores: that test first."""
    m = n + 1
    half_neg = -1e18 / 2
    cells = [(c, row[c]) for c in live]
    far_i, hold_i, bare_t, plain_t = call if call is not None else ((), (), False, False)
    for b in range(n):
        bn = b * n
        b_far = b in far_i
        for a in range(m):
            prev = score[a * n + b]
            if prev <= half_neg:
                continue
            for c, r in cells:
                s = prev + r
                if call is not None:
                    if c in far_i and not b_far and bare_t:
                        s += _ON_THE_LINE
                    elif b_far and c in hold_i and plain_t and (a == n or a in far_i):
                        # (unless the far end was answering someone else in the room: then they go on)
                        s += _CALL_TURN
                if c != a and c != b:
                    if third and c in third:
                        s += _THIRD_CALLED
                elif voice and c != unk:
                    s += _VOICE_ON_STAGE
                elif reply and c == b and c != unk:
                    s += _REPLY_SAME
                elif c == b and c != unk:
                    s += same
                elif group and a == c and c != unk:
                    s += _GROUP_RETURN
                elif ans_b is not None and a == c and ans_b == b:
                    s += again
                elif a == c and alt_ok and (not called_i or c in called_i):
                    s += alt_bonus
                elif c in third:
                    s += _THIRD_CALLED
                k = bn + c
                if s > new[k]:
                    new[k] = s
                    arg[k] = a


def _decode_conv(
    cast: Cast, paragraphs: Sequence[list[Piece]], conv: list, known: set[int], narrator: int, fresh: list[int],
    lead: int | None, carry: list[int], me: int | None, told: bool = False,
    leads: dict[str, int | None] | None = None, places: set[int] | frozenset[int] = frozenset(),
    first_seen: dict[int, int] | None = None, before: str = "", heard: set[int] | frozenset[int] = frozenset(), called: set[int] | frozenset[int] = frozenset(),
    idiolects: Idiolects | None = None,
    stage: tuple[dict[int, tuple[int, bool]], set[int], dict[int, bool], list[int]] = ({}, set(), {}, []),
    line: list | None = None, pair: int | None = None, also: frozenset[int] = frozenset(), ahead=None,
) -> dict[int, tuple[int, bool]]:
    """Decode one exchange; `stage` = (who is off stage, who just came on, who may come and go, who spoke before in
    the scene) as it opens. Returns who is off stage as it closes."""
    units = _units(cast, paragraphs, conv, known, narrator, me, told, also)
    _called_back(paragraphs, units)
    # How the turns pass: between two (or few), in a group heard by name, or in a crew whose lines call each other.
    talk = _GROUP if len(heard) >= _CROWD else _CREW if _crew(units, heard) >= _CROWD else _PAIR
    addressed, answered, asked, beat_named, lead_beat, lead_weight, styled = talk
    if line and len(line) > 3 and not any(_KIN_SPOKEN.search(q.text) or _KIN_TITLED.search(q.text) for q in conv):
        # A relative goes on being heard only while the lines still call them `Mum`: else the call has faded out
        # (`Priya turned the speaker down`) and those in the room talk among themselves.
        line.clear()
    over_style = cast.over_style
    gone, came, off = _presence(cast, paragraphs, units, *stage, narrator=narrator)
    if all(u.anchored for u in units) or len(units) < _MIN_UNITS:
        if line is not None and units:
            # (a call opened or ended here goes on into the next exchange)
            _call(cast, units, before, line, narrator if told else None, carry)
        return off
    remote_set, window, holders = _call(cast, units, before, line, narrator if told else None, carry, ahead=ahead)
    kin_said: set[int] = set()
    kin_mine: set[int] = set()
    kin_to: set[int] = set()
    maybe: set[int] = set()
    if not window and may_hold(before.lower(), _CALL_STEMS) and _CALL.search(before):
        # `He answered it.` with no phone in the sentence: a call only if a line of it calls the caller `Mum`.
        maybe = set(range(next((t for t, u in enumerate(units) if u.hang_up), len(units) - 1) + 1))
    if window or maybe:
        kin = _kin_call(cast, paragraphs, units, window or maybe, remote_set, holders)
        if kin is not None:
            window = window or maybe
            # A relative on the phone (`his mum`): the other end is them, and the call is between them and their child.
            remote_set, holders, kin_said, kin_mine, kin_to = [kin[0]], kin[1], kin[2], kin[3], kin[4]
            if line is not None:
                line[:] = [] if units[max(window)].hang_up else [remote_set, holders, True, "kin"]
            cast.kin_away = {remote_set[0]: conv[-1].para}
        elif maybe and not window and any(_PHONE_WENT.search(x.text) for p in range(max(0, conv[0].para - _PHONE_BACK), conv[0].para)
                                          for x in paragraphs[p] if x.kind == "narration"):
            # `The phone went again.` ... `I answered it anyway.`: the phone rang a few paragraphs before.
            remote_set, window, holders = _call(cast, units, "phone. " + before, line, narrator if told else None, carry, True)
    if window and len(remote_set) == 1 and holders and len(units[min(window)].quotes) == 1:
        # `It rang four times before the line clicked.` -- `"Albescu."`: the far end answering with their own name.
        u = units[min(window)]
        bare = u.quotes[0].text.strip(" *")
        if remote_set[0] in u.vocatives and any(s == 0 and not bare[e:].strip(" ,.!?*") and pid == remote_set[0]
                                                for s, e, pid in cast.find(bare)):
            u.vocatives = u.vocatives - {remote_set[0]}
            u.intro = u.intro | {remote_set[0]}
    # A call, not on speaker, whose far end is one known person and whose near end the narration names (`Noor called
    # the landlord.`): whoever else is in the room keeps quiet.
    quiet_room = (bool(window) and len(remote_set) == 1 and bool(holders - set(remote_set)) and "speaker" not in before
                  and not any(units[t].call and "speaker" in " ".join(p.text for p in paragraphs[units[t].quotes[0].para]
                                                                       if p.kind == "narration") for t in window))
    away = {pid for pid, at in cast.kin_away.items()
            if not window and 0 < conv[0].para - at <= _KIN_AWAY} if cast.kin_away else set()
    # Someone greeted by name later in the exchange (`Is Priti with you? Hi, Priti.`) has not been talking before it,
    # unless the line greets back (`Hi, Odile!` after `Hi, Priti.`).
    unheard: dict[int, set[int]] = {}
    if any(u.vocatives for u in units):
        greeted: set[int] = set()
        for t in range(len(units) - 1, -1, -1):
            unheard[t] = set(greeted)
            u = units[t]
            if u.vocatives and any(_GREETING.search(q.text) for q in u.quotes) and not (
                    t and any(_GREETING.search(q.text) for q in units[t - 1].quotes)):
                greeted |= {v for v in u.vocatives if v >= 0}
    # (After a hang-up in the exchange, the far end is heard no more.)
    call_end = max(window) if window and units[max(window)].hang_up and remote_set else len(units)
    call_start = min(window) if window and remote_set else 0
    # A call taken (`Then I answer it.`), not placed: its first line, a bare `Hello?`, is the one who picked up.
    hello = call_start if (window and remote_set and holders and len(units[call_start].quotes) == 1
                           and _HELLO_LINE.match(units[call_start].quotes[0].text)
                           and (call_start or _TAKEN.search(before)) and not _PLACED.search(before)) else -1
    # Candidates: the anchored speakers, then others heard or named, most present first.
    weight: dict[int, float] = {}
    for u in units:
        if u.anchored and u.anchor != _UNKNOWN:
            weight[u.anchor] = weight.get(u.anchor, 0) + 3
        if u.soft is not None:
            weight[u.soft] = weight.get(u.soft, 0) + 2
        if u.greedy is not None:
            weight[u.greedy] = weight.get(u.greedy, 0) + 1
        for pid in u.names:
            weight[pid] = weight.get(pid, 0) + 0.5
        for pid in u.vocatives:
            if pid in known or pid < 0:
                weight[pid] = weight.get(pid, 0) + 1
        for pid in u.intro:
            weight[pid] = weight.get(pid, 0) + 2
        for pid in u.spoken_to:
            weight[pid] = weight.get(pid, 0) + 1
        if u.lead is not None and lead_weight:
            weight[u.lead] = weight.get(u.lead, 0) + lead_weight
    for t in range(len(units)):
        for pid in came[t]:
            weight[pid] = weight.get(pid, 0) + _CAME_WEIGHT
    newcomers: dict[int, int] = {}
    for t, u in enumerate(units):
        if u.newcomer is None or not (first_seen or cast.called_first) or u.intro:
            continue
        para, g = u.newcomer
        later = [(fp, pid) for pid, fp in first_seen.items()
                 if para < fp <= para + _NEWCOMER_SPAN and pid >= 0 and cast.gender(pid) is not None
                 and (g is None or cast.gender(pid) == g)]
        if u.described and not later and cast.called_first and any(id(q) in cast.arrivals for q in u.quotes):
            # (or called just before: `"I'm sorry, Mr. Pruitt."` -- `"Ah," the old man said.`)
            later = [(fp if fp > para else para + _NEWCOMER_SPAN + para - fp, pid) for pid, fp in cast.called_first.items()
                     if para - _CALLED_BEFORE <= fp <= para + _NEWCOMER_SPAN and fp != para and cast.gender(pid) in (g, None)]
        if later:
            # A description stands for someone not named yet: the next new name of that gender, soon after.
            newcomers[t] = min(later)[1]
            if not u.described:
                weight[newcomers[t]] = weight.get(newcomers[t], 0) + _NEWCOMER_WEIGHT
    for k, pid in enumerate(reversed(fresh[-4:])):
        if pid in known:
            weight[pid] = weight.get(pid, 0) + 1.0 / (k + 1)
    if told:
        weight[narrator] = weight.get(narrator, 0) + _TOLD_WEIGHT
    for k, pid in enumerate(reversed(carry)):
        weight[pid] = weight.get(pid, 0) + _CARRY_WEIGHT / (k + 1)
    for pid in remote_set:
        weight[pid] = weight.get(pid, 0) + _REMOTE_WEIGHT
    for pid in called:
        if pid in known:
            weight[pid] = weight.get(pid, 0) + 1
    if pair is not None and any(u.anchored and u.anchor not in (narrator, pair) for u in units):
        pair = None  # someone else is heard by name: not the two of them alone
    if pair is not None:
        weight[narrator] = weight.get(narrator, 0) + 2
        weight[pair] = weight.get(pair, 0) + 2
    weight.pop(_UNKNOWN, None)
    u0 = units[0]
    if u0.nodder and u0.listener is None and len(carry) >= 2 and carry[-2] >= 0 and cast.gender(
            carry[-2]) in (None, u0.nodder[0]) and carry[-2] not in u0.vocatives:
        # `Is that the turn-off?` -- `He nods.`: the one asked (before the asker) nodded. Before the asker's next
        # question (`The one with the sheep?`) that was his turn; before anything else he goes on to answer.
        if u0.nodder[1] == "nod":
            u0.listener = carry[-2]
        else:
            u0.answerer = carry[-2]
    # Someone off stage all through the exchange (`Kaito had fallen asleep.`) takes no one's place.
    for pid in set.intersection(*gone) - {u.anchor for u in units if u.anchored}:
        weight.pop(pid, None)
    cands = sorted(weight, key=lambda p: -weight[p])[:_MAX_CANDS]
    cands += [pid for pid in remote_set if pid not in cands]
    if kin_said or kin_mine or quiet_room:
        cands += [pid for pid in sorted(holders) if pid not in cands]
    cands += [pid for t, pid in newcomers.items() if units[t].described and pid not in cands]
    # A "she said" or a "she" beat with no woman among the candidates: whoever the narration just before named with
    # that gender, else the book's most often tagged woman (`She set the book down.` by someone not named yet).
    for g in {u.beat or u.gender for u in units if (u.beat or u.gender) and not u.anchored}:
        if any(p >= 0 and cast.gender(p) == g for p in cands):
            continue
        if window and any(p >= 0 and cast.gender(p) is None for p in remote_set):
            continue  # `"I'm in Stavanger," she said.` on a call: the one on the other end, whose gender is not known
        named = next((p for p in reversed(fresh) if p >= 0 and cast.gender(p) == g), None)
        if named is None:
            named = (leads or {}).get(g)
        if named is not None and named not in cands:
            cands.append(named)
    for u in units:
        if u.anchored and u.anchor not in cands and u.anchor != _UNKNOWN:
            cands.append(u.anchor)
    # In a crowded scene, whoever a line calls by name (and is on stage) may answer next, however little they
    # have spoken so far, even never yet (`Hesketh, is the launch fit?` to the man mending nets by the slipway).
    for u, nxt in zip(units, units[1:]):
        for pid in u.vocatives:
            if pid not in cands and pid >= 0 and pid not in places and not nxt.anchored and (
                    pid in carry or pid in fresh or any(pid in v.names for v in units)
                    or any(_GREETS.match(q.text) for q in u.quotes)):
                # (Or greeted, `Hi, Nads.`: the one greeted answers, though first heard now, on the phone or come in.)
                cands.append(pid)
    # Someone comes in unnamed (`The door opened.`) and greets one of those already talking by name (`Morning, Mari.`):
    # the line is the newcomer's, a voice not of the pair; they are whoever is greeted or called by name in the next
    # two turns, or brought on by name in the narration just after (`Danny hung up his coat.`).
    seen_here = set(carry)
    arrivals: dict[int, set[int]] = {}
    for t, u in enumerate(units):
        if u.arrival is not None and not u.anchored and u.arrival <= seen_here and u.vocatives & seen_here:
            u.voice = True
            arrivals[t] = set(seen_here)
            called_back = [pid for k in range(t + 1, min(t + 3, len(units))) for pid in sorted(
                units[k].vocatives | _greeted(cast, units[k]) | came[k]) if pid not in seen_here]
            pid = next((p for p in called_back if p >= 0 and p not in places), None)
            if pid is not None:
                if pid not in cands:
                    cands.append(pid)
                newcomers[t] = pid
        if u.anchored:
            seen_here.add(u.anchor)
        seen_here |= u.vocatives
        seen_here.update(u.names)
    # An unnamed voice (`A voice called from the hall.`) answered by name (`No, Greta!`) is the one so called.
    named_voice: set[int] = set()
    for t, u in enumerate(units):
        if u.voice and not u.anchored:
            # (or the one after: `"Sorry!" you whisper.` -- `"Sorry, Mrs. Okafor," Theo says.`)
            called_back = next((sorted(v.vocatives) for v in units[t + 1 : t + 3] if v.vocatives), [])
            for pid in called_back:
                if pid >= 0 and pid not in places:
                    if pid not in cands:
                        cands.append(pid)
                    newcomers[t] = pid  # (before the next new name the narration brings in)
                    named_voice.add(t)
    # ...and, once answered, has its say in the turn after the answer at most: then those in the room go on among
    # themselves (`"I wiped my feet." -- "She can't hear you."`) until the voice is heard again or comes in.
    voice_answered: dict[int, int] = {}
    for t in sorted(named_voice):
        pid = newcomers[t]
        if t in window or not _afar(paragraphs, units[t].quotes[0]):
            continue
        a = next((k for k in (t + 1, t + 2) if k < len(units) and units[k].vocatives), None)
        if a is None:
            continue
        if a + 1 < len(units) and not units[a + 1].anchored and units[a].quotes[-1].text.rstrip(" '\"\u201d\u2019").endswith(("!", "?")):
            voice_answered[a + 1] = pid  # (`No, Greta! It's only me!` shouted back: she answers)
        for k in range(a + 2, len(units)):
            if units[k].voice or pid in came[k] or units[k].anchored and units[k].anchor == pid:
                break
            gone[k].add(pid)
    # A reply (`came the answer`) comes from whoever the line before called by name, however little they spoke.
    for t, u in enumerate(units):
        if u.reply and not u.anchored:
            cands += [pid for pid in sorted(units[t - 1].vocatives if t else called) if pid >= 0 and pid not in cands]
    if len([p for p in cands if p not in cast.newcomer_at and p not in away]) < 2:
        # (A relative who just hung up is no one to talk to: `I hung up. Ruslan was grinning at me.`)
        # It takes two to talk (besides a newcomer who came in on them): someone the narration just named, though never tagged anywhere, is the other (else,
        # when the other one there fell asleep, the one the book names most).
        other = next((p for p in reversed(fresh) if p >= 0 and p not in cands and p not in places
                      and p not in gone[0]), None)
        if other is None and gone[0]:
            other = max((p for p in known if p not in cands and p not in places and p not in gone[0]),
                        key=lambda p: sum(cast.people[p].forms.values()), default=None)
        if other is not None:
            cands.append(other)
    # Nobody speaks before the text has named them (someone first met in a later chapter), unless a tag says so.
    first_named = cast.first_named
    last_para = conv[-1].para
    cands = [p for p in cands if p < 0 or p == me or first_named.get(p, -1) <= last_para
             or any(u.anchored and u.anchor == p for u in units) or p in cast.called_first and p in newcomers.values()]
    for u, nxt in zip(units, units[1:]):
        if len(u.vocatives) >= 2 and not nxt.anchored and _ACK.match(nxt.quotes[0].text):
            cands += [p for p in sorted(_ordered(cast, u)) if p not in cands and p not in places and (
                p in carry or p in fresh or first_named.get(p, -1) <= last_para)]
    # A line calling on several at once (`Lads!`) is a third one's: whom the narration right after it opens on (`Ros was
    # hanging out of the van door`), else someone the narration named before or during the exchange, though silent.
    # (Not before it: the turns before go as they went without them.)
    thirds: dict[int, int] = {}
    for t, u in enumerate(units):
        if u.group and not u.anchored:
            named = [u.acted] + [p for v in units[: t + 1] for p in v.names] + list(reversed(fresh))
            for p in list(dict.fromkeys(p for p in named if p is not None and p >= 0 and p not in cands
                                        and p not in places and first_named.get(p, -1) <= last_para))[:_GROUP_THIRDS]:
                cands.append(p)
                thirds[p] = t
    cands.append(_UNKNOWN)
    n = len(cands)
    index = {pid: i for i, pid in enumerate(cands)}
    genders = [cast.gender(p) if p >= 0 else None for p in cands]
    for t, pid in newcomers.items():
        if units[t].described and pid in index and genders[index[pid]] is None:
            genders[index[pid]] = units[t].newcomer[1]  # `a boy of ten ... he said`, later `"Thank you, Wil."`: he
    unk = n - 1
    # Unary scores per unit.
    unary: list[list[float]] = []
    beat_names = {pid for _, _, pid in cast.find(before)} if before and len(carry) >= 2 else set()
    # Called by name before the beat, then shown only reacting in it (`"Noor, you saw the car." Noor just stared at the
    # table.`): the call was answered with silence, so it no longer makes them the one to open the next exchange.
    reacts = {pid for a, b, pid in cast.find(before) if pid in called and _REACTS.match(before, b)
              and _SENTENCE_OPENS.search(before, 0, a)} if before and called else set()
    arrived = {pid: at for pid, at in cast.newcomer_at.items() if pid in index} if cast.newcomer_at else None
    # A line giving orders to several by name (`Moose, you've got the kid. Lieu, the attack line.`): the short
    # answers that follow (`Copy.`, `Copy, Cap.`) come from those it named, one after another.
    roll: dict[int, set[int]] = {}
    for t, u in enumerate(units):
        orders = _ordered(cast, u) if len(u.vocatives) >= 2 else set()
        if len(orders) >= 2:
            for k in range(t + 1, len(units)):
                v = units[k]
                if v.anchored or not _ACK.match(v.quotes[0].text):
                    break
                roll[k] = orders
    # In a crew, a line opening on a bare name and a full stop (`Mister Fenn. Bring us about.`) summons someone: no
    # reply to them (but `Kit! You were meant to ...` cries out at whoever just spoke).
    summons = {t: _summoned(cast, u, ".") for t, u in enumerate(units) if u.vocatives} if talk is _CREW else {}
    grown = {pid for pid in cands if pid >= 0 and _grown_up(cast, pid)} if any(u.young for u in units) else set()
    # A third one arriving on two who were talking, first heard calling one of them by name (`"Wes! Are you drowned?"
    # Mari said.`): a line later calling her back by name (`Mari, the pastries are getting wet.`) is from the one she
    # called, not from the other one there (an untagged line: a "he said" has its own say).
    calls_back: dict[int, set[int]] = {}
    calls: dict[int, set[int]] = {}
    spoke = set(carry)
    for t, u in enumerate(units):
        if u.anchored and u.anchor >= 0 and u.anchor not in spoke and len(spoke - {_UNKNOWN}) >= 2 and u.vocatives and _comes_in(
                paragraphs, u.quotes[0]):
            calls[u.anchor] = {v for v in u.vocatives if v >= 0 and v != u.anchor}
        if u.anchored:
            spoke.add(u.anchor)
        elif calls and u.vocatives and not u.gender:
            back_to = set().union(*(calls.get(v, set()) for v in u.vocatives)) - u.vocatives
            if back_to:
                calls_back[t] = back_to
    remote_fs = set(remote_set)
    for t, u in enumerate(units):
        row = [0.0] * n
        if u.anchored:
            row = [-1e9] * n
            row[index[u.anchor]] = 0.0
            unary.append(row)
            continue
        style = _style(idiolects, u, cands) if idiolects is not None and styled else {}
        # (what stays the same for every candidate of this turn, looked up once)
        prev = units[t - 1] if t else None
        next_vocatives = units[t + 1].vocatives if t + 1 < len(units) else frozenset()
        in_roll = t in roll
        in_window = t in window
        for i, pid in enumerate(cands):
            s = 0.0
            if i == unk:
                s += _UNKNOWN_COST
            else:
                if pid == narrator and u.not_me:
                    s += _NOT_ME
                if pair is not None and pid != narrator and pid != pair:
                    s += _PAIR_OUT
                if pid in u.intro:
                    s += _INTRODUCES_SELF + (_CHECKS_IN if u.checks_in else 0.0)
                elif pid in u.vocatives:
                    s += _VOCATIVE_SELF
                elif pid in u.mentions:
                    s += _MENTION_SELF
                if in_roll and pid in roll[t] and not (t and pid in prev.vocatives):
                    s += _ROLL_ANSWER
                if t and pid in prev.vocatives and pid not in prev.given or not t and pid in called and pid not in reacts:
                    s += addressed
                    if t and pid in prev.asks:
                        s += asked
                elif t and pid in prev.spoken_to:
                    s += _SPOKEN_TO
                if pid in u.spoken_to and pid not in u.vocatives:
                    s += _SPOKEN_TO_SELF
                if pid in u.heard_by:
                    s += _HEARD_BY_SELF
                if calls_back and pid in calls_back.get(t, ()):
                    s += _CALLS_BACK
                if pid in over_style and not u.radio:
                    s += _UNMARKED_REMOTE
                if u.crackle and pid in next_vocatives:
                    s += _CRACKLE_ANSWERED
                if t == 1 and units[0].crackle and carry and pid == carry[-1]:
                    s += _CRACKLE_ANSWERED  # `Engineering, bridge.` ... the speaker crackled ... the caller answers
                if pid in next_vocatives and not in_roll:
                    s += _ANSWERED if talk is _CREW and pid in summons.get(t + 1, ()) else answered
                if u.voice and t not in arrivals and any(0 <= k < len(units) and units[k].anchored and units[k].anchor == pid for k in (t - 1, t + 1)):
                    s += _VOICE_TAGGED_NEAR
                if u.young and pid in grown:
                    s += _GROWN_UP
                if u.gender:
                    s += _fits(u.gender, genders[i], pid < 0, _GENDER_OK, _GENDER_CLASH)
                elif u.beat:
                    s += _fits(u.beat, genders[i], pid < 0, _BEAT_OK, _BEAT_CLASH)
                if pid == u.soft:
                    # A pronoun resolved to someone whose gender the book never showed is a weaker hint.
                    soft = _SOFT_PICK if not u.gender or genders[i] == u.gender else _SOFT_UNSURE
                    if u.soft_beat:
                        soft += _BEAT_SUBJECT
                    s += soft * (_SOFT_FRESH if u.soft_fresh else 1.0)
                if pid == lead:
                    s += _LEAD_PRIOR
                if u.gender and leads and pid == leads.get(u.gender):
                    s += _FOCAL_PRIOR
                if pid == u.greedy:
                    s += _GREEDY
                if newcomers.get(t) == pid:
                    s += _DESCRIBED_PICK if u.described else _NEWCOMER
                    if u.described and pid in cast.called_first:
                        s += _CALLED_NEWCOMER  # (no one else is `a boy of ten`: the narration brought him on)
                if pid in u.names:
                    s += _IN_PARAGRAPH
                if pid == u.subject:
                    s += beat_named
                s += style.get(pid, 0.0)
                if pid == u.lead:
                    s += lead_beat
                if in_window and pid in remote_set:
                    if len(remote_set) > 1 and not u.names and u.subject is None and not u.vocatives:
                        s += _ON_THE_LINE  # (two heard as far ends: no telling which the room answers)
                    if u.remote or u.hang_up:
                        s += _REMOTE_PICK
                    elif u.vocatives and not u.vocatives & remote_fs:
                        s += _CALLS_HOLDER
                if in_window and pid in holders and u.vocatives & remote_fs and not (u.remote or u.hang_up):
                    s += _HOLDER
                if (kin_said or kin_mine) and in_window and not u.remote and not u.hang_up:
                    if t in kin_said and pid in holders or t in kin_mine and pid in remote_set:
                        s += _KIN_CHILD
                    elif t in kin_to and pid in remote_set:
                        s += _VOCATIVE_SELF  # nobody calls themself `Mum`
                    if t - 1 in kin_to and pid in remote_set:
                        s += _ADDRESSED  # `Very carefully, Mrs Nair.` -- `Good boy.`
                    elif pid not in holders and pid not in remote_set and not (
                            t and pid in prev.vocatives) and pid not in u.names:
                        s += _KIN_QUIET
                elif quiet_room and in_window and pid not in holders and pid not in remote_set and not (
                        u.remote or u.hang_up or t and pid in prev.vocatives or pid in u.names):
                    s += _KIN_QUIET  # (on any call whose two ends are known, whoever else is in the room keeps quiet)
                if t == hello and (pid in holders) != (pid in remote_set):
                    s += _HELLO if pid in holders else -_HELLO  # (`Then I answer it.` -- `"Hello?"`: who picked up)
                if t == 0 and carry and pid == carry[-1]:
                    s += _REPLY_SAME if u.reply else _GAP_SAME
                elif t == 0 and len(carry) >= 2 and pid == carry[-2] and (pid in fresh or pid not in beat_names):
                    s += _GAP_ALTERNATE
                if pid == u.reacted:
                    s += _REACTED
                elif pid == u.acted:
                    s += _GROUP_BEAT if u.group else _ACTED
                if pid == u.listener:
                    s += _SILENT_TURN
                elif t == 0 and pid == u.answerer:
                    s += _OPENING_FRESH
                elif t == 0 and fresh and pid == next((p for p in reversed(fresh) if p in known), None):
                    s += _OPENING_FRESH
                if unheard and pid in unheard[t] and pid not in u.vocatives:
                    s += _NOT_YET
                if pid in away or (t > call_end or t < call_start) and pid in remote_set:
                    s += _GONE  # someone heard on the phone is not in the room once the call is over (or before it opens)
                if t in arrivals:
                    if t == 0 and pid in arrivals[0]:
                        s += _VOICE_ON_STAGE  # (past the first turn the transitions say it: a voice is not of the pair)
                    elif newcomers.get(t) == pid:
                        s += _ARRIVAL_PICK
                if voice_answered and voice_answered.get(t) == pid:
                    s += _ANSWERED_VOICE
                if pid in gone[t]:
                    s += _GONE
                elif pid in came[t]:
                    s += _CAME
            row[i] = s
        if thirds:
            for i, pid in enumerate(cands):
                if thirds.get(pid, t) > t:
                    row[i] = -1e9
        if arrived:
            for i, pid in enumerate(cands):
                if arrived.get(pid, -1) > u.quotes[0].para:
                    row[i] = -1e9  # a newcomer speaks nothing before the narration brings them on
        unary.append(row)
    # A call from a relative goes back and forth: two turns running by the same one are rarer still.
    strict = {t for t in window if t - 1 in window} if kin_said or kin_mine else set()
    shouted = {k + 1 for k in voice_answered if k + 1 < len(units) and units[k + 1].quotes[-1].text.rstrip(" '\"\u201d\u2019").endswith("!")}
    # On a call the far end answers the near end in turn: a bare line (nobody named in its paragraph, nobody called)
    # after a line from the room leans to the one on the other end, and a line after the far end's to whoever holds
    # the phone.
    far_i = {index[p] for p in remote_set if p in index} if window and len(remote_set) == 1 else set()
    hold_i = {index[p] for p in holders if p in index and p not in remote_set} if window else set()
    bare = {t for t in window if not units[t].anchored and not units[t].names and units[t].subject is None and not units[t].vocatives} if far_i else set()
    plain = {t for t in bare if all(q.tag is None for q in units[t].quotes)} if hold_i else set()
    # Someone tagged cutting in with their first line of the scene (`"Is that a walk-in?" Sol called from the back.`),
    # answered by a tagged line (`"It's bees," I called back.`): the tagged answer says nothing of who spoke the line
    # before the cut-in, so the turns do not alternate across it.
    cut_in: set[int] = set()
    seen = set(carry)
    for t, u in enumerate(units):
        if u.anchored and u.anchor >= 0 and u.anchor not in seen and t >= 2 and t + 1 < len(units) and units[t + 1].anchored:
            cut_in.add(t + 1)
        if u.anchored:
            seen.add(u.anchor)
        seen |= u.vocatives
        seen.update(u.names)
    # Viterbi over states (previous, current); previous = n means "nobody yet".
    NEG = -1e18
    m = n + 1
    score = [NEG] * (m * n)
    for c in range(n):
        score[n * n + c] = unary[0][c]  # state (none, c)
        if c in far_i and 0 in bare and not (carry and carry[-1] in remote_set):
            score[n * n + c] += _ON_THE_LINE
    back: list[list[int]] = []
    for t in range(1, len(units)):
        row = unary[t]
        third = {index[p] for p in _summoned(cast, units[t - 1]) if p in index} if units[t - 1].vocatives else ()
        new = [NEG] * (m * n)
        arg = [0] * (m * n)
        # (What depends on the turn alone, looked up once per turn, not per transition.)
        voice, reply, group = units[t].voice, units[t].reply, units[t].group
        same = _SAME_AS_LAST + (_KIN_SAME if t in strict else 0.0)
        live = [c for c in range(n) if not row[c] <= -1e8]
        alt_ok = t not in roll and not (t >= 2 and units[t - 2].voice and t - 2 in named_voice) and t not in cut_in
        # (On a call, a line calling someone by name hands the turn to them, not back to the one before.)
        called_i = {index[v] for v in units[t - 1].vocatives if v in index} if (
            far_i and t - 1 in window and units[t - 1].vocatives) else None
        ans_b = index.get(voice_answered.get(t - 1)) if voice_answered else None
        again = _ANSWERER_AGAIN if t not in shouted else 0.0
        on_call = t in window and far_i
        alt_bonus = _ALTERNATE_TAGGED if (u_t := units[t]).anchored and talk is _GROUP and t >= 2 and not units[t - 2].gender and any(
            q.why == "tag_name" for q in u_t.quotes) and u_t.quotes[0].para - units[t - 2].quotes[-1].para <= 2 else _ALTERNATE
        _transitions(score, new, arg, row, live, n, third, voice, reply, group, same, unk, ans_b, again, alt_ok, called_i,
                     alt_bonus, (far_i, hold_i, t in bare, t in plain) if on_call else None)
        score = new
        back.append(arg)
    best = max(range(m * n), key=lambda k: score[k])
    path = [0] * len(units)
    b, c = divmod(best, n)
    path[-1] = c
    for t in range(len(units) - 1, 0, -1):
        a = back[t - 1][b * n + c]
        path[t - 1] = b
        b, c = a, b
    for u, ci in zip(units, path):
        if u.anchored:
            continue
        pid = cands[ci]
        for q in u.quotes:
            if q.why in _HARD:
                continue
            if pid == _UNKNOWN:
                q.speaker, q.cue, q.confidence, q.why = None, None, 0.0, "decode_unknown"
            else:
                cue = "anaphoric" if u.gender else "implicit"
                q.speaker, q.cue, q.why = pid, cue, "decode"
                q.confidence = 0.6
    if line and not line[2]:
        # A call opened here goes on into the next exchange only if the other end was heard (not a one-sided call).
        line[2] = any(cands[path[t]] in line[0] for t in window if not units[t].anchored) or any(
            units[t].anchor in line[0] for t in window if units[t].anchored)
        if not line[2]:
            line.clear()
    return off


def _called_back(paragraphs: Sequence[list[Piece]], units: list[_Unit]) -> None:
    """A line given to someone only by the beat before it (`Benno pulled the blanket up over Halvard's shoulder.` --
    `"Thanks."`) whose turn comes round again in the bare run after it, two or four lines on, with that line calling
    them by name (`"Go back to sleep."` -- `"Can't. You're breathing too loud, Benno."`): the beat showed the one
    acting for the other, not the one about to speak. The line is decoded with the rest of the run, the beat's pick
    no hint (fanfic dev: 10 of 11 such picks are wrong). So too when the bare answer right after it calls one other
    person by name (that one spoke the line), or when the line after that answer is tagged by name for someone else."""
    for t, u in enumerate(units):
        if not u.anchored or t + 2 >= len(units):
            continue
        q0 = u.quotes[0]
        beat = q0.tag  # (a beat's pick: read from the paragraph before, weaker than a tag)
        if (q0.why != "tag_name" or beat is None or beat.pos != -1 or beat.kind != "name" or beat.strength > 0.6
                or any(q.why in _HARD and q.tag is not beat for q in u.quotes[1:])):
            continue
        para = u.quotes[-1].para
        for k in range(t + 1, min(t + 5, len(units))):
            v = units[k]
            first = v.quotes[0]
            if v.anchored and k == t + 2 and first.para == para + 1 and v.anchor != u.anchor and v.anchor >= 0 and (
                    first.why == "tag_name" and first.tag is not None and first.tag.strength >= 0.9):
                # (or the line after the answer is tagged by name for someone else: `"I can't," Halvard said.`)
                _unanchor(u)
                break
            if v.anchored or first.para != para + 1 or any(p.kind == "narration" for p in paragraphs[first.para]):
                break
            para = v.quotes[-1].para
            if (k - t) % 2 == 0 and u.anchor in v.vocatives or (
                    k == t + 1 and len(v.vocatives) == 1 and u.anchor not in v.vocatives and min(v.vocatives) >= 0):
                # (or the answer right after it calls someone else by name: `"Go back to sleep, Halvard."`)
                _unanchor(u)
                break


def _unanchor(u: _Unit) -> None:
    u.anchored = False
    u.soft, u.soft_beat = None, False
    for q in u.quotes:
        if q.why == "tag_name":
            q.why = "beat_called"


def _presence(
    cast: Cast, paragraphs: Sequence[list[Piece]], units: list[_Unit], off: dict[int, tuple[int, bool]], now: set[int],
    people: dict[int, bool], carry: list[int], narrator: int | None = None,
) -> tuple[list[set[int]], list[set[int]], dict[int, tuple[int, bool]]]:
    """Per turn, who has gone off stage (and not been tagged or come back since) and who has just come on, from the
    narration between the previous turn's last quotation and the turn's first; and who is off stage at the end
    (person id -> the paragraph they left in, and whether asleep).

    `off` and `now` are who was off stage and who just came on before the exchange. Someone tagged anywhere in the
    exchange was not off stage in it (the story went along with them: `Juno left the room.` ... `said Juno`), nor
    anyone who walked out when none of those who stayed is.
    Someone leaving in the turn's own paragraph before its quotation (`Mara grabbed her coat and walked out. "Don't
    wait up."`) is often the one speaking: gone only from the next turn."""
    tagged = {u.anchor for u in units if u.anchored}
    present = set(carry)
    # ...and the story stayed where they left only if someone who stayed there is heard by name in the exchange.
    stayed = bool(tagged & (present - set(off)))
    off = {p: at for p, at in off.items() if p not in tagged and (stayed or at[1])}
    gone: list[set[int]] = []
    came: list[set[int]] = []
    leaving: dict[int, tuple[int, bool]] = {}
    for t, u in enumerate(units):
        first = u.quotes[0]
        lo = (units[t - 1].quotes[-1].para, units[t - 1].quotes[-1].piece) if t else (first.para, -1)
        hi = (first.para, first.piece)
        if t:
            now = set()
        off.update(leaving)
        leaving = {}
        # A `he`/`she` opening the first narration after a line tagged by name is its speaker.
        hint = units[t - 1].anchor if t and units[t - 1].anchored and units[t - 1].anchor != narrator else None
        for p in range(lo[0], hi[0] + 1):
            for k, piece in enumerate(paragraphs[p]):
                if piece.kind == "narration" and lo < (p, k) < hi:
                    if p == first.para:
                        leaving, seen = _moves(cast, piece.text, p, leaving, people, present, hint)
                    else:
                        off, seen = _moves(cast, piece.text, p, off, people, present, hint)
                    hint = None
                    now = (now - set(off) - set(leaving)) | seen
                    for pid in seen:
                        off.pop(pid, None)
                        leaving.pop(pid, None)
        gone.append(set(off))
        came.append(now)
        if u.anchored:
            off.pop(u.anchor, None)
            leaving.pop(u.anchor, None)
            present.add(u.anchor)
    off.update(leaving)
    if units:
        last = units[-1].quotes[-1]
        for piece in paragraphs[last.para][last.piece + 1 :]:
            if piece.kind == "narration":
                off, _ = _moves(cast, piece.text, last.para, off, people, present)
    return gone, came, off


def _moves(
    cast: Cast, text: str, para: int, off: dict[int, tuple[int, bool]], people: dict[int, bool], present: set[int],
    last: int | None = None,
) -> tuple[dict[int, tuple[int, bool]], set[int]]:
    """Who is off stage after a stretch of narration of paragraph `para`, and who came on in it. Someone leaves only
    a stage where at least two others (of `present`) stay on: when one of two walks away, the story tends to go
    with them (not so into sleep)."""
    off = dict(off)
    came: set[int] = set()
    for _, pid, kind in movements(cast, text, last, present):
        if pid == WAKE:
            off = {p: at for p, at in off.items() if not at[1]}
            continue
        if kind == STIR:
            # `Juno sits up.`: she is awake; `She mumbles something.`: any sleeper of hers.
            g = "male" if pid == WAKE_MALE else "female" if pid == WAKE_FEMALE else None
            off = {p: at for p, at in off.items()
                   if not at[1] or (p != pid if g is None else cast.gender(p) not in (g, None))}
            continue
        if pid not in people or kind == ENTER and not people[pid]:
            continue
        if kind == ENTER:
            came.add(pid)
            off.pop(pid, None)
        elif kind == ASLEEP or len(present - {pid}) >= _STAYING:
            off[pid] = (para, kind == ASLEEP)
            came.discard(pid)
    return off, came


def _style(idiolects: Idiolects, u: _Unit, cands: list[int]) -> dict[int, float]:
    """How much more like each candidate the turn's wording is than like the average candidate with a model."""
    known = [pid for pid in cands if pid in idiolects.lines]
    if len(known) < 2:
        return {}
    feats = features(" ".join(q.text for q in u.quotes))
    scores = {pid: idiolects.score(pid, feats) or 0.0 for pid in known}
    mean = sum(scores.values()) / len(scores)
    return {pid: _STYLE * max(-_STYLE_CAP, min(_STYLE_CAP, v - mean)) for pid, v in scores.items()}


_CLOSING = re.compile(r"(?:^|(?<=[.!?\u2014;]))\s+(?=\W*[A-Z])")


def _asks(cast: Cast, text: str, vocatives: set[int]) -> set[int]:
    """Those a quotation's closing sentence asks a question by name (`Sorry. What have we got, Hoshino?`); not a
    name alone (`Hoshino?`)."""
    if not vocatives or not text.rstrip(" '\"\u201d\u2019").endswith("?"):
        return set()
    last = _CLOSING.split(text.strip())[-1]
    named = [(s, e, pid) for s, e, pid in cast.find(last) if pid in vocatives]
    if not named or not re.search(r"\b[a-z]{2,}", last[:named[0][0]] + last[named[-1][1]:]):
        return set()
    return {pid for _, _, pid in named}


def _lead(cast: Cast, pieces: Sequence[Piece], k: int) -> int | None:
    """Whoever a sentence of the narration before quotation `k` of a paragraph opens on, the last such one."""
    text = " ".join(p.text for p in pieces[:k] if p.kind == "narration")
    if not text:
        return None
    who = None
    for s, e, pid in cast.find(text):
        if (s == 0 or _SENTENCE_START.search(text, max(0, s - 40), s)) and not text.startswith(("'s", "\u2019s"), e):
            who = pid
    return who


def _subject(cast: Cast, pieces: Sequence[Piece], k: int) -> int | None:
    """Whom the sentence of the paragraph's narration nearest to quotation `k` (before it on a tie, at most
    `_BEAT_REACH` sentences away) names alone as its subject: `Mina looked up. The lid was in her hand. "..."`."""
    from castbook.attribution.attribute import _clause_subjects  # attribute imports this module

    best = None
    for j, p in enumerate(pieces):
        if p.kind != "narration":
            continue
        sents = [x for x in _SENTENCES.split(p.text) if x.strip()]
        gap = _gap(pieces, j, k)
        for m, sent in enumerate(sents):
            key = (gap + (len(sents) - 1 - m if j < k else m), j > k)
            if key[0] > _BEAT_REACH or best is not None and key >= best[0]:
                continue
            subs = set(_clause_subjects(cast, sent, {pid for _, _, pid in cast.find(sent)}))
            if len(subs) == 1:
                best = (key, subs.pop())
    return best[1] if best else None


def _gap(pieces: Sequence[Piece], j: int, k: int) -> int:
    """Sentences and quotations between the narration piece `j` and quotation `k` (their own excluded)."""
    lo, hi = sorted((j, k))
    n = 0
    for p in pieces[lo + 1 : hi]:
        n += 1 if p.kind != "narration" else len([x for x in _SENTENCES.split(p.text) if x.strip()])
    return n


def _beat_subjects(cast: Cast, pieces: Sequence[Piece], q) -> list[int]:
    """Those named as the subject of a main clause in the paragraph's narration before quotation `q`'s pronoun tag
    (`Rafe sat down across from her.` ... `he said`), of the tag's gender."""
    from castbook.attribution.attribute import _clause_subjects  # attribute imports this module

    tag = q.tag
    if q.tag_at is None or tag is None or tag.kind != "pronoun" or tag.gender not in ("male", "female"):
        return []
    text = " ".join(p.text[: tag.pos] if k == q.tag_at[0] and tag.pos >= 0 else p.text
                    for k, p in enumerate(pieces) if p.kind == "narration" and k <= q.tag_at[0])
    among = {pid for _, _, pid in cast.find(text) if cast.gender(pid) == tag.gender}
    return [pid for sent in _SENTENCES.split(text) for pid in _clause_subjects(cast, sent, among)] if among else []


_YOUNG = frozenset("girl boy child lad lass kid".split())
_GROWN_TITLES = frozenset("""mr mrs ms sir lady lord dr doctor professor prof colonel captain major general admiral madame
    monsieur mme coach chef mom mum dad mother father grandma grandpa granny nana aunt auntie uncle inspector sergeant
    detective officer judge reverend manager boss""".split())
_GROWN_UP = -2.5
"""`"Is he yours?" -- "Sort of," said the boy.`: the boy is not Mrs. Hale, Dad or the Coach."""


def _grown_up(cast: Cast, pid: int) -> bool:
    """Someone the book names by a grown-up's title or role (`Mrs. Hale`, `Coach`, `Dad`)."""
    first = cast.name(pid).split()[0].rstrip(".").lower() if cast.name(pid) else ""
    return first in _GROWN_TITLES


def _she_leads(pieces: Sequence[Piece], q) -> bool:
    """The paragraph's narration opens on the tag's `she`/`he` (`She held out a hand, and I shook it.`): the beat
    is someone else's, though "I" comes up later in it."""
    if q.tag_at is None or q.tag.pos != 0:
        return False
    first = next((k for k, p in enumerate(pieces) if p.kind == "narration"), None)
    return first == q.tag_at[0]


def _holders(cast: Cast, text: str, me: int | None = None) -> set[int]:
    """Who takes the call: those named in the sentence before the words that open it (`Ines put it on speaker`); in a
    story told by "I" (or "you"), the narrator, when that sentence opens on them (`You put it on speaker`)."""
    m = _CALL.search(text)
    if m is None:
        return set()
    start = max(text.rfind(c, 0, m.start()) for c in ".!?") + 1
    if me is not None and _I_DID.search(text, max(start, m.start() - 30), m.start()):
        return {me}  # `it was Benji, and I picked it up`: "I" takes the call, Benji is calling
    found = {pid for _, _, pid in cast.find(text[start : m.start()])}
    if not found and start and _IT_RANG.match(text, start):
        # `Noor called the landlord. It rang nine times.`: the one who called, the first named in the sentence before
        ends = [e.end() for e in _SENTENCES.finditer(text, 0, start - 1)]
        if me is not None and _ME_FIRST.match(text, ends[-1] if ends else 0):
            return {me}  # `I called Desmond at nine. It rang five times.`: "I" placed the call
        named = cast.find(text[ends[-1] if ends else 0 : start])
        found = {named[0][2]} if named else set()
    if not found and me is not None and _ME_FIRST.match(text, start):
        found = {me}
    return found


_TAKEN = re.compile(r"\b(?:answer|pick|speaker|dial|click|video|facetim|radio|comm|channel|link|intercom|walkie|accept|swip)", re.I)
"""Words of narration opening a call that say it was taken, not only that the phone rang."""
_ANSWERED_BARE = re.compile(r"\b(?:answered|answers|answer)(?=\s*\.)")
"""A bare `answered.` in narration (`Noor answered.`): taking a call when a phone just rang."""
_HELLO_LINE = re.compile(r"\W*(?:[Hh]ello|[Hh]ullo|[Hh]i|[Hh]ey|[Yy]eah|[Yy]es|[Yy]o)\W*\?\W*$")
"""A line that is only a greeting asked (`Hello?`, `Yeah?`): how one answers the phone."""
_PLACED = re.compile(r"\bdial|\bclick|\brang\s+(?:\w+\s+)?(?:times|once|twice)\b|\b(?:I|you|[Ss]he|[Hh]e)\s+(?:called|rang|phoned|rings|calls)\s+[A-Z]")
"""Narration saying the call was placed, not taken: the first `Hello?` is then the far end's."""
_HELLO = 2.0
"""A taken call's first `Hello?` by one who picked up (and not by the far end)."""
_RING_TURNS = 4
"""How many turns after a phone rang a line may say it was answered (`I pick it up anyway.`)."""
_I_DID = re.compile(r"\bI\s+(?:\w+\s+)?$")
"""`I` just before the words opening a call (`and I picked it up`, `Then I finally answer it`): "I" took it."""
_CALLER_ID = re.compile(
    r"\b(?:[Ss]creen|[Dd]isplay|[Cc]aller\s+ID)\s+(?:said|says|read|reads|showed|shows|flashed|flashes)\s*:?\s+([A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?)"
    r"|\b([A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?),?\s+(?:said|says|read|reads|flashed|flashes)\s+(?:on\s+)?the\s+(?:screen|display|caller\s+ID)\b"
    r"|\b([A-Z][\w'\u2019-]*)\s+(?:\S+\s+)?(?:is\s+calling\b|(?:lit|lights)\s+up\s+(?:across|on)\s+the\s+screen|flash(?:ed|es)\s+(?:across|on)\s+the\s+screen)"
    r"|\b[Ii]t\s+was\s+([A-Z][\w'\u2019-]*)(?=\s*[,.;]|\s+(?:calling|again)\b)"
    r"|\bI\s+(?:called|rang|phoned|dialled|dialed)\s+([A-Z][\w'\u2019-]*)")
"""A caller's name on the phone's screen (`The screen said ALBESCU LANDLORD.`, `YAS, said the screen`, `LUPITA is
calling.`, `MAMA lit up across the screen`), or said by the narration (`it was Benji, and I picked it up`, `I called
Desmond at nine.`)."""


def _caller_id(cast: Cast, before: str) -> list[int]:
    """Who the phone's screen says is calling (see `_CALLER_ID`), by a name or a family name the book uses."""
    if "creen" not in before and "ID" not in before and "isplay" not in before and "calling" not in before and (
            "t was" not in before and "I called" not in before and "I rang" not in before and "I phoned" not in before
            and "I dial" not in before):
        return []
    out = []
    for shown in _CALLER_ID.findall(before):
        words = " ".join(shown).split()
        for w in words:
            found = [pid for _, _, pid in cast.find(w)] or [pid for _, _, pid in cast.find(w.title())]
            pid = found[0] if found else cast.by_surname(w.title())
            if pid is not None:
                out.append(pid)
        if not out and words and words[0].isupper() and len(words[0]) >= 2 and words[0].lower() not in _KIN_FORMS and (
                words[0].lower() not in _FAMILY_CALLS) and (
                shown[0] or shown[1] or shown[2]):
            # `YAS, said the screen`: a contact the book names nowhere else is who is calling (a kin word, `MAMA`, is
            # a relative's call: see `_kin_call`).
            form = words[0].title()
            pid = cast.kin_callers.get(form)
            if pid is None:
                pid = cast.kin_callers[form] = len(cast.people)
                cast.people.append(Person(forms=Counter({form: 1})))
            out.append(pid)
    return out


_IT_RANG = re.compile(r"\s*(?:It|The\s+(?:phone|line))\s")
"""A sentence about the ringing itself, not who holds the phone (`It rang nine times.`)."""
_ME_FIRST = re.compile(r"\s*(?:(?:So|And|Then|Finally)\s+)?(?:I|[Yy]ou|[Mm]y|[Yy]our)\s")
"""A sentence opening on the narrator (`I picked up.`, `So you answer it.`, `My phone buzzed.`)."""


_ITS_ME = re.compile(r"(?:^|[.!?,]\s*|\b(?:Hi|Hey|Hello|Yeah|Yes)\s*[.,!]?\s*)(?:[Ii]t['\u2019]s|[Tt]his\s+is)\s+$")
"""`It's ` / `this is ` opening a sentence before a name: on the phone, the speaker giving their own name."""


def _self_named(cast: Cast, text: str) -> set[int]:
    """Names a caller gives as their own on the line (`Babcia? Hi. It's Cal.`, `This is Declan`)."""
    if "s " not in text:
        return set()
    return {pid for s, _, pid in cast.find(text) if _ITS_ME.search(text, max(0, s - 30), s)}


def _call(cast: Cast, units: list[_Unit], before: str, line: list | None = None,
          me: int | None = None, heard: Sequence[int] = (), room: bool = False, ahead=None) -> tuple[list[int], set[int], set[int]]:
    """A telephone call in the exchange: who is on the other end, and the turns (unit indexes) it spans.

    The call opens with narration (`put it on speaker`, `So I picked up.`) and ends when someone hangs up. The one
    on the other end is whoever hangs up or speaks from the phone under a name (`said Doc, and was gone`), else whom
    the lines of the call address by name (`Teta, I'm working`), other than those tagged speaking in the room.
    """
    # (narration holding none of the call words is not searched)
    start = 0 if may_hold(before.lower(), _CALL_STEMS) and _CALL.search(before) and _PHONE.search(before) else None
    holders = _holders(cast, before, me) if start is not None else set()
    if start == 0 and not _TAKEN.search(before):
        # `My phone buzzes. LUPITA is calling.` / `"Who's Lupita?"` / `I pick it up anyway.`: the phone only rang
        # before the exchange; the call opens where it is answered.
        start = next((t for t in range(1, min(len(units), _RING_TURNS)) if units[t].call or units[t].taken), 0)
    if start is None:
        start = next((t for t, u in enumerate(units) if u.call), None)
    if start is None and line and _HANG_UP.search(before):
        # `He hung up.` between two exchanges: the call is over, and the far end is not in the room after it
        if units and units[0].quotes:
            cast.kin_away = {pid: units[0].quotes[0].para - 1 for pid in line[0] if pid >= 0}
        line.clear()
    if start is None and line:
        # A call still open from an exchange before, in the same scene: the same one on the other end.
        end = next((t for t in range(len(units)) if units[t].hang_up), len(units) - 1)
        far, holders = list(line[0]), set(line[1])
        if units[end].hang_up:
            line.clear()
        return far, set(range(end + 1)), holders
    if start is None:
        return [], set(), set()
    holders |= units[start].holders
    end = next((t for t in range(start, len(units)) if units[t].hang_up), len(units) - 1)
    window = set(range(start, end + 1))
    far = [units[t].anchor for t in window if units[t].anchored and units[t].anchor >= 0 and (
        units[t].hang_up or units[t].remote)]
    if not far:
        # Someone tagged by name only while the call is open, never heard in person before it, and whom other lines of
        # the call address by name (`"Hi, Bettina!"` ... `"Go home," Bettina adds`): the far end, though not heard
        # from the phone in so many words.
        before_call = {u.anchor for u in units[:start] if u.anchored} | set(heard)
        far = [units[t].anchor for t in sorted(window) if units[t].anchored and units[t].anchor >= 0
               and units[t].anchor not in holders and units[t].anchor not in before_call
               and any(units[t].anchor in units[r].vocatives for r in window if r != t)]
    if far:
        far, holders = list(dict.fromkeys(far)), holders - set(far)
    else:
        # Those heard speaking in person in the exchange, before the call or in it (`"Ring who?" Rosa asked.`), are
        # in the room: the far end greeting them (`Hi, Rosa!`) does not make them a second far end.
        here = {u.anchor for t, u in enumerate(units) if u.anchored and (t in window or not (u.remote or u.hang_up))}
        here |= holders
        if room:
            here |= {pid for pid in heard if pid >= 0}  # (a call taken in the middle of a scene: who spoke is in the room)
        if units[start].call:
            # `He put it on speaker. "Oona? Hi. It's Idris."`: the one who places the call gives their own name.
            here |= {pid for q in units[start].quotes for pid in _self_named(cast, q.text)}
        # The far end naming themself on the line (`Freighter Marguerite, this is Magistrate Hollis.`).
        # The name on the screen (`The screen said ALBESCU LANDLORD`, `MOM, said the screen`): who is calling.
        called = [pid for pid in _caller_id(cast, before) if pid not in here][:1]
        called += [v for t in sorted(window) for v in sorted(units[t].intro) if v >= 0 and v not in here and not units[t].anchored]
        called += [v for t in sorted(window) for v in sorted(units[t].vocatives) if v >= 0 and v not in here]
        far = list(dict.fromkeys(called))[:2]
        if not far and ahead is not None and me is not None and holders == {me} and not units[end].hang_up:
            # `my phone lights up with a number I don't have saved` ... `"Hey. It's me."`: who it is comes out later
            # in the call (`Go to sleep, Harlow.`), before anyone hangs up.
            far = [v for v in ahead() if v not in here][:1]
    if line is not None:
        line[:] = [] if units[end].hang_up or not far else [far, holders, False]
    return far, window, holders


_KIN_FORMS = {"mum": "female", "mom": "female", "mam": "female", "mama": "female", "mamma": "female", "momma": "female",
              "mummy": "female", "mommy": "female", "ma": "female", "mother": "female", "dad": "male", "daddy": "male",
              "papa": "male", "pa": "male", "father": "male", "gran": "female", "granny": "female", "grandma": "female",
              "nana": "female", "nan": "female", "grandpa": "male", "grandad": "male", "granddad": "male",
              # (and the words of families who speak other languages at home: `Hi, Amma.`, `Appa?`, `Ammi, wait`)
              "amma": "female", "ammi": "female", "ammu": "female", "umma": "female", "eomma": "female", "omma": "female",
              "appa": "male", "abba": "male", "abbu": "male", "baba": "male"}
"""What a family calls a parent or grandparent (`Mum`, `Dad`, `Nana`), and their gender."""
_KIN_RX = "|".join(sorted(_KIN_FORMS, key=len, reverse=True))
_KIN_NARRATED = re.compile(rf"\b(?:his|her|my|their|your|([A-Z][\w\-]*)['\u2019]s)\s+({_KIN_RX})\b|\bit\s+was\s+({_KIN_RX})\b",
                           re.I)
"""Narration naming a caller by kin (`his mum only ever rang`, `Dev's mum`, `It was her mother.`)."""
_KIN_SPOKEN = re.compile(
    rf"(?:^|[,.!?]\s*|\b(?:Hi|Hey|Hello|Hiya|Yes|No|Yeah|Okay|OK|Oh|it['\u2019]s|It['\u2019]s)\s*,?\s+)({_KIN_RX.title()})(?=\s*[,.!?\u2014-]|\s*$)")
"""A line calling the caller by kin, to their face (`Hi, Mum.`, `Mum?`, `Jonah, it's Mum.`)."""
_KIN_TITLED = re.compile(r"(?:^|[,.!?]\s*|\b(?:Hi|Hey|Hello|Yes|No|Okay|Thanks)\s*,?\s+)(?:(?:Mrs|Mr|Ms)\.?\s+[A-Z][\w\-]+|Aunty|Auntie|Aunt|Uncle)(?=\s*[,.!?\u2014-]|\s*$)")
"""Someone in the room greeting a friend's parent (`Very carefully, Mrs Nair,`, `Hi, Aunty!`)."""
_KIN_PEEK = 4
"""The first turns of a call searched for a kin word; and paragraphs of narration before it searched."""
_PHONE_BACK = 6
"""How many paragraphs before `I answered it.` the narration may say the phone rang."""
_PHONE_WENT = re.compile(r"\b(?:phone|rang|ringing|rings|buzz(?:es|ed|ing)?|vibrat\w*)\b", re.I)
"""A phone ringing or buzzing in the narration (not `called him a liar` or `the ring on her finger`)."""
_KIN_QUIET = -1.5
"""During a call from a relative, someone else in the room whom no line calls on stays quiet."""
_KIN_CHILD = 2.0
"""A line calling the caller `Mum` is by the one who took the call (their child)."""
_KIN_SEEN = 10
"""How many paragraphs before a call its narration may name the caller by kin (`Dev's phone rang ... his mum`)."""
_KIN_SAME = -1.5
"""A call from a relative goes back and forth between the two of them."""
_KIN_AWAY = 30
"""For this many paragraphs after a relative's call, they are not among those talking in the room."""


def _kin_call(cast: Cast, paragraphs: Sequence[list[Piece]], units: list[_Unit], window: set[int],
              remote: list[int], holders: set[int]) -> tuple[int, set[int], set[int]] | None:
    """A caller known only by a kin word (`his mum`, `Hi, Mum.`): their cast entry, the one who took the call (the
    relative's child, `Dev's phone rang`), and the turns that call the caller by kin. None if the call names no
    kin, or its other end is already someone named who is heard from the phone."""
    if any(units[t].anchored and units[t].anchor in remote and (units[t].remote or units[t].hang_up) for t in window):
        return None
    first = min(window)
    para = units[first].quotes[0].para
    form, gender, child = None, None, set()
    said: set[int] = set()
    mine: set[int] = set()
    for t in sorted(window)[:_KIN_PEEK * 3]:
        for q in units[t].quotes:
            low = q.text.lower()
            if not any(w in low for w in ("mum", "mom", "ma", "dad", "pa", "gran", "nan", "abb", "bab")):
                continue
            m = _KIN_SPOKEN.search(q.text)
            if m is not None and (t - first < _KIN_PEEK or form and m.group(1) == form):
                form = form or m.group(1)
                if q.text[max(0, m.start(1) - 5):m.start(1)].lower().rstrip().endswith(("'s", "\u2019s")):
                    mine.add(t)  # `Jonah, it's Mum.`: the caller says who is calling, to their child
                    child |= {v for v in units[t].vocatives if v >= 0}
                else:
                    said.add(t)
    for p in range(max(0, para - _KIN_SEEN), para + 1):
        for x in paragraphs[p]:
            if x.kind != "narration" or not any(w in x.text.lower() for w in ("mum", "mom", "ma", "dad", "pa", "gran", "nan", "mother", "father")):
                continue
            for m in _KIN_NARRATED.finditer(x.text):
                word = (m.group(2) or m.group(3)).lower()
                if form is None:
                    form = word.title()
                elif form.lower() != word and _KIN_FORMS.get(form.lower()) != _KIN_FORMS[word]:
                    continue
                if m.group(1):
                    owner = cast.resolve(m.group(1))
                    if owner is not None:
                        child.add(owner)
            for s, e, pid in cast.find(x.text):
                after = x.text[e - 2:e + 10].lower()
                if after.startswith(("'s phone", "\u2019s phone")) or x.text[e:e + 12].lower().startswith(
                        ("'s phone", "\u2019s phone")):
                    child.add(pid)  # `Dev's phone rang`: it is Dev's mum calling
    to: set[int] = set(said)
    for t in sorted(window):
        if any(_KIN_TITLED.search(q.text) for q in units[t].quotes if any(w in q.text for w in ("Mr", "Ms", "Aunt", "Uncle"))):
            to.add(t)  # `Very carefully, Mrs Nair.` / `Hi, Aunty!`: said to the caller by the others in the room
    if not (said or mine) or form is None or form.lower() not in _KIN_FORMS:
        return None
    gender = _KIN_FORMS[form.lower()]
    # Someone named to their face with a title of the right sex in the call (`Very carefully, Mrs Nair`), heard
    # nowhere in the room: the caller under their name.
    child |= holders
    # The same relative still on the line from the exchange before.
    pid = remote[0] if len(remote) == 1 and remote[0] in cast.kin_away else None
    here = {units[t].anchor for t in window if units[t].anchored}
    for t in sorted(window) if pid is None else ():
        for q in units[t].quotes:
            for v in q.vocatives:
                if v >= 0 and v not in here and v not in child and cast.gender(v) == gender and any(
                        f.split()[0].rstrip(".").lower() in ("mrs", "mr", "ms") for f in cast.people[v].forms):
                    pid = v
    if pid is None:
        # `My son is Jonah Lindqvist` ... `Mrs. Lindqvist`: the child's family name with a title of the right sex.
        family = {f.split()[-1] for c in child if c >= 0 for f in cast.people[c].forms if len(f.split()) >= 2}
        titled = {v for v, person in enumerate(cast.people) if v not in child and cast.gender(v) in (gender, None)
                  for f in person.forms if len(f.split()) == 2 and f.split()[1] in family
                  and f.split()[0].rstrip(".").lower() in (("mrs", "ms") if gender == "female" else ("mr",))}
        if len(titled) == 1:
            pid = titled.pop()
    if pid is None:
        pid = cast.resolve(form)
    if pid is None:
        kin = cast.kin_callers
        pid = kin.get(form)
        if pid is None:
            pid = kin[form] = len(cast.people)
            cast.people.append(Person(forms=Counter({form: 1}), gender_votes=Counter({gender: 5})))
    return pid, (child | holders) - {pid}, said, mine, to


def _fits(want: str, gender: str | None, not_a_character: bool, ok: float, clash: float) -> float:
    """The score of a candidate for a turn whose tag or beat says `she`/`he`: the narrator and unknown voices
    clash, a known gender fits or clashes, an unknown one is neutral."""
    if not_a_character:
        return clash
    if gender is None:
        # (Singular `they` is what the text calls its they-characters; one it never gave a pronoun is seldom one.)
        return clash * _THEY_UNKNOWN if want == "they" else 0.0
    return ok if gender == want else clash
