"""Speech tags and action beats: who the narration next to a quotation names as its speaker."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from castbook.attribution.names import _LOWER_RUN, _NOT_NAMES, MENTION, TITLES, Cast, by_first

_VERB_WORDS = """said says say saying asked asks replied replies answered answers cried cries exclaimed exclaims
whispered whispers murmured murmurs muttered mutters shouted shouts called calls added adds continued continues
observed observes remarked remarks rejoined rejoins returned returns repeated repeats resumed resumes began begins
interrupted interrupts inquired inquires enquired enquires demanded demands declared declares explained explains
insisted insists protested protests suggested suggests urged urges pleaded pleads sighed sighs laughed laughs
sobbed sobs groaned groans growled growls snapped snaps retorted retorts responded responds stammered stammers
faltered falters gasped gasps screamed screams shrieked shrieks yelled yells roared roars bellowed bellows hissed
hisses breathed breathes admitted admits agreed agrees assented assents objected objects persisted persists
pursued pursues concluded concludes ventured ventures announced announces commented comments conceded concedes
confessed confesses corrected corrects echoed echoes grumbled grumbles mumbled mumbles mused muses reflected
told tells ordered orders commanded commands warned warns whimpered whimpers wailed wails drawled drawls sneered
sneers scoffed scoffs snarled snarls teased teases joked jokes chuckled chuckles giggled giggles sang sings
cautioned cautions remonstrated expostulated ejaculated interposed interposes piped pipes went goes put broke cut
chimed thought thinks wondered wonders stated states told urged reasoned argued argues agreed persisted
reminded reminds returned quoth spoke speaks sniffed sniffs grunted grunts barked barks croaked croaks
called shouted panted pants moaned moans exclaimed breathed purred purrs spluttered sputtered blurted
proceeded proceeds explained recommenced rejoined soliloquised soliloquized
screeched screeches squealed squeals whined whines entreated entreats hazarded
affirmed affirms complained complains wheezed wheezes slurred slurs interjected interjects
lamented laments implored implores beseeched besought cooed coos hollered hollers chirped chirps quavered quavers
stuttered stutters lisped lisps offered offers quipped quips deadpanned deadpans countered counters prompted prompts
supplied supplies confirmed confirms assured assures yelped yelps huffed huffs scolded scolds
soothed soothes rasped rasps guessed guesses clarified clarifies""".split()
VERBS = frozenset(_VERB_WORDS)
_VERB_RX = by_first(sorted(VERBS, key=len, reverse=True))
"""Any speech verb, longest first (grouped by first letter: see `by_first`)."""
_ADV = r"(?:\s+(?:\w+ly|then|again|at\s+last|at\s+once|at\s+length|now|still|too|also|presently|suddenly|simply|once\s+more))*"
_PRON = r"(?:he|she|I|they|we|you|He|She|They|We|You)"
_STOP = r"(?:in|on|at|to|with|from|and|but|as|who|whose|that|which|of|for|by|after|before|while|when|then|again|into|upon|to|not|so|too|very|still|now|he|she|him|her|it|them|behind|beside|across|near|outside|inside|below|above|beyond|over|under|\w+ly)\b"
_LY_ADJ = (r"(?:\s+(?:elderly|burly|surly|portly|stately|lovely|lonely|homely|comely|friendly|unfriendly|kindly|sickly|"
           r"ugly|holy|jolly|silly|curly|wily|oily|gentlemanly|manly|womanly|lowly|ghostly|worldly|scholarly|motherly|"
           r"fatherly|grizzly|growly|gangly|ungainly|beastly|cowardly|courtly|lively|orderly|saintly|unruly|shapely|"
           r"smelly|wobbly|prickly|bristly|hefty|pearly|grisly|deadly|early|sprightly|bubbly|chilly|gnarly|scraggly|"
           r"squiggly|straggly|wrinkly|crinkly|frilly|woolly|wooly|knobbly|stubbly|ruly|seemly|unseemly|goodly|"
           r"princely|queenly|kingly|matronly|maidenly|spindly|measly|dastardly|dimly|ghastly|heavenly|leisurely|"
           r"masterly|miserly|neighbourly|neighborly|niggardly|sisterly|brotherly|slovenly|treacly|weakly|wifely|"
           r"girly|manly|bodily|burly|cuddly|dreamy|frizzly|gravelly)\b)?")
"""An adjective in -ly right after the article (`the burly barman`, `an elderly lady`): elsewhere -ly ends a subject."""
_DESC = rf"(?:the|his|her|my|their|our|your|a|an|this|that|The|His|Her|My|Their|A|An|This|That){_LY_ADJ}(?:\s+(?!{_STOP})[\w\-]+){{1,3}}?"
_SUBJ = rf"(?P<subj>{MENTION.pattern}|{_PRON}\b|{_DESC})"
_LEAD = re.compile(r"^[\s,;:\u2014\u2013\-\.!?]*")
_PARTICLE = r"(?:\s+(?:in|out|up|on|forth|back))?"
_DESC_LONG = rf"(?:the|his|her|my|their|our|your|a|an|this|that|The|His|Her|My|Their|A|An|This|That){_LY_ADJ}(?:\s+(?!{_STOP})[\w\-]+){{1,3}}"
"""A descriptor after an inverted verb runs to the last word before a preposition or adverb: `said the old man in`.
Any past tense inverts only in a speech tag (`harrumphed Mr. Grisewood`), so any -ed verb is taken there."""
_VOICE_OF = re.compile(rf"\s+of\s+(?P<subj>{MENTION.pattern})")
"""`said the voice of Mr. Oyelaran`: the voice's owner speaks."""
_ADJ_NAME = rf"(?:the|his|her|The|His|Her){_LY_ADJ}(?:\s+(?!{_STOP})[a-z][\w\-]*){{1,3}}\s+(?:{MENTION.pattern})"
"""A name after adjectives: `said the flustered Grisewood`, `replied the more guarded Lady Ashcombe`."""
_SUBJ_INV = rf"(?P<subj>{MENTION.pattern}|{_PRON}\b|{_ADJ_NAME}|{_DESC_LONG})"
_AFTER_INV = re.compile(rf"(?:{_VERB_RX}|[a-z]{{3,}}ed|came){_PARTICLE}(?:\s+(?:in|on|at|to|with|from)\s+[\w\s]{{1,30}}?)?{_ADV}\s+{_SUBJ_INV}(?=[\s,.;:!?\u2014\-]|$)")
_AFTER_INV_S = re.compile(rf"(?!(?:{_VERB_RX}|this|thus|was|has|is|does|goes|as|yes|plus|less|unless|perhaps)\b)[a-z]{{2,}}[a-rt-z]s\b{_ADV}\s+(?P<subj>{MENTION.pattern})(?<!['\u2019]s)(?=\s*[,.;:!?\u2014]|\s*--|\s+(?:and|as|with|from|to|at)\b|\s*$)")
"""An inverted tag with any present-tense verb, before a name only: `“Rude,” huffs Rob.`, `“Mm,” hums Pia, and`."""
_AFTER_NORM = re.compile(rf"{_SUBJ}(?:['\u2019]s\s+voice|(?<=[a-z])['\u2019]d(?=\s))?{_ADV}\s+(?:had\s+|has\s+|then\s+|now\s+)?(?P<verb>{_VERB_RX})\b")
_SAID_NOTHING = re.compile(r"\s+(?:nothing|no\s+more)\b")
"""After a quotation, `Mara said nothing.` names the one who stays silent, not its speaker (before one, `Mara said
nothing for a moment. Then: "Left."` is her breaking the silence: a tag all the same)."""
_END_TAG = re.compile(
    rf"(?:^|\s){_SUBJ}(?:,\s+(?:who|whose)\b[^,]{{1,80}},)?{_ADV}\s+(?:{_VERB_RX}){_PARTICLE}(?:\s+(?:most|very|rather|quite|so))?{_ADV}"
    rf"(?:\s+(?:to|at)\s+(?:him|her|them|me|us|[A-Z][\w'\-]+))?\s*[,:]?\s*$"
)
_POSS = re.compile(rf"(?:(?:was|came|comes|followed|is)\s+(?:all\s+|only\s+|then\s+|now\s+)?)?{_SUBJ}(?:['\u2019]s?|\s+s)\s+(?:\w+\s+){{0,2}}?(?:answer|reply|response|rejoinder|remark|voice|exclamation|cry|words|question|declaration|complaint|retort|reasoning|assurance|observation|inquiry|enquiry|comment|greeting|protest|reproach|salutation|advice|conclusion|explanation|apology|whisper|speech|thought|consolation|reflection|request|entreaty|suggestion|rebuke|warning|command|order|shout|scream|ejaculation|interruption|compliment|farewell|verdict|opinion|plea|prayer|demand|remonstrance|objection|admission|confession|query|proposal|boast|threat|promise|sentiment|toast|welcome|instruction|instructions|summons|murmur|mutter|exhortation|injunction|challenge|address)s?\b")
_POSS_END = re.compile(
    _POSS.pattern.replace("(?:(?:was|came|comes|followed|is)\\s+(?:all\\s+|only\\s+|then\\s+|now\\s+)?)?", "(?<![\\w'\u2019])", 1)
    + r"(?:\s+(?:was|were|is|came)(?:\s+\w+ly|\s*,\s*(?:[a-z]+\s+){0,3}[a-z]+(?=\s*(?:,|\u2014|--)))?|\s+(?:of|to\s+(?:him|her|them|me|us)))\s*[,:]?\s*(?:\u2014|--)?\s*$")
"""`...; and Elizabeth's reply was,` / `Mary's reproach of`: the possessive closing the narration names who speaks next."""
_SAID_BY = re.compile(rf"(?:was|were|came)\s+(?:\w+ly\s+|then\s+|now\s+|all\s+)?(?:said|spoken|uttered|[a-z]{{3,}}ed)(?:\s+\w+ly)?"
                      rf"(?:\s+(?:aloud|out|back))?\s+by\s+(?P<subj>{MENTION.pattern})(?<!['\u2019]s)")
