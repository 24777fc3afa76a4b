"""Covers: generated ones are big, legible and never overflow; the work's own is kept or made safe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageStat

from castbook import cover as cover_mod
from castbook.cover import MAX_SIDE, cover_for, cover_layout, generated_cover
from castbook.model import Chapter, Work

LONG_TITLE = " ".join(["Wherein the Lighthouse Keeper's Apprentice Finds"] * 7)[:300]
assert len(LONG_TITLE) == 300


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _work(cover: bytes | None, title: str | None = "The Lantern Keeper", author: str | None = "Ann Author") -> Work:
    return Work(Path("/books/lantern.epub"), title, author, (Chapter(1, "One", ("Text.",)),), cover=cover)


def _image_bytes(mode: str, size: tuple[int, int], fmt: str, colour) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def _inside(boxes, size: int) -> None:
    draw = ImageDraw.Draw(Image.new("RGB", (size, size)))
    for box in boxes:
        left, top, right, bottom = draw.textbbox(box.xy, box.text, font=box.font, anchor="la")
        assert 0 <= left and right <= size and 0 <= top and bottom <= size, (box.text, (left, top, right, bottom))


@pytest.fixture(params=["system font", "Pillow's bundled font"])
def fonts(request, monkeypatch):
    """Run with DejaVu (when installed) and with Pillow's own scalable font."""
    if request.param != "system font":
        monkeypatch.setattr(cover_mod, "_FONT_DIRS", ())
    return request.param


def test_generated_cover_is_a_big_jpeg_with_text(fonts):
    data = generated_cover("The Lantern Keeper", "Ann Author")
    image = _open(data)
    assert image.format == "JPEG" and image.size == (1400, 1400)
    # the title band has text (ink on a smooth gradient), a band of the same height above it does not
    boxes = cover_layout("The Lantern Keeper", "Ann Author")
    top, bottom = boxes[0].xy[1], boxes[1].xy[1] + boxes[1].font.size
    text_band = image.crop((0, top, 1400, bottom)).convert("L")
    blank_band = image.crop((0, 0, 1400, bottom - top)).convert("L")
    assert ImageStat.Stat(text_band).stddev[0] > 5 * ImageStat.Stat(blank_band).stddev[0] + 10
    assert [b.text for b in boxes] == ["The Lantern", "Keeper", "Ann Author"]


def test_a_300_character_title_wraps_and_fits(fonts):
    boxes = cover_layout(LONG_TITLE, "A Rather Long Pen Name and a Co-Author With Another Long Name")
    _inside(boxes, 1400)
    title_lines = [b.text for b in boxes if b.fill == boxes[0].fill]
    assert " ".join(title_lines) == " ".join(LONG_TITLE.split())  # wrapped, nothing cut
    assert boxes[0].font.size < cover_layout("Short", None)[0].font.size
    assert _open(generated_cover(LONG_TITLE, None)).size == (1400, 1400)


def test_unbreakable_and_absurd_titles_still_fit(fonts):
    boxes = cover_layout("X" * 2000, "Y" * 300, size=1400)
    _inside(boxes, 1400)
    title = [b.text for b in boxes if b.fill == boxes[0].fill]
    assert title[-1].endswith("\u2026") and len(title) > 3
    assert any(b.text.startswith("YYY") for b in boxes)


def test_bigger_covers_scale_up():
    image = _open(generated_cover("Title", "Author", size=2000))
    assert image.size == (2000, 2000)


def test_the_works_own_jpeg_and_png_are_kept_byte_for_byte():
    jpeg = _image_bytes("RGB", (600, 900), "JPEG", (200, 30, 30))
    png = _image_bytes("RGBA", (500, 500), "PNG", (0, 90, 0, 128))
    assert cover_for(_work(jpeg)) == (jpeg, "image/jpeg")
    kept = cover_for(_work(png))
    assert kept == (png, "image/png") and kept.ext == "png"


def test_other_formats_and_cmyk_become_rgb_jpeg():
    for data in (_image_bytes("RGB", (300, 400), "GIF", (10, 20, 200)),
                 _image_bytes("RGB", (300, 400), "WEBP", (10, 20, 200)),
                 _image_bytes("CMYK", (300, 400), "JPEG", (0, 255, 255, 0))):
        got = cover_for(_work(data))
        image = _open(got.data)
        assert got.mime == "image/jpeg" and got.ext == "jpg" and image.format == "JPEG" and image.mode == "RGB"
        assert image.size == (300, 400)


def test_a_huge_cover_is_scaled_down(monkeypatch):
    assert MAX_SIDE >= 1400
    monkeypatch.setattr(cover_mod, "MAX_SIDE", 500)  # small numbers keep the test quick
    data = _image_bytes("RGB", (1000, 600), "PNG", (40, 40, 40))
    got = cover_for(_work(data))
    assert got.mime == "image/jpeg" and _open(got.data).size == (500, 300)


def test_no_or_broken_cover_falls_back_to_a_generated_one(caplog):
    for data in (None, b"", b"\x89PNG\r\n\x1a\nnot really"):
        got = cover_for(_work(data))
        assert got.mime == "image/jpeg" and _open(got.data).size == (1400, 1400)
    assert "cover image cannot be read" in caplog.text and "lantern.epub" in caplog.text
    assert cover_for(_work(None, title=None, author=None)).data == generated_cover("lantern", None)
