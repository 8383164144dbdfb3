"""`python -m dbom` runs the command line."""

from dbom.cli import main

main()