"""`“Sorry,” was muttered by Rook`: the passive's agent speaks."""
_VOICE_OF_NAME = re.compile(rf"\b(?:[Tt]he|[Aa]n?)\s+(?:[a-z]+\s+)?voice\s+of\s+(?P<subj>{MENTION.pattern})(?<!['\u2019]s)"
                            r"(?P<rest>[^A-Z.;!?\"\u201c\u201d]{0,80})[.:,!]?\s*(?:\u2014|--)?\s*$")
"""`..., and the voice of Mina rose over the noise:` closing the narration: Mina speaks next."""
_INTERRUPTED = re.compile(
    rf"^{_SUBJ}(?<!['\u2019]s)\s*(?P<open>,|\(|\u2014|--)(?!\s*(?:and|but|then|so|yet|or)\b)(?P<mid>(?:[^;:!?,()]|\([^()]{{0,200}}\)){{1,250}}?)(?:,|\)|\u2014|--)\s*(?:then\s+|at\s+last\s+|at\s+length\s+)?"
    rf"(?:{_VERB_RX}){_PARTICLE}{_ADV}(?:\s+(?:to|at)\s+(?:him|her|them|me|us|[A-Z][\w'\-]+))?\s*[,:]?\s*(?:\u2014|--)?\s*$")
"""`Mara, after a pause in which she looked at each of them, said slowly,`: the subject before an interrupting
clause speaks, not whoever the clause names (`The thin one, known as Pike, said:` names the subject itself)."""
_CALLED = re.compile(rf"\s*(?:called|named|known\s+as|whose\s+name\s+was)\s+(?P<subj>{MENTION.pattern})\s*$")
_OF_POSS = re.compile(
    rf"\b(?:exclamation|cry|words|question|remark|reply|answer|retort|voice|whisper|shout|groan|sigh|laugh|protest|"
    rf"complaint|observation|comment)s?\s+of\s+(?P<subj>{MENTION.pattern})(?:['\u2019]s|\s+s)?\s*[,:]?\s*(?:\u2014|--)?\s*$")
"""`Then came an exclamation of Tobin's:`."""
_BODY_WORDS = (r"(?:eyes|eye|gaze|mouth|lips|lip|jaw|face|head|hand|hands|fingers|shoulders|shoulder|chest|heart|stomach|"
               r"expression|smile|grin|brows|brow|eyebrows|eyebrow|cheeks|ears|throat|breath|grip|phone|tone)")
"""Parts of someone, whose `snaps` or `cracks` is no speech: `Mara's head snaps up.`"""
_OWNED_SAID = re.compile(
    rf"(?P<subj>{MENTION.pattern})(?:['\u2019]s|\s+s)\s+(?:(?:little|young|old|elder|younger|older|eldest|youngest|dear|own)\s+)?"
    rf"(?!voice\b|{_BODY_WORDS}\b)(?P<head>[a-z]{{3,}}(?<!ly))(?:(?P<comma>,)?\s+(?P<name>{MENTION.pattern})(?<!['\u2019]s)(?(comma),))?{_ADV}\s+(?:{_VERB_RX})\b")
"""`Mara's mother said`: the one Mara's mother is speaks, not Mara."""


def _owned(cast: Cast, m: re.Match[str], pos: int) -> Tag | None:
    owner = m.group("subj")
    owner = owner[:-2] if owner.endswith(("'s", "\u2019s")) else owner
    if cast.resolve(owner) is None:
        return None
    if m.group("name"):
        # "Jun's sister, Dana, says": the one named beside the relation.
        tag = _subject(cast, m.group("name"), pos + m.start("name") - m.start("subj"), 1.0, False)
        if tag is not None and tag.kind == "name":
            return tag
    head = m.group("head")
    gender = "male" if head in _MALE_NOUNS | _MALE_KIN else "female" if head in _FEMALE_NOUNS | _FEMALE_KIN else None
    return Tag("descriptor", None, gender, 1.0, pos, f"{owner}'s {head}")


_NAME_COLON = re.compile(rf"(?:[Tt]hen\s+|[Aa]nd\s+|[Ff]rom\s+|[Tt]hen\s+from\s+)?(?P<subj>{MENTION.pattern})"
                         rf"(?P<aside>(?:\s*,\s*(?!and\b|or\b)[^,;:.!?()\u201c\u201d\"]{{1,40}}?){{1,2}}|\s*\([^()]{{1,40}}\))?\s*(?::|\u2014|--)\s*$")
"""`Then Namjoon:`, `From the subaltern:`: the name alone introduces the speech; so with a manner or an addressee
(`Gwen, to Lark:`, `Elif, quietly:`, `Mona (softly):`)."""
_NOT_LEAD = r"(?:[Tt]he|A|An|It|This|That|There|Here|What|Who|How|Why|When|Where|Yes|No|Oh|Well)\b"
"""Capitalised words that open a subject or a sentence but are no one's name (new tag shapes look past them)."""
_NAME_ONLY = re.compile(rf"(?P<subj>{MENTION.pattern})(?:,?\s+(?:again|too|once\s+more|as\s+well))?\s*[.!]?\s*$")
"""`“Call.” Raf.` / `“Raise again.” Tess again.`: the name alone after the quotation."""
_NOT_VERBS_IN_S = r"(?!(?:us|his|its|this|yes|ours|yours|hers|theirs|across|unless|less)\b)"
"""Words in -s after a capitalised word that are no action: `Above us, the ball turned.` names nobody called Above."""
_AUX = (r"(?:(?:does|did|can|could|would|will|was|is|has|had|wo|ca)n['\u2019]t|(?:does|did|can|could|would|will|has|had)\s+not|"
        r"could|would|can|will|must|might|should|cannot)\s+(?:\w+ly\s+|even\s+|just\s+|only\s+|help\s+but\s+)*[a-z]+")
_BEAT = re.compile(rf"{_SUBJ}{_ADV}(?:\s+(?:just|only|even|barely|merely|almost|nearly|never|already|always))?\s+(?P<verb>{_NOT_VERBS_IN_S}[a-z]+(?:ed|s)|"
                   rf"ate|began|bent|bit|blew|bought|broke|brought|built|burst|came|cast|caught|clung|crept|cut|dealt|did|dove|drank|drew|"
                   rf"drove|dug|fed|fell|felt|fled|flew|flung|fought|found|froze|gave|got|grew|had|heard|held|hid|hit|leant|lost|shed|slung|spread|thrust|won|wrung|"
                   rf"hung|kept|knelt|knew|laid|lay|leapt|led|left|lent|let|lit|looked|made|meant|met|paid|put|ran|rang|"
                   rf"reached|rode|rose|sang|sank|sat|saw|sent|set|shook|shot(?=\s+back\b)|shrugged|shut|snuck|sped|spoke|chose|forgot|forgave|"
                   rf"quit|shone|shrank|slunk|stung|taught|understood|withdrew|overheard|slept|slid|sold|sought|spat|spent|"
                   rf"sprang|spun|stepped|stole|stood|strode|struck|stuck|swam|swept|swore|swung|threw|took|tore|tossed|"
                   rf"turned|was|went|wept|woke|wore|wound|wrote)\b")
_BEAT_AUX = re.compile(rf"(?!I\b)(?P<subj>{MENTION.pattern}){_ADV}\s+(?P<verb>{_AUX})\b")
"""A beat with an auxiliary, read only just before the quote (after it, `Miss Arden could only nod.` is a silence): `Yoongi doesn’t answer right away.`, `Mr. Quarles could keep
quiet no longer.`"""
_BEAT_I = re.compile(r"(?P<subj>I)(?:\s+(?:don['\u2019]t|didn['\u2019]t|can['\u2019]t|just|still|only|also|finally))*\s+(?!(?:could|would|should|must|might|may|can|will|shall|think|suppose|confess|fancy|believe|know|remember|wonder|fear|hope|daresay|dare)\b)(?P<verb>[a-z]{2,})\b")
"""A first-person beat in the present tense: `I steal a bite of her pie.` (no -ed or -s to go by)."""
_BEAT_YOU = re.compile(_BEAT_I.pattern.replace("(?P<subj>I)", "(?P<subj>[Yy]ou)", 1))
"""The same in a story told to "you": `You roll your eyes.`"""
_SENTENCES = re.compile(r"\s(?<=[.!?;]\s)(?<!\bMr\.\s)(?<!\bMrs\.\s)(?<!\bDr\.\s)(?<!\bSt\.\s)(?<!\bMme\.\s)(?<!\b[A-Z]\.\s)\s*(?=[A-Z\"'\u201c])")
"""Where a sentence ends (not after `Mr.` or an initial): whitespace after the stop. The first whitespace character
is matched before the look backs (each one character longer for it), so the scan only stops at whitespace; then the
stop is checked first, so most places fail at once."""
_OPENERS = re.compile(r"^(?:(?:then|and|but|so|now|here|there|at\s+last|at\s+length|suddenly|presently|again|still|after\s+a\s+(?:pause|moment|while)|"
                      r"finally|eventually|instead|meanwhile|abruptly|quietly|softly|slowly|gently|naturally|predictably|"
                      r"inevitably|unsurprisingly|mercifully|thankfully|luckily|helpfully|reluctantly|belatedly|"
                      r"of\s+course|at\s+least)\s*,?\s+)+", re.I)
