"""`python -m dbom` runs the command line."""

from dbom.cli import run

if __name__ == "__main__":  # worker processes re-import this module; they must not run the CLI
    run()
