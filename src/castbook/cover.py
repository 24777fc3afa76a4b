"""Cover art: the work's own image, made safe for players, or a generated title + author cover."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from .model import Work

log = logging.getLogger(__name__)

MAX_SIDE: Final = 3000
"""A cover larger than this on either side is scaled down (players and servers want <= 3000 px)."""
MAX_BYTES: Final = 4_000_000
"""A cover file larger than this is re-encoded as JPEG."""
_JPEG_QUALITY: Final = 90
_MAX_CHARS: Final = 400

# Debian's fonts-dejavu-core, then other common TrueType fonts; Pillow's bundled font otherwise.
_FONT_DIRS: Final = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu",
                     "/usr/share/fonts/truetype/liberation")
_FONT_FILES: dict[str, tuple[str, ...]] = {
    "title": ("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"),
    "author": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
}
# Calm backgrounds (top, bottom of a vertical gradient) with a light ink; picked by the title's hash.
_PALETTES: Final = (
    ((32, 48, 66), (18, 26, 38)),
    ((44, 62, 54), (22, 33, 29)),
    ((70, 46, 52), (36, 22, 28)),
    ((52, 48, 74), (26, 24, 40)),
    ((74, 60, 40), (38, 30, 20)),
)
_INK: Final = (244, 238, 224)
_ACCENT: Final = (196, 164, 108)


class Cover(NamedTuple):
    """Cover image bytes and their MIME type ("image/jpeg" or "image/png")."""

    data: bytes
    mime: str

    @property
    def ext(self) -> str:
        """File extension without the dot: "jpg" or "png"."""
        return "png" if self.mime == "image/png" else "jpg"


@dataclass(frozen=True, slots=True)
class TextBox:
    """One line of text as drawn on the cover."""

    text: str
    """The words on this line."""
    xy: tuple[int, int]
    """Top-left anchor (Pillow's "la" anchor) where the line is drawn."""
    font: ImageFont.FreeTypeFont
    """The font and size used."""
    fill: tuple[int, int, int]
    """Text colour."""


def _font(role: str, size: int) -> ImageFont.FreeTypeFont:
    """A TrueType font for the role at size px: a system font if present, else Pillow's bundled one."""
    for folder in _FONT_DIRS:
        for name in _FONT_FILES[role]:
            path = Path(folder) / name
            if path.is_file():
                try:
                    return ImageFont.truetype(str(path), size)
                except OSError:
                    continue
    return ImageFont.load_default(size=size)  # type: ignore[return-value]  # FreeType font in Pillow >= 10.1


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to width px; a word wider than a line is broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.getlength(word) > width:  # break an over-long word where its prefix still fits
            low, high = 1, len(word)
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if font.getlength(word[:mid]) <= width else (low, mid - 1)
            cut = low
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fit(text: str, role: str, width: int, height: int, largest: int, smallest: int,
         spacing: float = 1.2) -> tuple[ImageFont.FreeTypeFont, list[str], int]:
    """The largest font size at which text wraps into width x height; (font, lines, line height)."""
    text = " ".join(text.split())
    if len(text) > _MAX_CHARS:  # no cover shows more legibly; keeps the fitting quick
        text = text[:_MAX_CHARS].rstrip() + "\u2026"
    size = largest
    while True:
        font = _font(role, size)
        line_h = round(size * spacing)
        lines = _wrap(text, font, width)
        if len(lines) * line_h <= height or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    max_lines = max(1, height // line_h)
    if len(lines) > max_lines:  # even the smallest size overflows: end on an ellipsis
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "\u2026") > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "\u2026"
    return font, lines, line_h


def cover_layout(title: str, author: str | None, size: int = 1400) -> list[TextBox]:
    """Where each line of the title and author goes on a size x size cover."""
    margin = size // 10
    width = size - 2 * margin
    title_top, title_h = margin, size * 65 // 100 - margin
    font, lines, line_h = _fit(title, "title", width, title_h, largest=size // 9, smallest=size // 50)
    y = title_top + (title_h - len(lines) * line_h) // 2
    boxes = []
    for line in lines:
        boxes.append(TextBox(line, ((size - round(font.getlength(line))) // 2, y), font, _INK))
        y += line_h
    if author:
        author_top, author_h = size * 74 // 100, size * 90 // 100 - size * 74 // 100
        font, lines, line_h = _fit(author, "author", width, author_h, largest=size // 18, smallest=size // 60)
        y = author_top + (author_h - len(lines) * line_h) // 2
        for line in lines:
            boxes.append(TextBox(line, ((size - round(font.getlength(line))) // 2, y), font, _ACCENT))
            y += line_h
    return boxes


def generated_cover(title: str, author: str | None, size: int = 1400) -> bytes:
    """A JPEG cover, size x size: the title large and wrapped, the author below, on a calm gradient."""
    top, bottom = _PALETTES[hashlib.sha256(title.encode()).digest()[0] % len(_PALETTES)]
    gradient = Image.linear_gradient("L").resize((size, size))
    image = Image.composite(Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), gradient)
    draw = ImageDraw.Draw(image)
    rule_y = size * 70 // 100
    if author:
        draw.line([(size * 2 // 5, rule_y), (size * 3 // 5, rule_y)], fill=_ACCENT, width=max(2, size // 350))
    for box in cover_layout(title, author, size):
        draw.text(box.xy, box.text, font=box.font, fill=box.fill, anchor="la")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _player_safe(data: bytes) -> Cover:
    """The image as a player-safe JPEG or PNG (RGB, at most MAX_SIDE); raises OSError if unreadable."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        fmt = image.format
        if (fmt in ("JPEG", "PNG") and max(image.size) <= MAX_SIDE and len(data) <= MAX_BYTES
                and image.mode in ("RGB", "L", "RGBA", "P", "LA")):
            return Cover(data, "image/jpeg" if fmt == "JPEG" else "image/png")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        else:
            image = image.convert("RGB")  # CMYK JPEGs show wrong colours or not at all in many players
        out = io.BytesIO()
        image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
        return Cover(out.getvalue(), "image/jpeg")


def cover_for(work: Work, size: int = 1400) -> Cover:
    """The work's own cover (made player-safe) when it has a readable one, else a generated cover."""
    if work.cover:
        try:
            return _player_safe(work.cover)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
            log.warning("%s: its cover image cannot be read (%s); using a generated cover", work.source, exc)
    return Cover(generated_cover(work.title or work.source.stem, work.author, size), "image/jpeg")