_PRON_WORDS = {"he": "male", "she": "female", "i": "first", "you": "first", "they": None, "we": None}
"""`you say` in a second-person story is its point-of-view character, like `I say` in a first-person one."""
_MALE_NOUNS = frozenset("man men boy gentleman fellow father son brother uncle husband king prince lord sir old-man lad youth stranger".split())
_FEMALE_NOUNS = frozenset("woman women girl lady mother daughter sister aunt wife queen princess maid widow".split())
_MALE_KIN = frozenset("papa pa dad daddy uncle nephew grandfather grandpa boyfriend fiance".split())
_FEMALE_KIN = frozenset("mamma mama ma mom mum mommy mummy niece grandmother grandma girlfriend fiancee".split())
_OWNED = re.compile(r"(?:(?<=['\u2019]s)|\s+s)\s+(?:(?:little|young|old|elder|younger|older|eldest|youngest|dear|own)\s+)?"
                    r"(?!voice\b)([a-z]{3,}(?<!ly))\b(?=\s*[,.;:!?\u2014\-]|\s+(?:and|with|in|as|who|to|from|at|after|before|again|\w+ly)\b|$)")
"""`said Wren's mamma`: a possessive name before a lowercase noun is whose the speaker is, not the speaker."""
_OWNED_NAMED = re.compile(rf"(?:(?<=['\u2019]s)|\s+s)\s+(?:(?:little|young|old|elder|younger|older|eldest|youngest|dear|own|best|baby|big)\s+)?"
                          rf"(?!voice\b)[a-z]{{3,}}(?<!ly),?\s+(?P<name>{MENTION.pattern})(?<!['\u2019]s)(?=\s*[,.;:!?\u2014]|\s*--|\s*$|\s+(?:and|with|as|from)\b)")
"""`says Jun's sister Dana.`: the name after the relation is the speaker's own."""


@dataclass(frozen=True, slots=True)
class Tag:
    """A subject found next to a quotation."""

    kind: str
    """"name", "pronoun" or "descriptor"."""
    pid: int | None
    """The character, for names (and descriptors the cast knows)."""
    gender: str | None
    """"male", "female", "first" (I) or None."""
    strength: float
    """1.0 for a speech verb, lower for an action beat."""
    pos: int
    """Offset of the subject in the narration piece (for anaphora: what was mentioned before it)."""
    text: str = ""
    """The subject as written, for descriptors (`the general`)."""
    ends: bool = False
    """The narration ends by introducing the speech (`..., and Wren said, very quietly,`)."""
    hearer: int | None = None
    """Who heard the speech (`Mara heard a voice whisper,`): the one the narration names, yet not the speaker."""


def _subject(cast: Cast, subj: str, pos: int, strength: float, allow_new: bool) -> Tag | None:
    low = subj.lower().replace("\u2019", "'")
    if low in _PRON_WORDS:
        return Tag("pronoun", None, _PRON_WORDS[low], strength, pos)
    if _CONTRACTION.search(low) and low.split("'")[0] in _PRON_WORDS:
        return Tag("pronoun", None, _PRON_WORDS[low.split("'")[0]], strength, pos)  # `He'd checked twice.`
    first = low.split()[0]
    if first in ("the", "his", "her", "my", "their", "our", "your", "a", "an", "this", "that"):
        words = subj.split()
        if len(words) < 2 or len(words) == 2 and words[1].lower() in _INDEFINITE:
            return None  # `the someone had said`: nobody in particular, not a character to add
        cap = next((i for i, w in enumerate(words) if i > 1 and w[:1].isupper()), None)
        if cap is not None and words[1][:1].islower():
            # "the flustered Grisewood", "his sister Nell": the name is the subject.
            return _subject(cast, " ".join(words[cap:]), pos + len(" ".join(words[:cap])) + 1, strength, allow_new)
        pid = cast.resolve(subj)
        if pid is None and words[1][:1].isupper():
            pid = cast.resolve(" ".join(words[1:]))
        if pid is None and first == "the" and words[-1][:1].isupper():
            pid = cast.add(subj)
        head = words[-1].lower()
        gender = "male" if head in _MALE_NOUNS else "female" if head in _FEMALE_NOUNS else None
        if pid is not None:
            return Tag("name", pid, gender, strength * 0.95, pos)
        return Tag("descriptor", None, gender, strength, pos, subj)
    pid = cast.resolve(subj)
    if pid is None:
        words = subj.split()
        for i in range(len(words)):
            pid = cast.resolve(" ".join(words[i:]))
            if pid is not None:
                break
    if pid is None and len(subj.split()) == 1 and subj[:1].isupper():
        pid = cast.by_surname(subj)
    if pid is None and allow_new and _can_be_name(subj):
        pid = cast.misspelt(subj) if len(subj.split()) == 1 or title_of(subj) not in (None, "the") else None
        if pid is None:
            pid = cast.add(subj)
    if pid is None:
        return None
    if strength >= 0.9:
        cast.tag_form(pid, subj)
    return Tag("name", pid, None, strength, pos)


_INDEFINITE = frozenset("someone somebody anyone anybody everyone everybody nobody".split())
_NOT_SUBJECT = frozenset("it there this that what which who yes no oh all one nothing everything".split())


def _can_be_name(subj: str) -> bool:
    """A capitalised subject seen only in a tag can be a new character unless it opens with a function word
    (`When`, `As I`) or holds `I`: titles (`Miss`, `Lord`) are fine."""
    words = subj.split()
    first = words[0].rstrip(".").lower()
    if first in _NOT_SUBJECT or "I" in words:
        return False
    return first in TITLES or first not in _NOT_NAMES


_ALL_SAID = re.compile(r"(?:(?:(?:[Oo]r|[Aa]nd|[Bb]ut|[Ww]ell|[Aa]t\s+least)\s*,?\s+)?(?:[Tt]hat|[Tt]his|[Ii]t)(?:['\u2019]s\s+|\s+))?"
                       r"(?:is|was)\s+(?:all|what)\s+(?=(?:he|she|I|they|the|his|her|[A-Z])\w*\s+\w+)")
"""`"Hm," is all he says.` / `is all Seokjin says` / `was what Mara said` / `Or that's what Jonah says.`: the tag follows."""
_SET_MOD = (r"(?:(?:\w+ly|already|still|half|very|not|now|again|just|all|quite|somehow|barely)\s+)*"
            r"(?:[a-z]+ing|[a-z]{2,}ed|who|whose|from|through|in|on|at|with|to(?=\s+(?:him|her|them|me|us|no\s+one|nobody|everyone|[A-Z]))|across|behind|beneath|under|over|into|without|by|"
            r"around|against|out|up|down|off|halfway|mid-[a-z]+|\w+ly(?=\s*[)\u2014.,]|\s*--|\s*$))\b")
"""What may follow the name in a tag without a verb: a participle, a place, a `who` clause (`Doc, reaching across
her`, `Dee, from the couch`, `the engineer, very muffled`, `Lieu, who had taken it`, `Sam, quietly`, `Uri, to Vida`)."""
_SET_SUBJ = (rf"(?:(?:[Tt]his|[Tt]hat)\s*,?\s+(?:one\s+|last\s+(?:one\s+|bit\s+)?)?(?:from|by)\s+|[Ff]rom\s+)?"
             rf"(?P<subj>{MENTION.pattern}|(?:the|The)\s+(?:[a-z][\w\-]*\s+)?(?!(?:{_VERB_RX})\b)[a-z][\w\-]*(?<![^s]s)(?<!ed)(?<!'s)(?<!\u2019s))")
_SET_OFF = re.compile(rf"^\s*(?P<open>\u2014|--|\u2013|\()\s*{_SET_SUBJ}"
                      rf"(?=\s*(?:,\s*{_SET_MOD}|\u2014|--|\u2013|\)|[.!]\s*\)?\s*$|[.!]\s*\)?\s+[A-Z]|$))")
"""A tag set off by a dash or a bracket next to a quotation, with no verb: `“Not it.” — Dee, from the couch.`,
`“Fine” — this from Jonah — “whatever.”`, `“Pass the salt.” (Doc, reaching across her.)`. Not `— Dee was right —`."""
_SET_MOD_BARE = _SET_MOD.replace(r"|[a-z]{2,}ed|", "|", 1).replace(r")\s+)*", r")\s+)*(?:(?<=\w\s)[a-z]{2,}ed\b|", 1) + ")"
"""Without a dash, a participle in -ed only after an adverb (`very muffled`): `Marit, relieved to be ...` is a verb."""
_FRAG_MOD = (r"(?:un[a-z]{3,}ed|[a-z]{3,}ed(?=\s*[.!]?\s*$)|of\s+course|as\s+(?:usual|always|ever)|again|too|once\s+more|for\s+once|"
             r"(?:louder|softer|quieter|slower|faster|gentler|firmer|sharper)(?:\s+(?:this\s+time|now|still))?|"
             r"(?:always|ever|forever|still)\s+the\s+[a-z]+(?:\s+[a-z]+)?)(?=\s*,|\s*[.!]?\s*$)")
"""A verbless aside after the name in a fragment tag: `Raf, unbothered.`, `Nash, of course.`, `Ivy, always the optimist.`"""
_SET_BARE = re.compile(rf"^\s*(?:(?:[Tt]his|[Tt]hat)\s*,?\s+(?:one\s+)?from\s+(?P<from>{MENTION.pattern})"
                       rf"|{_SET_SUBJ}(?:\s*,\s*(?:{_FRAG_MOD}|{_SET_MOD_BARE}[^,;:!?.\u2014()\u201c\u201d\"]*))+"
                       rf"|(?:[Tt]hat|[Tt]his)(?:['\u2019]s|\s+is|\s+was|\s+would\s+be)\s+(?!{_NOT_LEAD})(?P<that>{MENTION.pattern})(?<!['\u2019]s)(?!['\u2019])"
                       rf"(?:\s*,\s*(?:{_FRAG_MOD}|{_SET_MOD_BARE}[^,;:!?.\u2014()\u201c\u201d\"]*))*)\s*[,.!]?\s*$")
