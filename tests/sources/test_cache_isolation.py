"""The tests keep every library cache in their own temporary folders, never in the user's home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from helpers import CACHE_ENV

TESTS = Path(__file__).resolve().parent.parent


def test_a_datasets_load_and_a_subprocess_use_the_tests_caches(tmp_path: Path,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(3)))
    loaded = datasets.load_dataset("json", data_files=str(data), split="train")  # no cache_dir: the default cache
    cache = Path(os.environ["HF_DATASETS_CACHE"])
    assert cache.is_relative_to(base) and Path(loaded.cache_files[0]["filename"]).is_relative_to(cache)
    assert list(cache.glob("*.lock"))  # the builder's lock files are there too
    code = ("import json, os, datasets.config as d, huggingface_hub.constants as h; print(json.dumps([str(p) for p in "
            "(d.HF_DATASETS_CACHE, d.HF_MODULES_CACHE, h.HF_HUB_CACHE, h.HF_TOKEN_PATH, h.HF_XET_CACHE, "
            f"*(os.environ[k] for k in {sorted(CACHE_ENV)!r}))]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(done.stdout)
    assert len(seen) == 5 + len(CACHE_ENV) and all(Path(p).is_relative_to(base) for p in seen)


def test_the_datasets_tests_leave_the_home_folder_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in CACHE_ENV and k != "DBOM_CACHE_DIR"}
    env["HOME"] = str(home)  # where every library would otherwise put its caches (~/.cache/...)
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
               "--basetemp", str(tmp_path / "basetemp"), str(TESTS / "sources" / "test_hf_datasets_source.py")]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []
