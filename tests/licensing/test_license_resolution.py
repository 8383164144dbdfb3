"""Deciding a dataset's license from its card and its license files."""

from __future__ import annotations

from pathlib import Path

from license_texts import APACHE_2, CC_BY_4, CC_BY_NC_4, MIT, UNKNOWN

from dbom.licensing.cards import Card, read_card
from dbom.licensing.detect import card_license, dataset_license, resolve_license
from dbom.licensing.license_files import find_license_files
from dbom.model import NOASSERTION, License


def dataset(tmp_path: Path, card: str | None = None, **files: str) -> tuple[Card | None, list[Path]]:
    """A dataset root with a README.md (when given) and license files named by keyword."""
    if card is not None:
        (tmp_path / "README.md").write_text(card, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return (read_card(tmp_path / "README.md") if card is not None else None), find_license_files(tmp_path)


def test_the_card_beats_the_file_and_the_disagreement_is_reported(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, "---\nlicense: cc-by-4.0\n---\n", LICENSE=CC_BY_NC_4)
    result = resolve_license(card, files, tmp_path)
    assert result.license == License(expression="CC-BY-4.0", source="card", acknowledgement="declared")
    assert len(result.conflicts) == 1
    assert result.conflicts[0].startswith("LICENSE: reads as CC-BY-NC-4.0, but the card declares CC-BY-4.0")
    assert dataset_license(card, files, tmp_path) == result.license


def test_no_conflict_when_they_agree(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, "---\nlicense: [mit, cc-by-4.0]\n---\n", LICENSE=MIT)
    result = resolve_license(card, files, tmp_path)
    assert result.license.expression == "MIT AND CC-BY-4.0"
    assert result.conflicts == ()


def test_a_recognised_file_when_the_card_says_nothing_definite(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, "---\nlicense: bsd\n---\n", **{"LICENSE.txt": APACHE_2})
    assert dataset_license(card, files, tmp_path) == License(expression="Apache-2.0", source="license-file",
                                                             acknowledgement="declared", path="LICENSE.txt")
    assert dataset_license(None, files, tmp_path).expression == "Apache-2.0"


def test_a_family_name_is_kept_when_no_file_helps(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, "---\nlicense: cc\n---\n", LICENSE=UNKNOWN)
    found = dataset_license(card, files, tmp_path)
    assert (found.expression, found.name, found.source) == (NOASSERTION, "cc", "card")


def test_nothing_known_is_noassertion(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, "# Just prose\n\nNo metadata.\n", LICENSE=UNKNOWN)
    found = dataset_license(card, files, tmp_path)
    assert found.expression == NOASSERTION
    assert not found.is_known
    assert dataset_license(None, [], tmp_path) == License()


def test_other_with_a_name_and_link(tmp_path: Path) -> None:
    text = "---\nlicense: other\nlicense_name: example-rl\nlicense_link: LICENSE\n---\n"
    card, files = dataset(tmp_path, text, LICENSE=UNKNOWN)
    found = dataset_license(card, files, tmp_path)
    assert found == License(expression="LicenseRef-example-rl", name="example-rl", source="card",
                            acknowledgement="declared", url="LICENSE")


def test_hub_only_license(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, "---\nlicense: llama3.1\n---\n")
    found = dataset_license(card, files, tmp_path)
    assert (found.expression, found.name) == ("LicenseRef-hf-llama3.1", "llama3.1")


def test_several_card_licenses_are_joined_with_and() -> None:
    both = card_license(Card(license=("cc-by-sa-4.0", "gemma")))
    assert (both.expression, both.name) == ("CC-BY-SA-4.0 AND LicenseRef-hf-gemma", "gemma")
    assert card_license(Card(license=("mit OR apache-2.0", "cc0-1.0"))).expression == \
        "(MIT OR Apache-2.0) AND CC0-1.0"
    partly_unknown = card_license(Card(license=("mit", "unknown")))
    assert (partly_unknown.expression, partly_unknown.name) == (NOASSERTION, "mit AND unknown")


def test_a_data_license_file_comes_before_license(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, None, LICENSE=MIT, DATA_LICENSE=CC_BY_4)
    assert dataset_license(card, files, tmp_path).expression == "CC-BY-4.0"


def test_an_unrecognised_data_license_is_not_replaced_by_the_code_license(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, None, LICENSE=MIT, **{"LICENSE-DATA.md": UNKNOWN})
    assert dataset_license(card, files, tmp_path).expression == NOASSERTION


def test_license_files_that_disagree_give_noassertion_and_say_so(tmp_path: Path) -> None:
    card, files = dataset(tmp_path, None, **{"LICENSE-MIT": MIT, "LICENSE-APACHE": APACHE_2})
    result = resolve_license(card, files, tmp_path)
    assert result.license.expression == NOASSERTION
    assert result.conflicts == ("license files disagree (LICENSE-APACHE reads as Apache-2.0, "
                                "LICENSE-MIT reads as MIT); no license taken from them",)