"""The same with nothing to set it off, as the whole first sentence after a quotation: `“Move.” Sam, already
halfway out the door.`, `“Go —” the engineer, through her pillow, “— back to sleep.”`, `This from Dee.`,
`That's Ivy, always the optimist.`"""
_NEXT_SAID = re.compile(
    r"^(?:(?:[Oo]r|[Aa]nd|[Bb]ut|[Ww]ell|[Aa]t\s+least)\s*,?\s+)?(?:(?:[Tt]hat|[Tt]his|[Ii]t)(?:['\u2019]s|\s+is|\s+was)\s+(?:what|all)\s+"
    r"|[Oo]r\s+so\s+)(?=[A-Z])")
"""A sentence opening the paragraph after a speech that says whose it was: `That was what Emil said, anyway.`,
`Or that's what Jonah says.`, `Or so Mara said.`"""


def tag_next(cast: Cast, text: str) -> Tag | None:
    """A name given to the speech before, by the first sentence of the next paragraph: `That was what Emil said.`,
    `This from Dee.` (names only, never a pronoun or a beat)."""
    if not text.lstrip().startswith(("That", "This", "It", "Or", "And", "But", "Well", "At", "Then")):
        return None
    first = _SENTENCES.split(text.lstrip()[:300], 1)[0]
    lead = len(text) - len(text.lstrip())
    m = _NEXT_SAID.match(first)
    if m:
        said = _AFTER_NORM.match(first, m.end())
        if said and said.group("subj")[:1].isupper() and said.group("subj").lower() not in _PRON_WORDS:
            rest = first[said.end():]
            if re.fullmatch(r"\s*(?:,\s*(?:anyway|at\s+least|though|then|once)\b[^,]*)?\s*[.!]?\s*", rest):
                return _subject(cast, said.group("subj"), lead + said.start("subj"), 1.0, False)
        return None
    m = re.match(rf"(?:(?:And|Then)\s+)?(?:This|That)\s+(?:one\s+|last\s+(?:one\s+|bit\s+)?)?from\s+(?P<subj>{MENTION.pattern})\s*[.!]?\s*$", first)
    if m:
        return _subject(cast, m.group("subj"), lead + m.start("subj"), 0.95, False)
    return None


_SET_ACTS = re.compile(r"[^\u2014()\u201c\u201d]*?,\s+(?:\w+ly\s+)?[a-z]+ed\s+(?:him|her|them|it|this|that|the|his|their|me|us)\b")


def _set_off(cast: Cast, text: str) -> Tag | None:
    """`— Dee, from the couch.` / `(Doc, reaching across her.)` / `Sam, already halfway out the door.` after a quote."""
    head = text.lstrip()[:2]
    m = _SET_OFF.match(text) if head[:1] in ("\u2014", "\u2013", "(") or head == "--" else None
    strength = 0.95
    if m is None:
        first = _SENTENCES.split(text.lstrip(), 1)[0]
        if "," not in first and not first.startswith(("This ", "That ", "this ", "that ", "That's ", "That\u2019s ")):
            return None
        m = _SET_BARE.match(first)
        if m is None:
            return None
        strength = 0.9
        offset = len(text) - len(text.lstrip())
    else:
        offset = 0
    group = next(g for g in ("subj", "from", "that") if m.groupdict().get(g))
    subj, at, end = m.group(group), m.start(group), m.end(group)
    if _SET_ACTS.match(m.string, end):
        return None  # `(Dee, obviously, ignored this.)`: an aside about someone doing something
    if m.groupdict().get("open") == "(" and not re.match(r"\s*,", m.string[end:]) and not re.search(
            r"(?i)\bfrom\s*$", m.string[:at]):
        return None  # `“he” (Corin).`: a name alone in brackets glosses a word of the quote; a tag describes
    rest = re.split(r"\u2014|--|\u2013|[()!?\u201c\u201d\"]|(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\b[A-Z])\.(?:\s|$)",
                    m.string[end:], maxsplit=1)[0]
    chunks = [c for c in re.split(r"\s*,\s*", rest)[1:] if c.strip()]
    if any(not re.match(_SET_MOD if i == 0 else _SET_MOD_BARE, c) and not re.match(r"(?:where|when|while|as|though|although)\b", c)
           and not (strength < 0.95 and re.match(_FRAG_MOD, c))
           for i, c in enumerate(chunks)):
        return None  # `— Sunniva, who had been watching, started to giggle.`: a sentence with a verb of its own
    if strength < 0.95 and any(w in VERBS or w in _BARE for w in re.findall(r"[a-z]+", m.group().lower())):
        return None  # `Marit, now dared to say,`: a verb after all
    if subj.split()[0].lower() in _NOT_SUBJECT | VERBS or subj.lower() in _PRON_WORDS:
        return None
    if subj.split()[0] in ("the", "The") and subj.split()[-1].lower() in _NOT_SUBJECT | _NOUNS_IN_S:
        return None
    return _subject(cast, subj, offset + at, strength, False)


_FROM_AFTER = re.compile(rf"from\s+(?P<subj>{MENTION.pattern})(?=\s*(?:[,.;:!?\u2014]|--|$|\s+(?:and|but|as|who|while)\b))")
"""`"Ahoy!" from Captain Tamsett, but ...`: a quotation followed by whom it came from."""


_APPOSITIVE = re.compile(rf"\s*,\s+(?!{_NOT_LEAD})(?P<subj>{MENTION.pattern})(?<!['\u2019]s)(?=\s*[.!?;]|\s*$|\s*,\s+(?:who|[a-z]+ing)\b)")
"""The name set after a description in a tag (`says Yael's boyfriend, Zev.`)."""


_LOWER_NAME = re.compile(r"(?<![\w'\u2019-])(?<!\bthe )(?<!\ba )(?<!\ban )(?<!\bhis )(?<!\bher )(?<!\bmy )([a-z][a-z]{2,})(?=\s+([a-z]+)\b)")
"""A lowercase word and the word after it (a lookahead: in `and emil says` both `and emil` and `emil says` are seen)."""


def _recase(cast: Cast, text: str) -> str:
    """`jonah mumbles`, `and emil says`: a name typed in lowercase before a speech verb, written as the name it is
    (only a word the cast knows as a name, never a pronoun, a verb or a word kept out of names)."""
    if " " not in text:
        return text
    # Skips a text with no lowercase run that is a one-word alias: `fix` changes only a word `cast.resolve` finds.
    if cast.lower_names().isdisjoint(_LOWER_RUN.findall(text)):
        return text

    def fix(m: re.Match) -> str:
        word, verb = m.group(1), m.group(2)
        if (verb not in VERBS or word in VERBS or word in _PRON_WORDS or word in _NOT_NAMES
                or word.endswith(("ing", "ly")) or cast.resolve(word.capitalize()) is None):
            return m.group(0)
        return word.capitalize()

    return _LOWER_NAME.sub(fix, text)


def tag_after(cast: Cast, text: str) -> Tag | None:
    """A tag at the start of narration that follows a quotation: `said Mara`, `Mara said`, `he murmured`."""
    text = _recase(cast, text)
    lead = _LEAD.match(text).end()
    if lead >= len(text):
        return None
    tag = _set_off(cast, text)
    if tag is not None:
        return tag
    all_of = _ALL_SAID.match(text, lead)
    if all_of:
        lead = all_of.end()  # "Hm," is all he says.
    word = re.match(r"[A-Z][a-z]+\b", text[lead:])
    if word and word.group().lower() in VERBS:
        text = text[:lead] + text[lead].lower() + text[lead + 1 :]  # "Said Tobiah": a tag all the same
    m = _OWNED_SAID.match(text, lead)
    if m and (tag := _owned(cast, m, m.start("subj"))):
        return tag
    for rx in (_AFTER_INV, _AFTER_NORM, _AFTER_INV_S):
        m = rx.match(text, lead)
        if m and rx is _AFTER_NORM and _SAID_NOTHING.match(text, m.end()):
            continue
        if m:
            if rx is _AFTER_NORM and m.group("subj")[:1].isupper() and m.group("subj").split()[0].lower() in ("the", "his", "her", "a", "an", "my", "this", "that", "their"):
                pass
            subj = m.group("subj")
            if subj.lower().split()[-1] == "voice" and subj.lower().startswith("the "):
                owner = _VOICE_OF.match(text, m.end("subj"))
                if owner:
                    tag = _subject(cast, owner.group("subj"), owner.start("subj"), 1.0, True)
                    if tag:
                        return tag
            kin_named = _OWNED_NAMED.match(text, m.end("subj")) if rx is _AFTER_INV else None
            if kin_named and cast.resolve(subj[:-2] if subj.endswith(("'s", "\u2019s")) else subj) is not None:
                # "says Jun's sister Dana.": Dana speaks, not Jun.
                tag = _subject(cast, kin_named.group("name"), kin_named.start("name"), 1.0, False)
                if tag is not None and tag.kind == "name":
                    return tag
            owned = _OWNED.match(text, m.end("subj")) if rx is _AFTER_INV else None
            named = _APPOSITIVE.match(text, owned.end() if owned else m.end("subj")) if rx is _AFTER_INV else None
            if named and (owned or subj.split()[0].lower() in ("the", "his", "her", "their", "my", "our", "your")):
                # "says Yael's boyfriend, Zev." / "said his sister, Nell.": the name in apposition speaks.
                tag = _subject(cast, named.group("subj"), named.start("subj"), 1.0, False)
                if tag is not None and tag.kind == "name":
                    return tag
            if owned:
                # "answered Posy's mamma": Posy's mother speaks, not Posy.
                owner = subj[:-2] if subj.endswith(("'s", "\u2019s")) else subj
                if cast.resolve(owner) is not None:
                    head = owned.group(1)
                    gender = "male" if head in _MALE_NOUNS | _MALE_KIN else "female" if head in _FEMALE_NOUNS | _FEMALE_KIN else None
                    return Tag("descriptor", None, gender, 1.0, m.start("subj"), f"{owner}'s {head}")
            tag = _subject(cast, subj, m.start("subj"), 1.0, rx is not _AFTER_INV_S)
            if tag:
                return tag
    m = _POSS.match(text, lead)
    if m:
        tag = _subject(cast, m.group("subj"), m.start("subj"), 0.95, False)
        if tag:
            return tag
    m = _SAID_BY.match(text, lead)
    if m:
        tag = _subject(cast, m.group("subj"), m.start("subj"), 0.95, False)
        if tag:
            return tag
    m = _FROM_AFTER.match(text, lead)
    if m:
        tag = _subject(cast, m.group("subj"), m.start("subj"), 0.9, False)
        if tag:
            return tag
    m = _NAME_ONLY.match(text, lead)
    if m:
        tag = _subject(cast, m.group("subj"), m.start("subj"), 0.9, False)
        if tag:
            return tag
    first = _SENTENCES.split(text[lead:], 1)[0]
    return _beat(cast, first, lead, 0.7)


