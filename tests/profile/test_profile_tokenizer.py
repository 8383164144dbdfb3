"""Token counts by a real tokenizer.json (trained here), its name and SHA-256, and the errors for bad paths."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from profile_texts import TEXTS, train_tokenizer
from tokenizers import Tokenizer

from dbom.errors import DbomError
from dbom.profile.tokenizer import TokenCounter


def test_counts_are_the_tokenizers_own_without_special_tokens(tokenizer_file: Path) -> None:
    counter = TokenCounter.from_path(tokenizer_file)
    reference = Tokenizer.from_file(str(tokenizer_file))
    texts = [*TEXTS.values(), "", "a b c"]
    counts = counter.count(texts)
    assert counts == [len(reference.encode(text, add_special_tokens=False).ids) for text in texts]
    assert counts[0] == len(reference.encode(texts[0]).ids) - 1  # the model's [BOS] is not counted
    assert counts[0] > 20 and counter.count([]) == []


def test_a_model_folder_and_its_file_are_the_same_tokenizer(tokenizer_file: Path) -> None:
    by_file, by_folder = TokenCounter.from_path(tokenizer_file), TokenCounter.from_path(tokenizer_file.parent)
    sha256 = hashlib.sha256(tokenizer_file.read_bytes()).hexdigest()
    assert by_file.identity() == by_folder.identity() == {"name": "tiny-lm", "sha256": sha256}


def test_another_tokenizer_has_another_identity_and_counts(tmp_path: Path, tokenizer_file: Path) -> None:
    words = TokenCounter.from_path(train_tokenizer(tmp_path / "words", kind="wordlevel"))
    bpe = TokenCounter.from_path(tokenizer_file)
    assert words.sha256 != bpe.sha256 and words.name == "words"
    assert words.count([TEXTS["en"]]) == [len(Tokenizer.from_file(str(tmp_path / "words" / "tokenizer.json"))
                                              .encode(TEXTS["en"]).ids)]
    renamed = tmp_path / "tok.json"
    renamed.write_bytes(tokenizer_file.read_bytes())
    assert TokenCounter.from_path(renamed).name == "tok.json"


@pytest.mark.parametrize(("make", "cause"), [
    (lambda root: root / "absent.json", "no such tokenizer file"),
    (lambda root: root, "no tokenizer.json in this folder"),
    (lambda root: _write(root / "tokenizer.json", b'{"not": "a tokenizer"}'), "not a tokenizers tokenizer.json"),
    (lambda root: _write(root / "tokenizer.json", b"\xff\xfe"), "not a tokenizers tokenizer.json"),
])
def test_a_bad_path_is_a_one_line_error_naming_it(tmp_path: Path, make: object, cause: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(DbomError) as caught:
        TokenCounter.from_path(path)
    assert cause in str(caught.value) and str(path) in str(caught.value) and "\n" not in str(caught.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
