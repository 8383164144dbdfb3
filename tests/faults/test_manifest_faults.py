"""A hostile or broken manifest is one line naming the file (and the line), fast, in little memory."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_dbom
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbom.errors import DbomError
from dbom.manifest import load_manifest


def _bomb() -> str:
    lines = ["model: {name: m}", 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\nsteps:\n  - name: s\n    args: {v: *a8}\n"


CASES = {
    "alias-bomb": (_bomb(), "line 7: expands to more than 200,000 values"),
    "deep-flow": ("model: {name: m}\nsteps:\n  - name: s\n    args: {v: " + "[" * 100_000 + "]" * 100_000 + "}\n",
                  "nested too deeply"),
    "deep-block": ("model: {name: m}\nsteps:\n  - name: s\n    args:\n" +
                   "".join("  " * (i + 3) + f"k{i}:\n" for i in range(100)) + "  " * 103 + "v\n", "nested too deeply"),
    "duplicate-key": ("model: {name: m}\ndatasets: []\nmodel: {name: n}\n",
                      "line 3: invalid YAML: duplicate key 'model' (lines 1 and 3)"),
    "duplicate-nested": ("model:\n  name: m\n  name: n\n", "duplicate key 'name' (lines 2 and 3)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_manifest_is_one_line(tmp_path: Path, case: str) -> None:
    text, cause = CASES[case]
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(text, encoding="utf-8")
    # a memory bound for the whole process: the alias bomb took 11 GB before
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
            "sys.argv = ['dbom', *sys.argv[1:]]; from dbom.cli import run; run()")
    done = subprocess.run([sys.executable, "-c", code, "scan", "-c", str(manifest), "-o", str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"dbom: error: {manifest}: ") and cause in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1 and not (tmp_path / "out.json").exists()


def test_a_real_manifest_still_loads(tmp_path: Path) -> None:
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text("base: &base {access: open}\nmodel: {name: m}\ndatasets:\n  - name: d\n    path: d/\n"
                        "    access: open\n")
    with pytest.raises(DbomError, match="unknown key 'base'"):
        load_manifest(manifest)
    manifest.write_text("model: {name: m}\ndatasets:\n  - name: d\n    path: d/\n    languages: [en, fr]\n")
    assert load_manifest(manifest).datasets[0].facts["languages"]
    assert run_dbom("init", str(tmp_path), "-o", str(tmp_path / "drafted.yaml")).returncode == 0
    load_manifest(tmp_path / "drafted.yaml")


YAMLISH = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"# \n\t0123,.%@`?\\")), max_size=200)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(YAMLISH, st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_any_text_as_a_manifest_is_a_manifest_or_a_dbom_error(tmp_path: Path, text: str) -> None:
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(text, encoding="utf-8")
    with contextlib.suppress(DbomError):  # anything else (a KeyError, a RecursionError...) fails the test
        load_manifest(manifest)