@lru_cache(maxsize=1 << 12)
def _last_sentence(text: str) -> str:
    """`_SENTENCES.split(text)[-1]`, looking at the end of a long text first (the lookbehinds see what precedes).
    Kept for the texts seen last: the same narration is asked for again and again (tag, beat, role, appositive)."""
    start = max(0, len(text) - 400)
    last = None
    for last in _SENTENCES.finditer(text, start):
        pass
    if last is None:
        return _SENTENCES.split(text)[-1] if start else text
    return text[last.end():]


_VERB_FIRST = re.compile(rf"(?:{_VERB_RX}){_ADV}\s+{_SUBJ}\s*[,:]?\s*$")
"""A tag opening with its verb: `said Mara,`."""
_WORDISH = re.compile(r"[\w'\-]")


def _word_before_end(body: str, dash: bool = False) -> bool:
    """Whether `body` ends in a word (`[\\w'-]`) before `\\s*[,:]?\\s*$` (with `dash`, before
    `\\s*[,:]?\\s*(?:\u2014|--)?\\s*$`): which every match of `_END_TAG` and `_POSS_END` does, so a body that does
    not (most end in `.`) is not searched."""
    t = body.rstrip()
    if dash:
        if t.endswith("\u2014"):
            t = t[:-1].rstrip()
        elif t.endswith("--"):
            t = t[:-2].rstrip()
    if t.endswith((",", ":")):
        t = t[:-1].rstrip()
    return bool(t) and _WORDISH.match(t, len(t) - 1) is not None


def tag_before(cast: Cast, text: str, near: bool = True) -> Tag | None:
    """A tag or action beat in the last sentence of narration before a quotation: `Mara said,`, `Eli turned.`"""
    last = _recase(cast, _last_sentence(text.rstrip()))
    offset = len(text.rstrip()) - len(last)
    if offset > 0 and _CONNECTOR.fullmatch(last):
        return tag_before(cast, text[:offset], near)
    body = _OPENERS.sub("", last)
    offset += len(last) - len(body)
    m = _UNNAMED_VOICE.search(body) if ("oice" in body or "omeone" in body or "omebody" in body) and not _DEVICE_WORD.search(body) else None
    if m and (_POSS_AFTER.search(body, m.end()) or cast.find(body[m.end():])):
        m = None  # `Next came an angry voice -- the landlord's --`: whose voice, the narration says
    if m:
        # `A voice called from the hall.`, `..., and a woman's voice came down through the ceiling.`, `Then a voice from
        # the stairs:`: someone not named speaks, not one of those on stage.
        subj = m.group("subj") or m.group("inv") or m.group("bare")
        kind = re.search(r"\b(man|woman|girl|boy|male|female|child)\b", subj.lower())
        gender = None if kind is None else {"man": "male", "boy": "male", "male": "male", "woman": "female",
                                             "girl": "female", "female": "female"}.get(kind.group(1))
        return Tag("descriptor", None, gender, 0.95, offset + m.start(), "someone")
    m = _OWNED_SAID.match(body)
    if m and (tag := _owned(cast, m, offset + m.start("subj"))):
        return tag
    m = _INTERRUPTED.match(body)
    if m:
        called = _CALLED.match(m.group("mid"))
        subj, at = (called.group("subj"), m.start("mid") + called.start("subj")) if called else (m.group("subj"), m.start("subj"))
        tag = _subject(cast, subj, offset + at, 1.0, bool(called))
        if tag:
            return tag
    m = _OF_POSS.search(body) if "of" in body else None  # skips a body without `of`, which every match has
    if m:
        subj = m.group("subj")
        subj = subj[:-2] if subj.endswith(("'s", "\u2019s")) else subj
        tag = _subject(cast, subj, offset + m.start("subj"), 0.95, False)
        if tag:
            return tag
    m = _POSS_END.search(body) if _word_before_end(body, True) else None
    if m and m.start() > 0:
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.95, False)
        if tag:
            return tag
    m = _VOICE_OF_NAME.search(body) if "voice" in body else None  # skips a body without `voice`, which every match has
    if m and not _SUBJ_WORD.search(m.group("rest")):
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.9, False)
        if tag:
            return tag
    m = _AFTER_NORM.match(body)
    if m:
        if len(body) - m.end() > 12 and (body.rstrip().endswith((",", ":", "\u2014", "--")) or body.rstrip()[-1:].isalpha()):
            # "He laughed so hard ..., and Oona put her face in her hands and said," : the later verb introduces it;
            # "Rook replied, so quickly that Bryn said, in an injured tone,": a verb past the first tag's.
            late = _closing_speech(cast, body, offset, m.end())
            if late is not None and late.pos > offset + m.end():
                return late
        if near and body.rstrip().endswith((".", "!")):
            # "“It was fine,” Cyrus says, and Nadia laughs. “It really wasn't.”": the one acting last goes on.
            late = last_actor(cast, body[m.end():])
            if late is not None and late.kind == "name" and late.pid is not None and re.match(r",\s+and\s", body[m.end():]):
                said = _subject(cast, m.group("subj"), offset + m.start("subj"), 1.0, False)
                if said is not None and said.pid is not None and said.pid != late.pid:
                    return dataclasses.replace(late, pos=late.pos + offset + m.end(), strength=0.7)
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 1.0, True)
        if tag:
            return tag
    m = _ASIDE_SAID.match(body) if "," in body[:60] else None
    if m:
        # "Jonah, trying not to smile, went on.": a speech verb after the name's aside.
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.95, False)
        if tag:
            return tag
    m = _POSS.match(body)
    if m:
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.95, False)
        if tag:
            return tag
    m = _NAME_COLON.match(body) if not body.startswith(("To ", "to ")) else None  # (`To Theo:` names the one spoken to)
    if m and not (m.group("aside") and re.match(_NOT_LEAD, m.group("subj"))):
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.9, False)
        if tag:
            return tag
    m = _VERB_FIRST.match(body)
    if m:
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 1.0, True)
        if tag:
            return tag
    # A tag closing the sentence just before the quotation: "..., but Mrs. Lusk, who ..., replied at once,"
    m = _END_TAG.search(body) if _word_before_end(body) else None
    if m and m.group("subj").lower() not in _PRON_WORDS:
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.95, False)
        if tag:
            return tag
    tag = _closing_speech(cast, body, offset)
    if tag:
        return tag
    m = _AND_SPOKE.search(body) if near and ", " in body else None
    if m:
        # `He followed her to the window, and the queen spoke low.`: the one the last clause has speaking.
        tag = _subject(cast, m.group("subj"), offset + m.start("subj"), 0.9, False)
        if tag:
            return tag
    who = _WHO_BEAT.search(body) if near else None
    if who:
        tag = _subject(cast, who.group("subj"), offset + who.start("subj"), 0.6, False)
        if tag is not None and tag.kind == "name":
            return tag
    strength = 0.75 if body.rstrip().endswith((":", ",")) else 0.6
    tag = _beat(cast, body, offset, strength, parts=near, aux=near)
    if tag is not None and tag.kind == "pronoun" and tag.gender in ("male", "female") and offset > 0 and (
            state := _STATE.match(body)) and _PRON_WORDS.get(state.group(1).lower()) == tag.gender:
        # `Noor nudged Theo with her foot. He was asleep on the couch.`: how the one just acted upon lies is no turn
        # of theirs; the one of the other gender acting on them speaks.
        actor = tag_before(cast, text[:offset], near)
        if actor is not None and actor.kind == "name" and actor.pid is not None and cast.gender(actor.pid) not in (
                None, tag.gender) and _acted_on(cast, text[actor.pos:offset], actor.pid, tag.gender):
            return dataclasses.replace(actor, strength=min(actor.strength, strength))
    return tag


_VOICE_NP = r"(?:[Aa]n?|[Aa]nother|[Ss]ome)\s+(?:[\w'\u2019-]+\s+){0,3}?voice"
_UNNAMED_VOICE = re.compile(
    rf"(?:^|[,;]\s+(?:and\s+|then\s+|but\s+)?|\b(?:and|then|when|until|because|as|before|till)\s+)(?P<subj>{_VOICE_NP}|[Ss]omeone|[Ss]omebody)"
    r"(?:\s+\w+ly)?\s+(?:[a-z]+ed|[a-z]{2,}[^s\W]s|came|rang|rose|broke|spoke|sang|cut|blew)\b"
    rf"|\b(?:came|comes)\s+(?P<inv>{_VOICE_NP})\b"
    rf"|^(?:Then\s+)?(?P<bare>{_VOICE_NP})\s+(?:from|behind|in|at|out\s+of|through|beyond)\b[^.!?]*[:,\u2014]\s*$")
