"""`python -m dbom` runs the command line."""

if __name__ == "__main__":  # worker processes re-import this module (as __mp_main__): they must not run the CLI,
    from dbom.cli import run  # nor import it (click and the CLI: a twentieth of a worker's start)

    run()
