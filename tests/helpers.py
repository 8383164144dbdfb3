"""Running the real `dbom` command and reading what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_dbom(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             prefix: tuple[str, ...] = (), **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run `python -m dbom ARGS` (after the command `prefix`, if any) and capture its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([*prefix, sys.executable, "-m", "dbom", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=300, check=False, **kwargs)


def load_json(path: Path) -> dict[str, Any]:
    """Parse a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def props(component: dict[str, Any]) -> dict[str, str]:
    """A component's properties as a dict."""
    return {p["name"]: p["value"] for p in component.get("properties", [])}


def datasets_by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The data components of a document, by name."""
    return {c["name"]: c for c in doc["components"] if c["type"] == "data"}


def shards_of(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The shard components nested under a dataset component, by path."""
    return {c["name"]: c for c in dataset.get("components", []) if props(c).get("dbom:role") == "shard"}
