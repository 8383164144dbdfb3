"""The `dbom[profile]` extra: importing dbom.profile needs none of it; using a part without it is one line."""

from __future__ import annotations

import os
import subprocess
import sys

from corpora import REPO

_WITHOUT = """
import sys
sys.modules[{module!r}] = None  # as if the library were not installed
from dbom.errors import DbomError
from dbom.profile.accumulator import ProfileAccumulator
try:
    ProfileAccumulator().add([{{"text": "Hello world, this is English.", "url": "https://a.example.com/"}}])
except DbomError as exc:
    print(exc)
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False,
                          cwd=REPO)


def test_importing_the_package_imports_none_of_the_extra() -> None:
    result = _run("import sys, dbom.profile\nprint(sorted(m for m in ('pycld2', 'tldextract', 'tokenizers') "
                  "if m in sys.modules))")
    assert result.returncode == 0 and result.stdout.strip() == "[]"


def test_a_missing_library_is_one_line_naming_the_extra() -> None:
    for module in ("pycld2", "tldextract"):
        result = _run(_WITHOUT.format(module=module))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.strip().splitlines()
        assert lines == [f"the content profile needs the dbom[profile] extra ({module} is not installed): "
                         "pip install 'dbom[profile]'"]
