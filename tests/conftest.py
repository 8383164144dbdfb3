"""Fixtures shared by all tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from corpora import make_corpus
from helpers import CACHE_ENV

_MODULE_SETTINGS = {
    "datasets.config": {"XDG_CACHE_HOME": "", "HF_CACHE_HOME": "huggingface",
                        "HF_DATASETS_CACHE": "huggingface/datasets",
                        "DOWNLOADED_DATASETS_PATH": "huggingface/datasets/downloads",
                        "EXTRACTED_DATASETS_PATH": "huggingface/datasets/downloads/extracted",
                        "HF_MODULES_CACHE": "huggingface/modules"},
    "huggingface_hub.constants": {"HF_HOME": "huggingface", "HF_HUB_CACHE": "huggingface/hub",
                                  "HUGGINGFACE_HUB_CACHE": "huggingface/hub", "HF_ASSETS_CACHE": "huggingface/assets",
                                  "HUGGINGFACE_ASSETS_CACHE": "huggingface/assets", "HF_XET_CACHE": "huggingface/xet",
                                  "HF_TOKEN_PATH": "huggingface/token",
                                  "HF_STORED_TOKENS_PATH": "huggingface/stored_tokens"},
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own fingerprint cache and its own library caches, never the user's."""
    monkeypatch.setenv("DBOM_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    home = tmp_path_factory.mktemp("cache-home")
    for name, relative in CACHE_ENV.items():
        monkeypatch.setenv(name, str(home / relative))
    for module_name, settings in _MODULE_SETTINGS.items():
        module = sys.modules.get(module_name)
        for attr, relative in settings.items() if module is not None else ():
            value = home / relative
            # datasets keeps its settings as Path or str, huggingface_hub as str: keep each one's type
            monkeypatch.setattr(module, attr, value if isinstance(getattr(module, attr, None), Path) else str(value))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Two small datasets: `alpha` (Parquet, with a card and LICENSE) and `beta` (JSONL.gz)."""
    return make_corpus(tmp_path / "corpus")