"""Someone unnamed heard just before the line: `A voice called from the hall.`, `..., and a woman's voice came down
through the ceiling.`, `From the hall came a voice.`, `Then a voice from the stairs:`."""
_POSS_AFTER = re.compile(r"\w['\u2019]s\b(?!\s+(?:not|been|got|gone|a|an|the)\b)")
_DEVICE_WORD = re.compile(r"\b(?:phone|telephone|line|speaker|speakerphone|screen|receiver|radio|intercom|handset|comm|comms|channel|headset|earpiece)\b")
"""A voice over a device is the one on the other end (decode's calls), not a stranger come on stage."""


_STATE = re.compile(r"(He|She)\s+(?:was|were)\s+(?:still\s+|already\s+|fast\s+|sound\s+|half\s+)?(?!\w+ing\b|\w+ed\b)[a-z]+")
"""A pronoun sentence that tells a state, not an act: `He was asleep`, `She was still in the shower`."""


def _acted_on(cast: Cast, sentence: str, actor: int, gender: str) -> bool:
    """The sentence has its actor do something to someone of that gender: a name (of that gender or not known)
    or `him`/`her` after the actor."""
    if any(pid != actor and cast.gender(pid) in (None, gender) for s, _, pid in cast.find(sentence) if s > 0):
        return True
    return re.search(r"\bhim\b" if gender == "male" else r"\bher\b(?!\s+own\b)", sentence) is not None


_WHO_BEAT = re.compile(rf"(?<=[a-z] )(?:at|to|towards|toward|(?!(?:{_VERB_RX})\b)[a-z]{{3,}}ed)\s+(?P<subj>{MENTION.pattern}),\s+who\s+(?:just\s+|only\s+|\w+ly\s+)?[a-z]+(?:s|ed)\s*[.!]\s*$")
"""`He glances at Rory, who shrugs.`, `Priya elbowed Hugh, who yelped.`: the one who answers the look (or the
touch) with a beat speaks next."""


_ABBR = r"(?:(?:Mr|Mrs|Ms|Dr|St|Mme|Mlle|Messrs)\.\s+)?"
"""A title's abbreviation before a name in a tag's tail: `said to Mrs. Orme,`."""
_FORMS = """saying exclaiming replying answering adding crying calling whispering announcing observing remarking
asking beginning continuing muttering murmuring shouting returning rejoining interrupting inquiring enquiring
say exclaim reply answer add cry call whisper announce observe remark ask begin continue mutter murmur shout
return rejoin interrupt inquire enquire""".split()
_CLOSING_VERBS = sorted(VERBS | set(_FORMS) | {'begun'}, key=len, reverse=True)
_CLOSING = re.compile(
    # (The lookahead on the verbs' first letters lets the scan skip other words quickly.)
    rf"(?<!\w)(?=[{''.join(sorted({v[0] for v in _CLOSING_VERBS}))}])(?P<verb>{by_first(_CLOSING_VERBS)})(?:\s+(?:thus|out|forth|on))?\b"
    rf"(?P<tail>(?:\s+(?:to\s+)?(?:him|her|them|me|us|it|herself|himself|{_ABBR}[A-Z][\w'\u2019\-]*(?:\s+[A-Z][\w'\u2019\-]*)*))?"
    rf"[^.!?;\"\u201c\u201d]{{0,70}})$"
)
_TAIL_OK = re.compile(rf"^(?:\s+(?:to\s+)?(?:him|her|them|me|us|it|herself|himself|{_ABBR}[A-Z][\w'\u2019\-]*(?:\s+[A-Z][\w'\u2019\-]*)*))?"
                      r"(?:\s*(?:[,:\u2014\u2013]|--)|\s+(?:in|with|from|to|at|as|very|quite|rather|so|too|and|but|after|before|for|without|while|through|into|over|under|around|behind|between|against|across|past|like|under|on|\w+ly)\b|\s*$)")
_CLAUSE_START = re.compile(r"(?:[;:]|\u2014|--|,\s+(?:and|for)\b(?=\s+(?:[A-Z]|the\s+[A-Z]|he\b|she\b))|\bthat\b|\bwhen\b|\bbut\b|\bwhereupon\b|\bupon\s+which\b|\buntil\b|\btill\b|\bthen\b)\s*")
_SUBJ_WORD = re.compile(r"[hsHSI](?<!\w[hsHSI])(?:(?<=[hH])e|(?<=[sS])he|(?<=I))\b")
"""`\b(?:he|she|I|He|She)\b`, first letter first (then the look back for `\b`), so the scan stops only at those."""
_PRON_BEFORE = re.compile(r",\s+(?P<p>he|she|I)\s+(?:\w+ly\s+|then\s+|just\s+|finally\s+)*$")
_WHO = re.compile(r",?\s*who(?:\s*,[^,;]{1,90},|\s+(?:in|with)\s+(?:(?:a|an|the|his|her|some|great|much)\s+)?[^,;]{1,50}?"
                  r"|\s+(?!(?:said|says|asked|asks|told|tells)\b)[a-z][^,;.!?\"\u201c\u201d]{1,40}?\s+and)?"
                  r"\s+(?:\w+ly\s+|then\s+|now\s+|just\s+|only\s+|simply\s+|at\s+once\s+)*$")
"""`Mary, who, on noting the date, exclaimed`: the name before "who" (a parenthesis may follow it); `She turned to
Theo, who shrugged and said,`, `..., who just said,`: the one the relative clause is about goes on to speak."""


_OBJ_BEFORE = re.compile(
    r"\b(?:to|at|in|of|inside|across|through|around|with|from|by|than|on|upon|into|about|towards?|like|against|"
    r"without|beside|behind|near|past|over|under|between|among|saw|told|asked|thanked|kissed|met|married|"
    r"called|heard|watched|followed|joined|helped|addressed|answered|interrupted|upon)\s+$"
)
_AGENT_OF = re.compile(r"\s+to\s+[a-z]")
"""`it was silly of Kasimir to go running off`: a name after "of" followed by "to" + verb is the one acting."""
_BARE = frozenset(f for f in _FORMS if not f.endswith("ing"))
_HEAR_VERB = r"(?:(?:over)?(?:heard|hear|hears|hearing)|(?:listened|listen|listens|listening)\s+to)"
_PERCEIVED = re.compile(
    rf"\b(?:{_HEAR_VERB}|saw|see|sees|watched|watch|watches)\s+(?P<subj>{MENTION.pattern}|him|her|{_DESC_LONG})"
    r"(?:\s+\w+ly)?\s+$"
)
"""`Marit heard Dunstan say,`: the one heard (or seen) saying it is the speaker."""
_HEARD_UNNAMED = re.compile(
    rf"\b{_HEAR_VERB}\s+(?P<subj>it|someone|somebody|some\s+one|one\s+of\s+(?:them|us|the\s+\w+|his\s+\w+|her\s+\w+|their\s+\w+)|"
    r"(?:a|an|another|some)\s+(?:\w+\s+){0,2}?(?:voice|voices|man|woman|boy|girl|person|stranger|someone))(?:\s+\w+ly)?\s+$")
"""`Perrin heard it say,`, `she heard one of the pair mutter,`: someone unnamed speaks, never the one who heard it."""
_SUBORDINATE = re.compile(r"^\W*(?:When|While|As|After|Before|Though|Although|If|Since|Until|Till|Once|Because|Whilst)\b")
"""A clause opened by a subordinator (`When Agathe had left, Mr. Moberly said`): its main subject comes last."""
_TO_BARE = re.compile(r"\b(?:to|and|would|could|should|might|must|did|will|shall|can|may|I|we|you|they|We|You|They)\s+(?:\w+ly\s+)?$")


def _is_verb(body: str, m: re.Match[str]) -> bool:
    """A bare form is a verb after `to`, a modal or a plural subject (`began to reply`, `I whisper`), not a noun
    (`a gracious reply`)."""
    return (m.group("verb") not in _BARE or bool(_TO_BARE.search(body, 0, m.start()))
            or bool(_PERCEIVED.search(body, 0, m.start())) or bool(_HEARD_UNNAMED.search(body, 0, m.start())))


_AND_SPOKE = re.compile(rf",\s+(?:and|then|and\s+then)\s+{_SUBJ}{_ADV}\s+(?:spoke|said|asked|answered|replied|whispered|murmured)"
                        rf"(?:\s+(?:low|softly|quietly|gently|again|first|up|at\s+last|\w+ly))?\s*[.!]\s*$")
"""A sentence ending on a clause that has someone speak: `He followed her, and the queen spoke low.`"""


