"""A manifest's licenses: normalised to SPDX when they map to it, refused with the line when they do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import copy_samples
from helpers import datasets_by_name, load_json, props, run_dbom

from dbom.errors import ManifestError
from dbom.licensing.stated import stated_license
from dbom.manifest import load_manifest


@pytest.mark.parametrize(("written", "spdx"), [
    ("cc-by-4.0", "CC-BY-4.0"), ("mit", "MIT"), ("Apache-2.0 OR mit", "Apache-2.0 OR MIT"),
    ("MIT License", "MIT"), ("Apache License 2.0", "Apache-2.0"), ("apache 2.0", "Apache-2.0"),
    ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"), ("gpl-2.0-or-later", "GPL-2.0-or-later"),
    ("LicenseRef-acme-terms", "LicenseRef-acme-terms"), ("MIT AND LicenseRef-x", "MIT AND LicenseRef-x"),
    ("openrail", "LicenseRef-hf-openrail"),
])
def test_what_maps_to_spdx_is_normalised(written: str, spdx: str) -> None:
    assert stated_license(written) == spdx


@pytest.mark.parametrize("written", ["Creative Commons BY 4.0", "my own terms", "MIT AND foo", "  "])
def test_what_does_not_is_refused_with_its_line(tmp_path: Path, written: str) -> None:
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(f"model: {{name: m}}\ndatasets:\n  - name: d\n    path: d/\n    license: '{written}'\n")
    with pytest.raises(ManifestError, match=r"line 5: datasets\[d\]\.license: "):
        load_manifest(manifest)
    manifest.write_text(f"model:\n  name: m\n  license: '{written}'\n")
    with pytest.raises(ManifestError, match=r"line 3: model\.license: "):
        load_manifest(manifest)


def test_the_scan_writes_the_spdx_form_and_warns_of_an_override(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(f"model: {{name: m, license: apache 2.0}}\ndbom: {{license: cc0-1.0}}\ndatasets:\n"
                        f"  - name: recipes\n    path: {samples / 'recipes'}\n    license: cc-by-4.0\n")
    out = tmp_path / "out.json"
    done = run_dbom("scan", "-c", str(manifest), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "recipes: the manifest's license CC-BY-4.0 overrides CC0-1.0" in done.stderr
    doc = load_json(out)
    recipes = datasets_by_name(doc)["recipes"]
    assert recipes["licenses"] == [{"license": {"id": "CC-BY-4.0", "acknowledgement": "declared"}}]
    assert props(recipes)["dbom:license:class"] == "attribution"
    assert doc["metadata"]["component"]["licenses"][0]["license"]["id"] == "Apache-2.0"
    assert doc["metadata"]["licenses"][0]["license"]["id"] == "CC0-1.0"
    bad = tmp_path / "bad.yaml"
    bad.write_text(manifest.read_text().replace("license: cc-by-4.0", "license: Creative Commons BY 4.0"))
    refused = run_dbom("scan", "-c", str(bad), "-o", str(tmp_path / "bad.json"))
    assert refused.returncode == 1 and refused.stderr.startswith(f"dbom: error: {bad}: line 6: datasets[recipes]")
    assert len(refused.stderr.splitlines()) == 1
