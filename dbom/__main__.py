"""`python -m dbom` runs the command line."""

if __name__ == "__main__":  # worker processes re-import this module; they must not run the CLI (nor import it)
    from dbom.cli import run

    run()
