"""Repeated bom-refs among streamed components, whether each was checked as it came (`item`) or copied in a
run from an earlier write's lines (`known_items`, found at the end by sorting): each repeat is one problem
naming the bom-ref, at the later component, and a bom-ref copied in a run is known to the rest of the document."""

from __future__ import annotations

from typing import Any

import xxhash

from dbom.cyclonedx.validate import StreamingValidator

PARENT = (None, "components")


def _digests(refs: list[str]) -> bytes:
    return b"".join(xxhash.xxh3_128_digest(ref.encode()) for ref in refs)


def _one(checker: StreamingValidator, ref: str, index: int) -> None:
    checker.item({"type": "data", "name": ref, "bom-ref": ref}, (PARENT, index))


def _run(checker: StreamingValidator, refs: list[str], index: int) -> None:
    checker.known_items((PARENT, index), _digests(refs), lambda i: refs[i])


def _duplicates(checker: StreamingValidator, doc: dict[str, Any] | None = None) -> list[str]:
    problems = checker.finish({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [], **(doc or {})},
                              header=[])
    return [p for p in problems if "duplicate bom-ref" in p]


def test_repeats_between_items_and_copied_runs_are_each_one_problem_at_the_later() -> None:
    checker = StreamingValidator(None)
    _one(checker, "file:a/0", 0)
    _run(checker, ["file:a/1", "file:a/0", "file:a/2"], 1)  # a copy repeats the item before it
    _one(checker, "file:a/2", 4)  # an item repeats a copy before it
    _run(checker, ["file:a/3", "file:a/1"], 5)  # one run repeats another
    _one(checker, "file:a/0", 7)  # a third of one bom-ref: the item before it was one by one
    _one(checker, "file:a/4", 8)
    found = _duplicates(checker)
    assert len(found) == 4, found
    for at, ref in ((2, "file:a/0"), (4, "file:a/2"), (6, "file:a/1"), (7, "file:a/0")):
        assert sum(f"components[{at}]" in p and f'"{ref}"' in p for p in found) == 1, (at, ref, found)
    assert not any('"file:a/3"' in p or '"file:a/4"' in p for p in found)


def test_no_repeat_is_no_problem_and_a_copied_bom_ref_is_known() -> None:
    checker = StreamingValidator(None)
    _run(checker, [f"file:b/{i}" for i in range(500)], 0)
    _one(checker, "file:b/new", 500)
    _run(checker, [f"file:b/{i}" for i in range(500, 900)], 501)
    # a dependency on a copied bom-ref is not dangling; a dataset with a copied file's bom-ref is a repeat
    doc = {"dependencies": [{"ref": "file:b/new", "dependsOn": ["file:b/7", "file:b/899"]}],
           "metadata": {"component": {"type": "data", "name": "x", "bom-ref": "file:b/650"}}}
    problems = checker.finish({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [], **doc}, header=[])
    assert not any("does not match any bom-ref" in p for p in problems), problems
    assert sum("duplicate bom-ref" in p and '"file:b/650"' in p for p in problems) == 1, problems
    assert sum("duplicate bom-ref" in p for p in problems) == 1
