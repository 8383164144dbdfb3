"""Shard formats: recognise a data file (`detect`) and read what it says about itself (`inspect_shard`).

Importing this package is cheap: pyarrow and zstandard are imported only by the readers that
need them, when they first run.
"""

from __future__ import annotations

from dbom.formats.base import COMPRESSIONS, FORMATS, Detected, Inspection
from dbom.formats.detect import detect
from dbom.formats.dispatch import inspect_shard

__all__ = ["COMPRESSIONS", "FORMATS", "Detected", "Inspection", "detect", "inspect_shard"]
