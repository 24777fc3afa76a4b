"""python -m castbook -> the command line."""

from .cli import main

main()