def _closing_speech(cast: Cast, body: str, offset: int, after: int = 0) -> Tag | None:
    """Narration that ends by introducing speech: "Wren, turning her head away, said, more steadily," or
    "Gilly cut her off by crying--". The speaker is the first person named in the verb's clause.
    `after`: where the verb is looked for from (past a tag that closes the quotation before)."""
    low = max(after, len(body) - 160)
    m = _CLOSING.search(body, low)
    while m and not (_TAIL_OK.match(m.group("tail")) and _is_verb(body, m)):
        m = _CLOSING.search(body, m.start() + 1)
    if not m:
        return None
    if "," in m.group("tail"):
        # "seeing that Jonah was about to interrupt, she said,": a later speech verb in its own clause is the one.
        later = _CLOSING.search(body, m.end("verb") + 1)
        while later and not (_TAIL_OK.match(later.group("tail")) and _is_verb(body, later)
                             and _PRON_BEFORE.search(body, m.end("verb"), later.start())):
            later = _CLOSING.search(body, later.start() + 1)
        if later:
            m = later
    head = body[: m.start()]
    if m.group("verb") in _BARE:
        unnamed = _HEARD_UNNAMED.search(head)
        if unnamed:
            # "Corbin heard a voice whisper,": someone not named speaks; the hearer is the one it is not.
            before = head[: unnamed.start()]
            found = [(s, pid) for s, e, pid in cast.find(before) if not _OBJ_BEFORE.search(before, 0, s)]
            hearer = found[-1][1] if found and not _SUBJ_WORD.search(before, found[-1][0]) else None
            text = unnamed.group("subj").lower()
            if not text.startswith(("a ", "an ", "some")):
                text = "a voice"  # "it", "one of them": the same as a voice not named
            head_word = text.split()[-1]
            gender = "male" if head_word in _MALE_NOUNS else "female" if head_word in _FEMALE_NOUNS else None
            return Tag("descriptor", None, gender, 0.95, offset + unnamed.start("subj"), text, ends=True, hearer=hearer)
        seen = _PERCEIVED.search(head)
        if seen:
            subj = seen.group("subj")
            if subj in ("him", "her"):
                return Tag("pronoun", None, "male" if subj == "him" else "female", 0.9, offset + seen.start("subj"), ends=True)
            tag = _subject(cast, subj, offset + seen.start("subj"), 0.95, False)
            if tag:
                return dataclasses.replace(tag, ends=True)
    if m.group("verb").endswith("ing"):
        # "cut short by Sir Ambrose's saying": the one whose saying it is.
        found = cast.find(head)
        if found and re.search(r"['\u2019]s?\s*$", head) and re.fullmatch(r"(?:['\u2019]s?)?\s*", head[found[-1][1] :]):
            s, _, pid = found[-1]
            return Tag("name", pid, None, 0.95, offset + s, ends=True)
    who = _WHO.search(head)
    if who:
        # "He turned to Mr. Moberly, who answered": the name before "who".
        found = cast.find(head[: who.start()])
        if found and head[found[-1][1] : who.start()].strip(" ,") == "":
            s, _, pid = found[-1]
            return Tag("name", pid, None, 0.95, offset + s, ends=True)
        return None
    pron = _PRON_BEFORE.search(head, max(after, len(head) - 40)) if "he " in head or "I " in head else None
    if pron and not cast.find(head[after: head.rfind(",", after, pron.start()) + 1]):
        # "Then, seeing that Jonah was about to interrupt, she said,": the pronoun right before the verb is its
        # subject; the name in the clause before the comma is not (a name before that clause may be the pronoun's
        # antecedent: "the Abbess ..., and, just as the Heron crossed the yard, she said").
        return Tag("pronoun", None, _PRON_WORDS[pron.group("p").lower()], 0.9, offset + pron.start("p"), ends=True)
    # The verb's clause; a clause with no subject of its own ("and then pulled a face, and scolded them, began")
    # shares the subject of the one before it.
    starts = [after] + [x.end() for x in _CLAUSE_START.finditer(head, after)]
    for k in range(len(starts) - 1, -1, -1):
        start = starts[k]
        clause = head[start : starts[k + 1] if k + 1 < len(starts) else len(head)]
        # A name after a preposition or an object verb ("followed by Mr. Dorrance", "then at Wren") is not the
        # clause's subject.
        found = [(s, e, pid) for s, e, pid in cast.find(clause)]
        names = [(s, pid) for s, e, pid in found if not _OBJ_BEFORE.search(clause, 0, s) or _AGENT_OF.match(clause, e)
                 and clause[:s].rstrip().endswith(" of")]
        prons = [(x.start(), x.group()) for x in _SUBJ_WORD.finditer(clause)]
        first_name = names[0] if names else None
        first_pron = prons[0] if prons else None
        if _SUBORDINATE.match(clause):
            # "When the match was done, Ossian, who ..., went up to Lindqvist and said": the main clause begins after
            # the subordinate one's comma, and its first name is the subject.
            comma = clause.find(",")
            main = [(s, pid) for s, pid in names if comma >= 0 and s > comma]
            first_name = main[0] if main else names[-1] if names else None
            first_pron = prons[-1] if prons else None
            if first_name and first_pron and first_pron[0] > first_name[0]:
                first_name = None
        if first_name and (not first_pron or first_name[0] < first_pron[0]):
            own = _OWN_PRON.search(head, start) if first_pron else None
            if own is not None and _not_own_subject(cast, clause, first_name, own.group("p"), head, start):
                # `With a nod at the water that Tom did not follow she added,`, `Lena's hurt look made her stop, and
                # she added,`: the pronoun right before the verb is its subject, not the name earlier in the clause.
                return Tag("pronoun", None, _PRON_WORDS[own.group("p").lower()], 0.9, offset + own.start("p"), ends=True)
            return Tag("name", first_name[1], None, 0.95, offset + start + first_name[0], ends=True)
        if first_pron:
            low = first_pron[1].lower()
            return Tag("pronoun", None, _PRON_WORDS[low], 0.9, offset + start + first_pron[0], ends=True)
        if len(starts) - k >= 3:
            break
    return None


_OWN_PRON = re.compile(r"\b(?P<p>he|she|He|She)\s+(?:(?:\w+ly|then|now|presently|soon|at\s+once|afterwards|again)\s+)*$")
"""A pronoun right before the speech verb (`..., and more gently she added`): that verb's own subject."""


def _not_own_subject(cast: Cast, clause: str, first: tuple[int, int], pron: str, head: str, start: int) -> bool:
    """The name opening the verb's clause is not the subject when the verb has its own pronoun right before it and
    the name is of the other gender, a possessive (`Lena's hurt look made her stop, and she added`), or the
    subject of a relative clause (`with a nod at the water that Tom did not follow she added`)."""
    s, pid = first
    g = cast.gender(pid)
    if g is not None and g != _PRON_WORDS[pron.lower()]:
        return True
    if clause[s:].split(None, 1)[0].endswith(("'s", "\u2019s")):
        return True
    return bool(re.search(r"\b(?:that|which|whom)\s+$", head[: start + s]))


_NOUNS_IN_S = frozenset("""eyes hands fingers lips cheeks arms legs feet shoulders knees brows lashes curls locks
clothes boots shoes gloves glasses robes things words years days hours minutes weeks months times ones others
upstairs downstairs always sometimes perhaps towards afterwards besides nearby outdoors indoors""".split())
"""Words in -s that `_BEAT` would take for a verb: `Grey eyes, ringed with shadows.` names nobody called Grey."""


_CONTRACTION = re.compile(r"['\u2019](?:s|d|ll|re|ve|m)$", re.I)
"""`He’s found the tea`: a pronoun's contraction, never a new name."""


_BODY = (r"(?:eyes|eye|gaze|mouth|lips|lip|jaw|face|expression|smile|grin|frown|brows|brow|eyebrows|eyebrow|cheeks|grip|posture|"
         r"ears|nose|throat|chest|breath|shoulders|shoulder|hands|hand|fingers|knuckles|head|heart|stomach|features|"
         r"voice|tone|laugh|laughter)")
_POSS_BEAT = re.compile(rf"(?P<subj>{MENTION.pattern}|(?:The|the)\s+(?:[a-z]+\s+)?[a-z]{{3,}})['\u2019]s\s+(?:[a-z]+\s+)?{_BODY}\s+(?:\w+ly\s+)?[a-z]+\b")
"""A beat whose subject is a part of someone: `Chan’s mouth twitches.`, `Ada's grey eyes narrowed.`,
`The blond's jaw is tight.`"""
_AND_NAMED = re.compile(rf"\band\s+(?:then\s+)?(?P<subj>{MENTION.pattern})(?<!['\u2019]s)\s+(?:\w+ly\s+)?[a-z]+(?:ed|s)\b")
"""A later clause with a named subject of its own (`and Matty watched`)."""
_FROM = re.compile(rf"(?:(?:A|An|The|a|an|the)\s+(?:[a-z]+\s+){{0,2}}?(?:sigh|laugh|snort|groan|scoff|voice|huff|whine|shout|yell|cry|"
                   rf"murmur|mutter|reply|answer|chuckle|giggle|grunt|hum|whisper|call|question|shrug|nod|smile|grin|snicker|cough|hiss|growl|whistle|yelp)|(?:comes|came)\s+(?:the|a|an)\s+"
                   rf"(?:[a-z]+\s+)?(?:reply|answer|voice|response|retort|call|shout|cry|question|whisper))\s+from\s+(?P<subj>{MENTION.pattern})")
"""`A sigh from Chan.`, `comes the reply from Jisung`: the one it comes from."""


_ASIDE_SUBJ = (rf"(?!{_NOT_LEAD})(?P<subj>{MENTION.pattern})(?:,\s+(?!(?:and|or|but|then|nor|however|though|too|also|meanwhile|therefore|indeed|likewise|instead|moreover|"
    rf"nevertheless|nonetheless|in\s+(?:fact|turn|(?:his|her|their|its)\s+(?:way|turn))|on\s+the\s+other|for\s+(?:his|her|their)\s+part|"
    rf"at\s+least|in\s+return|on\s+(?:his|her|their)\s+side|for\s+(?:instance|example)|after\s+all|perhaps|it\s+seemed|apparently)\b)[a-z][^,;:.!?()\u201c\u201d\"A-Z]{{0,39}},"
    rf"|\s*(?:\u2014|--)\s*(?:who|whose|still|already|[a-z]+ing|[a-z]+ly)\b[^\u2014\u201c\u201d\"]{{0,60}}?(?:\u2014|--)|\s*\([a-z][^()]{{0,60}}\))")
