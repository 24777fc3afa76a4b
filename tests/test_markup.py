"""Names, titles and paths that look like rich markup are printed as written, never styled or crashing."""

from __future__ import annotations

from typer.testing import CliRunner

from castbook.cli import app

from .conftest import SEEDS, write

runner = CliRunner()
LANTERN = SEEDS / "the-lantern-keeper.txt"

BRACKETED = """\
characters:
  "[b]Mara[/b]":
    voice: en-us+f2
    aliases: [Mara]
  "[/x]": en-us+m3
"""


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_markup_like_names_print_literally(in_tmp):
    write(in_tmp / "voices.yaml", BRACKETED)
    res = run("cast", LANTERN)
    assert res.exit_code == 0, res.output
    assert "[b]Mara[/b]" in res.stdout  # the cast name as written, not "Mara" in bold

    res = run("voices", "check", LANTERN)
    assert res.exit_code == 0, res.output
    assert "  [/x]" in res.stdout.splitlines()  # a closing tag alone used to crash the command

    res = run("voices", "set", "[i]Eli[/i]", "--voice", "en-gb")
    assert res.exit_code == 0, res.output
    assert "added [i]Eli[/i] (en-gb" in res.stdout

    res = run("cast", LANTERN, "--write")
    assert res.exit_code == 0, res.output
    assert "added" in res.stdout and "[/x]" in (in_tmp / "voices.yaml").read_text()
