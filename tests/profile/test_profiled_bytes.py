"""The bytes a dataset's sampling rate is set from: its files whose names say a format the profile reads, as
`detect` says it of each (`profiled_bytes` asks it once per suffix, for 10^6 files)."""

from __future__ import annotations

import random
from pathlib import PurePosixPath

from dbom.formats import detect
from dbom.profile.dataset_profile import profiled_bytes
from dbom.profile.shard_records import PROFILED_FORMATS

NAMES = ["a.jsonl", "b/c.JSONL.GZ", ".jsonl.gz", "x.gz", "gz", ".hidden", "d.tar", "e.parquet", "f.b.parquet",
         "state.json", "sub/dataset_info.json", "g.json", "h.txt.zst", "i.warc.gz", "j.csv.bz2", "k.arrow",
         "l.tsv.xz", "m.unknown.gz", "n.md", "o.jsonl.gz", "dir.v2/p", "q.", "r..jsonl", "s.jsonl.", "t.arrow.gz",
         "u.WARC", "v.wet.gz", "w.png"]


def test_profiled_bytes_are_those_detect_names_as_profiled_formats() -> None:
    rng = random.Random(7)
    for _ in range(300):
        files = [(rng.choice(NAMES), rng.randrange(1, 10**6)) for _ in range(rng.randrange(1, 15))]
        expected = sum(size for name, size in files
                       if (found := detect(PurePosixPath(name), b"")) is not None  # type: ignore[arg-type]
                       and found.format in PROFILED_FORMATS)
        assert profiled_bytes(files) == expected, files
    assert profiled_bytes([("a.jsonl", 5), ("state.json", 7), ("b.json", 11), ("c.png", 13)]) == 16