_ASIDE_SAID = re.compile(rf"{_ASIDE_SUBJ}{_ADV}\s+(?:then\s+)?(?:{_VERB_RX}){_PARTICLE}{_ADV}\s*[.!:,]?\s*$")
_BEAT_ASIDE = re.compile(_BEAT.pattern.replace("{_SUBJ}".format(_SUBJ=_SUBJ), _ASIDE_SUBJ, 1))
_BEAT_ASIDE_AUX = re.compile(rf"{_ASIDE_SUBJ}{_ADV}\s+(?P<verb>{_AUX})\b")
"""A beat whose name is followed by an aside: `Dev, bless him, is still holding the map.`, `Mara, surprised, stared.`,
`Laine—who had said nothing—set down her trowel.`, `Bex, to her credit, didn't laugh.` (not a contrast with someone
else, `Mrs. Tebbit, for her part, was just as cross.`, `Eli, however, ...`)."""
_IS_BEAT = re.compile(rf"(?!{_NOT_LEAD})(?P<subj>{MENTION.pattern})(?<!['\u2019]s)['\u2019]s\s+(?:already|still|just|not|never|been|got|gone|back|halfway|the\s+(?:one|first|last)(?=\s+(?:to|who)\b)|"
                      rf"(?!(?:morning|evening|wedding|building|painting|ceiling|clothing|darling|sibling|thing|nothing|something|"
                      rf"everything|anything|king|ring|string|wing|earring|bedding|pudding|stuffing|meeting|feeling|being|"
                      rf"offspring|spring|lodging|lodgings|dwelling|ending|beginning|booking|warning|wording|saying|ruling)\b)[a-z]{{2,}}ing)\b")
"""`Drew's already halfway out the door.`, `Sam's grinning.`: a name's `'s` before an adverb or a participle is `is`."""


_CLEFT = re.compile(rf"[Ii]t(?:['\u2019]s|\s+is|\s+was)\s+(?P<subj>{MENTION.pattern})\s+(?:who|that)\b")
"""`It’s Seokjin who finally speaks.`: the one the sentence is about."""


_PREPS = (r"(?:[Ii]n|[Oo]n|[Aa]t|[Ff]rom|[Aa]cross|[Bb]ehind|[Bb]eside|[Bb]eneath|[Uu]nder|[Oo]ver|[Tt]hrough|[Ii]nside|"
          r"[Oo]utside|[Bb]y|[Nn]ear|[Aa]round|[Aa]long|[Aa]gainst|[Bb]elow|[Aa]bove|[Uu]p|[Dd]own|[Oo]ut\s+of|[Nn]ext\s+to|"
          r"[Oo]pposite|[Ii]nto|[Oo]nto|[Tt]oward|[Tt]owards|[Bb]etween|[Aa]mong|[Bb]eyond|[Pp]ast)")
_FRONTED = re.compile(rf"^(?:{_PREPS}\s+(?:(?:the|a|an|his|her|their|my|our|its|your)\s+(?:[a-z'\u2019-]+\s+){{0,3}}?[a-z'\u2019-]+|him|her|them|me|us|it)"
                      rf"|(?:[Aa]|[Aa]n|[Oo]ne|[Tt]wo|[Aa]\s+few|[Ss]ome)\s+(?:[a-z]+\s+)?(?:later|after))(?:\s*,\s+|\s+(?=[A-Z]))"
                      rf"|^(?:(?:{_PREPS}|[Ff]or|[Ww]ith|[Ww]ithout|[Aa]fter|[Dd]uring|[Dd]espite|[Uu]pon)(?:\s+from)?\s+"
                      rf"(?:(?:the|a|an|his|her|their|my|our|its|your)\s+(?:[a-z'\u2019-]+\s+){{0,3}}?[a-z'\u2019-]+|him|her|them|me|us|it|that|this"
                      rf"|{MENTION.pattern})"
                      rf"|(?:When|While|As|Once|Until|Though|Although|Because|Since|Now\s+that)\s+[^,;:.!?\u201c\u201d\"\u2014]{{1,60}}"
                      rf"|[A-Z][a-z]{{2,}}ing\b(?:\s+[a-z][^,;:.!?\u201c\u201d\"\u2014]{{0,40}})?"
                      rf"|(?!(?:He|She|They|I|We|You|It|There|This|That|These|Those)\b)[A-Z][a-z]+(?:\s+[a-z'\u2019]+){{1,4}})\s*,\s+(?=[A-Z])")
"""A place or time put before the subject of a beat: `Across the kitchen, Doc yawned.`, `From the couch Dee groans.`,
`A moment later, Eli sat up.` (without its comma, only before a capitalised name); with a comma also a name's place,
a time clause, a participle or a few words in lowercase: `Beside Bram, Aya stiffened.`, `With a sigh, Flo sat down.`,
`When Tully sat down, Sage looked up.`, `Grinning, Ash held them up.`, `Somewhere behind her, Teo laughed.`"""


def _beat(cast: Cast, sentence: str, offset: int, strength: float, allow_new: bool = True, parts: bool = True,
          aux: bool = False) -> Tag | None:
    body = _OPENERS.sub("", sentence)
    fronted = _FRONTED.match(body)
    if fronted:
        body = body[fronted.end():]
    offset += len(sentence) - len(body)
    cleft = _CLEFT.match(body)
    if cleft:
        return _subject(cast, cleft.group("subj"), offset + cleft.start("subj"), max(strength, 0.75), False)
    m = (_BEAT.match(body) or _BEAT_I.match(body) or (_BEAT_YOU.match(body) if cast.second_person else None)
         or (_BEAT_AUX.match(body) if aux else None))
    if not m and parts:
        spaced = re.sub(r"(\u2014|--)(?=[a-z])", r"\1 ", body)  # `Laine—who ...—set down`: the verb after a dash
        m = _BEAT_ASIDE.match(spaced) or (_BEAT_ASIDE_AUX.match(spaced) if aux else None)
        if m:
            return _subject(cast, m.group("subj"), offset + m.start("subj"), strength, False)
        m = _IS_BEAT.match(body)
        if m:
            return _subject(cast, m.group("subj"), offset + m.start("subj"), strength, False)
    if not m or m.group("subj")[-2:].lower() in ("'s", "\u2019s"):
        part = _POSS_BEAT.match(body) if parts else None
        if part:
            if " and " in body and (later := _AND_NAMED.search(body, part.end())):
                tag = _subject(cast, later.group("subj"), offset + later.start("subj"), strength, False)
                if tag is not None:
                    return tag
            return _subject(cast, part.group("subj"), offset + part.start("subj"), strength, False)
        source = _FROM.match(body)
        if source:
            return _subject(cast, source.group("subj"), offset + source.start("subj"), max(strength, 0.9), False)
    if not m:
        return None
    if m.group("subj")[-2:].lower() in ("'s", "\u2019s") and " and " in body and (later := _AND_NAMED.search(body, m.end())):
        # `Dec's eyes drifted shut and Matty watched the clock`: the one acting in the later clause, not the one whose
        # eyes they are.
        tag = _subject(cast, later.group("subj"), offset + later.start("subj"), strength, False)
        if tag is not None:
            return tag
    verb = m.group("verb")
    if verb in ("was", "is", "were", "gets", "got") and _PASSIVE_SAID.match(body, m.end()):
        return None  # `Mara was told,`: the one spoken to
    if verb in _HEAR_LET:
        heard = _HEARD_SAY.match(body, m.end())
        if heard:
            # `Mara hears Teo say`, `Sam let Una answer.`: the one heard (or let speak) speaks.
            said = heard.group("said")
            if said in ("him", "her"):
                return Tag("pronoun", None, "male" if said == "him" else "female", strength, offset + heard.start("said"))
            return _subject(cast, said, offset + heard.start("said"), strength, False)
    subj = m.group("subj")
    new = (allow_new and len(subj.split()) == 1 and subj.lower().replace("\u2019", "'") not in _NOT_NAMES
           and subj[:1].isupper() and m.group("verb") not in _NOUNS_IN_S and not _CONTRACTION.search(subj)
           and subj.lower() not in cast.lower_words
           and (m.group("verb") not in ("was", "had") or _DOING.match(body, m.end()) is not None))
    return _subject(cast, subj, offset + m.start("subj"), strength, new)


_DOING = re.compile(r"\s+(?:still\s+|already\s+|just\s+)?[a-z]+ing\b")
"""`Dad was driving`: an action after `was`, unlike `Doubt was written`, `Dinner was hot dogs` (no new character)."""
_PASSIVE_SAID = re.compile(r"\s+(?:\w+ly\s+|then\s+|again\s+|being\s+|just\s+)?(?:told|asked|ordered|instructed|reminded|warned|informed|greeted|"
                          r"answered|interrupted|scolded|teased|thanked|addressed)\b")
"""A passive speech verb after a beat's subject: `“Sit down,” Mara was told.` names the one spoken to."""
_HEAR_LET = frozenset("hear hears heard overhears overheard let lets".split())
_HEARD_SAY = re.compile(rf"\s+(?P<said>{MENTION.pattern}|him|her)\s+(?:\w+ly\s+)?(?:say|says|said|saying|whisper|whispers|whispering|mutter|"
                        r"murmur|call|calls|shout|ask|asks|reply|answer|add|speak|explain|talk|do\s+the\s+talking)\b")
"""`Mara hears Teo say`, `Sam let Una answer.`: a beat whose subject listens while someone else speaks."""
_CONNECTOR = re.compile(r"(?:(?:And\s+)?[Tt]hen|Finally|At\s+last|Eventually|Instead|Quietly|Softly)\s*(?::|,|\u2014|--)?\s*")
"""A last sentence that only leads into the speech (`Gia said nothing. Then: “Left.”`): the sentence before names
the speaker."""


_CLAUSES = re.compile(r"(?:,|;)\s+(?:and\s+|but\s+)?(?:then\s+)?(?=[A-Z])")


def last_actor(cast: Cast, text: str) -> Tag | None:
    """The beat of the last clause of a paragraph of narration that names its subject:
    `Daon goes to the machine, and Sunwoo sits down next to him.` -> Sunwoo."""
    last = _last_sentence(text.rstrip())
    offset = len(text.rstrip()) - len(last)
    parts = list(_CLAUSES.finditer(last))
    for m in reversed(parts):
        tag = _beat(cast, last[m.end():], offset + m.end(), 0.6, False, parts=False)
        if tag is not None:
            return tag
    return None


def title_of(form: str) -> str | None:
    word = form.split()[0].rstrip(".").lower()
    return word if word in TITLES else None
