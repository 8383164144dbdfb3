"""dbom.Recorder in a distributed run: only global rank 0 records and writes; the other ranks do nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpora import write_jsonl_gz

SCRIPT = """
import sys
from pathlib import Path
import dbom
out = Path(sys.argv[1])
rank = __import__("os").environ.get("RANK", "0")
with dbom.Recorder(model="m", output=out / f"dbom-rank{rank}.cdx.json", environment=False) as rec:
    rec.add_dataset(sys.argv[2])
    rec.add_step("tokenize", inputs=[Path(sys.argv[2]).name])
"""


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "corpus"
    write_jsonl_gz(data / "a.jsonl.gz", 4)
    return data


def test_a_rank_other_than_zero_writes_nothing(tmp_path: Path) -> None:
    data = _data(tmp_path)
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    for rank in ("1", "0"):
        done = subprocess.run([sys.executable, str(script), str(tmp_path), str(data)], capture_output=True, text=True,
                              env={**os.environ, "RANK": rank, "WORLD_SIZE": "2"}, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("dbom-*.json")) == ["dbom-rank0.cdx.json"]


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="runs torchrun in a netns as root")
def test_under_torchrun_only_rank_zero_writes(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the transformers extra brings torch")
    data = _data(tmp_path)
    script = tmp_path / "train.py"
    script.write_text("import torch.distributed as dist\ndist.init_process_group('gloo')\n" + SCRIPT
                      + "dist.barrier()\ndist.destroy_process_group()\n")
    command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', sys.executable, "-m",
               "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(script), str(tmp_path), str(data)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.glob("dbom-*.json")) == ["dbom-rank0.cdx.json"]
