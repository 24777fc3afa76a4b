"""Pure speech normalisation: numbers, years, times, dates, money, abbreviations and symbols as words."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
         " sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                      "nine": "ninth", "twelve": "twelfth"}
_MONTHS = ("January February March April May June July August September October November December").split()


def cardinal(n: int) -> str:
    """`1981` -> "one thousand nine hundred eighty-one" (no "and"; negative numbers get "minus")."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for value, name in _SCALES:
        if n >= value:
            head, rest = divmod(n, value)
            return f"{cardinal(head)} {name}" + (f" {cardinal(rest)}" if rest else "")
    return str(n)


def ordinal(n: int) -> str:
    """`21` -> "twenty-first"."""
    words = cardinal(n)
    head, sep, last = words.rpartition("-") if "-" in words.split(" ")[-1] else words.rpartition(" ")
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def year(n: int) -> str:
    """`1981` -> "nineteen eighty-one", `2005` -> "two thousand five", `1900` -> "nineteen hundred"."""
    if 2000 <= n <= 2009 or n < 1000 or n >= 10000:
        return cardinal(n)
    head, rest = divmod(n, 100)
    if rest == 0:
        return f"{cardinal(head)} hundred"
    return f"{cardinal(head)} {'oh ' + _ONES[rest] if rest < 10 else cardinal(rest)}"


def _digits(text: str) -> str:
    return " ".join(_ONES[int(d)] for d in text)


def _decimal(text: str) -> str:
    whole, _, frac = text.partition(".")
    words = cardinal(int(whole.replace(",", "") or 0))
    return f"{words} point {_digits(frac)}" if frac else words


# --- rules, applied in order -------------------------------------------------------------------

_ABBREV = (
    (re.compile(r"\bMrs\.(?=\s)"), "Missus"),
    (re.compile(r"\bMr\.(?=\s)"), "Mister"),
    (re.compile(r"\bMs\.(?=\s)"), "Miz"),
    (re.compile(r"\bMx\.(?=\s)"), "Mix"),
    (re.compile(r"\bDr\.(?=\s+[A-Z])"), "Doctor"),
    (re.compile(r"\bSt\.(?=\s+[A-Z])"), "Saint"),
    (re.compile(r"(?<=[a-z] )St\.(?=\s|$)|(?<=[A-Z][a-z] )St\.(?=[\s,]|$)"), "Street"),
    (re.compile(r"\bProf\.(?=\s)"), "Professor"),
    (re.compile(r"\bCapt\.(?=\s)"), "Captain"),
    (re.compile(r"\bLt\.(?=\s)"), "Lieutenant"),
    (re.compile(r"\bSgt\.(?=\s)"), "Sergeant"),
    (re.compile(r"\bGen\.(?=\s+[A-Z])"), "General"),
    (re.compile(r"\bRev\.(?=\s+[A-Z])"), "Reverend"),
    (re.compile(r"\bJr\.(?=[\s,]|$)"), "Junior"),
    (re.compile(r"\bSr\.(?=[\s,]|$)"), "Senior"),
    (re.compile(r"\bvs\.?(?=\s)"), "versus"),
    (re.compile(r"\betc\.(?=\s|$)"), "et cetera."),
    (re.compile(r"\betc\b"), "et cetera"),
    (re.compile(r"\be\.g\.(?=[\s,])"), "for example"),
    (re.compile(r"\bi\.e\.(?=[\s,])"), "that is"),
    (re.compile(r"\bNo\.(?=\s*\d)"), "number"),
)
_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
             "€": ("euro", "euros", "cent", "cents"), "¥": ("yen", "yen", "", "")}
_SCALE_WORDS = {"k": "thousand", "m": "million", "b": "billion", "bn": "billion", "t": "trillion"}

_MONEY = re.compile(r"([$£€¥])\s?(\d[\d,]*)(?:\.(\d{1,2}))?(?:\s?(k|m|bn|b|t|thousand|million|billion|trillion)\b)?",
                    re.IGNORECASE)
_COUNT = re.compile(r"\b(\d+(?:\.\d+)?)([KkMB])(?![\w])")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\s?([AaPp])(?:\.[Mm]\.|[Mm])(?![\w]))?")
_AMPM = re.compile(r"\b(\d{1,2})\s?([AaPp])(?:\.[Mm]\.|[Mm])(?![\w])")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_MONTH_DAY = re.compile(rf"\b({'|'.join(_MONTHS)})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(,?\s+(\d{{4}}))?")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({'|'.join(_MONTHS)})\b")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,$£€¥])\b(1[1-9]\d\d|20\d\d)(?![\d.,]\d)(s\b|'s\b|\b)")
_DECADE = re.compile(r"(?<![\w])['’](\d0)s\b")
_PERCENT = re.compile(r"(\d(?:[\d,]*\d)?(?:\.\d+)?)\s?%")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w]|\.\d)")


