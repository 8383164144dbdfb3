"""dbom: a data bill of materials for model training corpora.

The public API: `scan` builds the internal model from corpora, `write` writes it as a
CycloneDX document, `load` reads one back, `validate_file` checks any CycloneDX JSON file,
`diff` compares two DBOMs, `attach` binds one to a model folder, `Recorder` records at training time.
"""

from __future__ import annotations

__version__ = "0.1.0"

from dbom.errors import DbomError, DbomFileError, FormatError, ManifestError
from dbom.model import (
    CodeRef,
    Column,
    Dataset,
    DatasetsInfo,
    Dbom,
    DocFile,
    HubInfo,
    License,
    ModelInfo,
    ProcessingStep,
    Shard,
    VcsInfo,
)


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # The heavier parts load on first use, so `import dbom` stays cheap for the CLI's start-up.
    if name in ("scan", "ScanOptions", "ScanStats", "ScanProgress"):
        from dbom.scanning import scanner as scan_module

        return getattr(scan_module, name)
    if name in ("write", "load", "validate_file"):
        from dbom.cyclonedx import api

        return getattr(api, name)
    if name in ("attach", "AttachResult"):
        from dbom.publish import attach as attachment

        return getattr(attachment, name)
    if name == "diff":
        from dbom.compare.diff import diff

        return diff
    if name == "Recorder":
        from dbom.training.recorder import Recorder

        return Recorder
    raise AttributeError(f"module 'dbom' has no attribute {name!r}")


__all__ = [
    "AttachResult", "CodeRef", "Column", "Dataset", "DatasetsInfo", "Dbom", "DbomError", "DbomFileError",
    "DocFile", "FormatError", "HubInfo", "License", "ManifestError", "ModelInfo", "ProcessingStep", "Recorder",
    "ScanOptions", "ScanProgress", "ScanStats", "Shard",
    "VcsInfo", "__version__", "attach", "diff", "load", "scan", "validate_file", "write",
]
