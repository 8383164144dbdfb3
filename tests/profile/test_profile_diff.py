"""`dbom diff` shows how the content profile changed: tokens and characters, languages, top domains.

Two releases of a JSON Lines corpus written here (real text in several languages, URLs of chosen hosts) are
scanned with `--profile exact` by the real command and compared in the three formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import run_dbom
from profile_texts import TEXTS

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def _release(folder: Path, mix: dict[str, int], hosts: list[str]) -> Path:
    """A corpus of `mix[language]` records of that language's text, URLs cycling through `hosts`."""
    folder.mkdir(parents=True)
    rows = [{"text": TEXTS[language], "url": f"https://{hosts[i % len(hosts)]}/p/{i}"}
            for language, count in mix.items() for i in range(count)]
    with open(folder / "data.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return folder


def _scan(folder: Path, out: Path, tokenizer: Path) -> dict[str, str]:
    done = run_dbom("scan", str(folder), "-o", str(out), "-q", "--profile", "exact", "--tokenizer", str(tokenizer),
                    env=ENV)
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    component = next(c for c in doc["components"] if c["type"] == "data")
    return {p["name"]: p["value"] for p in component["properties"]}


def _shares(props: dict[str, str]) -> dict[str, float]:
    return {item["language"]: item["share"] for item in json.loads(props["dbom:profile:languages"])}


def _domains(props: dict[str, str]) -> list[str]:
    return [item["domain"] for item in json.loads(props["dbom:profile:domains"])]


def test_diff_shows_the_profile_changes_in_every_format(tmp_path: Path, tokenizer_file: Path) -> None:
    small = [f"small{i}.org" for i in range(12)]
    old = _scan(_release(tmp_path / "a" / "corpus", {"en": 60, "de": 40}, ["alpha.org"] * 6 + ["beta.org"] * 4
                         + small), tmp_path / "old.json", tokenizer_file)
    new = _scan(_release(tmp_path / "b" / "corpus", {"en": 60, "fr": 30}, ["gamma.org"] * 6 + ["alpha.org"] * 2
                         + small), tmp_path / "new.json", tokenizer_file)
    old_shares, new_shares = _shares(old), _shares(new)
    assert "fr" in new_shares and "fr" not in old_shares and "de" in old_shares and "de" not in new_shares
    entered = [d for d in _domains(new) if d not in _domains(old)]
    left = [d for d in _domains(old) if d not in _domains(new)]
    assert entered and left

    done = run_dbom("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json")
    assert done.returncode == 1, done.stderr
    entry = next(d for d in json.loads(done.stdout)["datasets"] if d["name"] == "corpus")
    assert "profile" in entry["categories"]
    profile: dict[str, Any] = entry["profile"]
    assert profile["tokens"] == [int(old["dbom:profile:tokens"]), int(new["dbom:profile:tokens"])]
    assert profile["characters"] == [int(old["dbom:profile:characters"]), int(new["dbom:profile:characters"])]
    moved = {c["language"]: (c["old"], c["new"]) for c in profile["languages"]}
    assert moved["fr"] == (None, new_shares["fr"]) and moved["de"] == (old_shares["de"], None)
    assert ("en" in moved) == (abs(new_shares["en"] - old_shares["en"]) > 0.01)
    assert profile["domains_entered"] == entered and profile["domains_left"] == left
    assert all(c["name"] not in ("tokens", "languages", "domains") for c in profile["other"])

    text = run_dbom("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")).stdout
    assert (f"    profile tokens: {int(old['dbom:profile:tokens']):,} → {int(new['dbom:profile:tokens']):,}\n"
            in text)
    assert f"    profile language fr: — → {new_shares['fr'] * 100:.1f}%\n" in text
    assert f"    profile language de: {old_shares['de'] * 100:.1f}% → —\n" in text
    assert f"    profile top domains entered: — → {', '.join(entered)}\n" in text
    assert f"    profile top domains left: {', '.join(left)} → —\n" in text

    markdown = run_dbom("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "markdown").stdout
    assert f"| profile language fr | — | {new_shares['fr'] * 100:.1f}% |" in markdown
    assert f"| profile top domains left | {', '.join(left)} | — |" in markdown

    # the same release twice: no profile change
    same = run_dbom("diff", str(tmp_path / "new.json"), str(tmp_path / "new.json"), "--format", "json")
    assert same.returncode == 0 and all(d["profile"] is None for d in json.loads(same.stdout)["datasets"])