def _money(m: re.Match[str]) -> str:
    one, many, sub_one, sub_many = _CURRENCY[m.group(1)]
    whole = int(m.group(2).replace(",", ""))
    cents = m.group(3)
    scale = m.group(4)
    if scale:
        scale_word = _SCALE_WORDS.get(scale.lower(), scale.lower())
        amount = _decimal(m.group(2).replace(",", "") + (f".{cents}" if cents else ""))
        return f"{amount} {scale_word} {many}"
    words = f"{cardinal(whole)} {one if whole == 1 else many}"
    if cents and int(cents) and sub_one:
        c = int(cents.ljust(2, "0"))
        words += f" and {cardinal(c)} {sub_one if c == 1 else sub_many}"
    return words


def _count(m: re.Match[str]) -> str:
    scale = {"k": "thousand", "m": "million", "b": "billion"}[m.group(2).lower()]
    return f"{_decimal(m.group(1))} {scale}"


def _time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    suffix = f" {m.group(4).upper()} M" if m.group(4) else ""
    if minute == 0:
        spoken = f"{cardinal(hour)} o'clock" if not suffix else cardinal(hour)
    elif minute < 10:
        spoken = f"{cardinal(hour)} oh {_ONES[minute]}"
    else:
        spoken = f"{cardinal(hour)} {cardinal(minute)}"
    return spoken + suffix


def _kept_stop(m: re.Match[str]) -> str:
    """`a.m.` at the end of a sentence also ended the sentence: keep that full stop."""
    if not m.group(0).endswith("."):
        return ""
    rest = m.string[m.end():m.end() + 2]
    return "." if not rest.strip() or (rest[:1] == " " and rest[1:2].isupper()) else ""


def _iso_date(m: re.Match[str]) -> str:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return f"{_MONTHS[mo - 1]} {ordinal(d)}, {year(y)}"


def _slash_date(m: re.Match[str]) -> str:
    a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
    mo, d = (a, b) if a <= 12 else (b, a)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    yy = int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 50 else 1900 + int(y)
    return f"{_MONTHS[mo - 1]} {ordinal(d)}, {year(yy)}"


def _month_day(m: re.Match[str]) -> str:
    out = f"{m.group(1)} {ordinal(int(m.group(2)))}"
    if m.group(4):
        out += f", {year(int(m.group(4)))}"
    return out


def _year(m: re.Match[str]) -> str:
    words = year(int(m.group(1)))
    if m.group(2):
        plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
        return plural if m.group(2) == "s" else words + "'s"
    return words


def _decade(m: re.Match[str]) -> str:
    words = cardinal(int(m.group(1)))
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _number(m: re.Match[str]) -> str:
    whole = m.group(1).replace(",", "")
    if len(whole) > 15:
        return _digits(whole)
    if m.group(2):
        return _decimal(f"{whole}.{m.group(2)}")
    if len(whole) > 1 and whole.startswith("0"):
        return _digits(whole)
    return cardinal(int(whole))


def speakable(text: str) -> str:
    """Rewrite text so a speech engine says it right: `Dr. Reyes paid $3.50 at 3:45 on March 3rd, 1981`.

    Handles abbreviations, currency, counts like `2.9K`, times, dates, ordinals, years, decades, percentages,
    plain and decimal numbers, `&` and `%`. Pure and idempotent on its own output.
    """
    if not text:
        return text
    if "." in text or "vs" in text or "etc" in text:
        for pattern, word in _ABBREV:
            text = pattern.sub(word, text)
    if not any(ch.isdigit() for ch in text) and "&" not in text and "%" not in text:
        return text
    text = text.replace(" & ", " and ").replace("&", " and ")
    text = _MONEY.sub(_money, text)
    text = _ISO_DATE.sub(_iso_date, text)
    text = _SLASH_DATE.sub(_slash_date, text)
    text = _TIME.sub(lambda m: _time(m) + _kept_stop(m), text)
    text = _AMPM.sub(lambda m: f"{cardinal(int(m.group(1)))} {m.group(2).upper()} M" + _kept_stop(m), text)
    text = _MONTH_DAY.sub(_month_day, text)
    text = _DAY_MONTH.sub(lambda m: f"the {ordinal(int(m.group(1)))} of {m.group(2)}", text)
    text = _ORDINAL.sub(lambda m: ordinal(int(m.group(1))), text)
    text = _PERCENT.sub(lambda m: f"{_decimal(m.group(1).replace(',', ''))} percent", text)
    text = _COUNT.sub(_count, text)
    text = _DECADE.sub(_decade, text)
    text = _YEAR.sub(_year, text)
    text = _NUMBER.sub(_number, text)
    return text.replace("%", " percent")


def heading_title(title: str) -> str:
    """A chapter title for speech: `Part II: The Storm` -> "Part two: The Storm", `Chapter 4` -> "Chapter four"."""
    from castbook.chapters import roman_value

    def numeral(m: re.Match[str]) -> str:
        value = roman_value(m.group(2))
        return f"{m.group(1)} {cardinal(value)}" if value else m.group(0)

    title = re.sub(r"\b(Chapter|Part|Book|Volume|Act|Section)\s+([IVXLCDM]+)\b", numeral, title)
    return speakable(title)
