"""Reading dataset cards: front matter, description, homepage, citation, and broken cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbom.errors import DbomError
from dbom.licensing import cards
from dbom.licensing.cards import MAX_DESCRIPTION_CHARS, Card, find_card, read_card

HF_CARD = """---
license:
- cc-by-nc-4.0
- odbl
license_name: null
pretty_name: Example Reviews
language:
- en
- fr
task_categories:
- text-classification
size_categories:
- 10K<n<100K
---

# Dataset Card for Example Reviews

<!-- Provide a quick summary of the dataset. -->

This dataset card aims to be a base template for new datasets. It has been generated using
[this raw template](https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/templates/datasetcard_template.md?plain=1).

## Table of Contents
- [Dataset Description](#dataset-description)
- [Citation](#citation)

## Dataset Description

- **Homepage:** [https://example.org/reviews](https://example.org/reviews)
- **Repository:** https://github.com/example/reviews
- **Paper:** [More Information Needed]

### Dataset Summary

[More Information Needed]

The **Example Reviews** corpus holds _product reviews_ collected from
[a public forum](https://forum.example.org) between 2019 and 2021, with `star` ratings.

A second paragraph that is not the description.

### Citation Information

```bibtex
@inproceedings{example2021reviews,
  title = {Example Reviews},
  year = {2021}
}
```
"""


def write(tmp_path: Path, text: str, name: str = "README.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_hugging_face_card(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, HF_CARD))
    assert card.license == ("cc-by-nc-4.0", "odbl")
    assert card.license_name is None
    assert card.pretty_name == "Example Reviews"
    assert card.language == ("en", "fr")
    assert card.homepage == "https://example.org/reviews"
    assert card.description == (
        "The Example Reviews corpus holds product reviews collected from a public forum between 2019 "
        "and 2021, with star ratings."
    )
    assert card.citation is not None
    assert card.citation.startswith("@inproceedings{example2021reviews,")
    assert card.citation.endswith("}")


def test_front_matter_fields_win_over_the_body(tmp_path: Path) -> None:
    text = HF_CARD.replace("pretty_name:", "description: From the *metadata*.\nhomepage: https://meta.example\n"
                                           "pretty_name:")
    card = read_card(write(tmp_path, text))
    assert card.description == "From the metadata."
    assert card.homepage == "https://meta.example"


def test_a_single_license_string_and_other_fields(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, """---
license: other
license_name: example-research-license
license_link: LICENSE
language: de
url: https://data.example/set
---
Plain text with no heading at all.
"""))
    assert card.license == ("other",)
    assert card.license_name == "example-research-license"
    assert card.license_link == "LICENSE"
    assert card.language == ("de",)
    assert card.homepage == "https://data.example/set"
    assert card.description == "Plain text with no heading at all."


def test_a_card_without_front_matter(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, """# My data

![banner](banner.png)

This data set has **no** metadata block.

Homepage: https://my.example/data.
"""))
    assert card == Card(description="This data set has no metadata block.", homepage="https://my.example/data")


def test_an_untagged_bibtex_block_is_a_citation(tmp_path: Path) -> None:
    text = "# T\n\nText.\n\n```\n@article{x, title={X}}\n```\n\n```python\nx = 1\n```\n"
    card = read_card(write(tmp_path, text))
    assert card.citation == "@article{x, title={X}}"
    assert read_card(write(tmp_path, "# T\n\n```python\nprint(1)\n```\n")).citation is None


@pytest.mark.parametrize(("front_matter", "reason"), [
    ("license: [mit\npretty_name: x\n", "invalid YAML front matter: "),
    ("license: mit\n  bad: indent\n", "invalid YAML front matter: "),
    ("- just\n- a list\n", "invalid YAML front matter: a list, not a mapping"),
])
def test_broken_front_matter_is_a_one_line_error_naming_the_file(tmp_path: Path, front_matter: str,
                                                                  reason: str) -> None:
    path = write(tmp_path, f"---\n{front_matter}---\n# Title\n")
    with pytest.raises(DbomError) as caught:
        read_card(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {reason}")
    assert caught.value.path == str(path)


def test_the_yaml_error_names_the_line_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "---\nlicense: mit\npretty_name: [unclosed\n---\n")
    with pytest.raises(DbomError, match=r"line \d+"):
        read_card(path)


def test_an_unclosed_front_matter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DbomError, match="never closed"):
        read_card(write(tmp_path, "---\nlicense: mit\n\n# Title\n"))


def test_an_empty_front_matter_is_an_empty_mapping(tmp_path: Path) -> None:
    assert read_card(write(tmp_path, "---\n---\n# T\n\nHello.\n")) == Card(description="Hello.")


def test_long_descriptions_are_capped(tmp_path: Path) -> None:
    card = read_card(write(tmp_path, "# T\n\n" + "word " * 2000 + "\n"))
    assert card.description is not None
    assert len(card.description) <= MAX_DESCRIPTION_CHARS
    assert card.description.endswith("…")


def test_reading_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "---\nlicense: mit\n---\n# T\n\nFirst.\n\n" + "x" * 100_000 + "\n")
    monkeypatch.setattr(cards, "MAX_CARD_BYTES", 40)
    card = read_card(path)
    assert card.license == ("mit",)
    assert card.description == "First."


def test_unreadable_card(tmp_path: Path) -> None:
    with pytest.raises(DbomError, match="cannot read"):
        read_card(tmp_path / "README.md")


def test_find_card(tmp_path: Path) -> None:
    assert find_card(tmp_path) is None
    write(tmp_path, "x", "readme.txt")
    write(tmp_path, "x", "Readme.MD")
    found = find_card(tmp_path)
    assert found is not None and found.name == "Readme.MD"
