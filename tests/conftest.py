"""Fixtures shared by all tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import make_corpus


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own fingerprint cache, never the user's."""
    monkeypatch.setenv("DBOM_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Two small datasets: `alpha` (Parquet, with a card and LICENSE) and `beta` (JSONL.gz)."""
    return make_corpus(tmp_path / "corpus")
