"""Builders of real test corpora, shared by the tests (imported as `corpora`)."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_datasets"


def write_parquet(path: Path, rows: int, start: int = 0, row_group_size: int = 50) -> None:
    """A real Parquet file with `rows` rows in several row groups."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = list(range(start, start + rows))
    table = pa.table({"id": ids, "text": [f"doc {i}" for i in ids]})
    pq.write_table(table, path, row_group_size=row_group_size)


def write_jsonl_gz(path: Path, rows: int) -> None:
    """A gzip-compressed JSON Lines file with `rows` records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(rows):
            fh.write(json.dumps({"q": f"question {i}", "a": f"answer {i}", "score": i}) + "\n")


def make_corpus(root: Path) -> Path:
    """Two small datasets under `root`: `alpha` (Parquet, with a card and LICENSE) and `beta` (JSONL.gz)."""
    alpha = root / "alpha"
    write_parquet(alpha / "data" / "part-0.parquet", 120)
    write_parquet(alpha / "data" / "part-1.parquet", 80, start=120)
    (alpha / "README.md").write_text(
        "---\nlicense: cc-by-4.0\nlanguage: [en]\npretty_name: Alpha\n---\n# Alpha\n\nA small test corpus.\n"
    )
    (alpha / "LICENSE").write_text("Creative Commons Attribution 4.0 International Public License\n")
    beta = root / "beta"
    write_jsonl_gz(beta / "beta-0.jsonl.gz", 30)
    write_jsonl_gz(beta / "beta-1.jsonl.gz", 45)
    return root


def copy_samples(dest: Path) -> Path:
    """A private copy of sample_datasets/ (tests may change it)."""
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest




def make_tiny_model(folder: Path) -> Path:
    """A real `save_pretrained` folder of a tiny GPT-2 (one layer, 32 wide, 64 tokens) in `folder`.

    With transformers installed it is `GPT2LMHeadModel(config).save_pretrained(folder)`; without it, the same
    kind of folder is written with the `safetensors` package: GPT-2's tensor names and shapes in
    model.safetensors (metadata `format: pt`, as transformers writes it), plus config.json and
    generation_config.json.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from transformers import GPT2Config, GPT2LMHeadModel
    except ImportError:
        return _tiny_model_with_safetensors(folder)
    config = GPT2Config(n_layer=1, n_embd=32, vocab_size=64, n_head=2, n_positions=64, bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def _tiny_model_with_safetensors(folder: Path) -> Path:
    import numpy as np
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    d, vocab, positions = 32, 64, 64
    shapes = {"transformer.wte.weight": (vocab, d), "transformer.wpe.weight": (positions, d),
              "transformer.h.0.ln_1.weight": (d,), "transformer.h.0.ln_1.bias": (d,),
              "transformer.h.0.attn.c_attn.weight": (d, 3 * d), "transformer.h.0.attn.c_attn.bias": (3 * d,),
              "transformer.h.0.attn.c_proj.weight": (d, d), "transformer.h.0.attn.c_proj.bias": (d,),
              "transformer.h.0.ln_2.weight": (d,), "transformer.h.0.ln_2.bias": (d,),
              "transformer.h.0.mlp.c_fc.weight": (d, 4 * d), "transformer.h.0.mlp.c_fc.bias": (4 * d,),
              "transformer.h.0.mlp.c_proj.weight": (4 * d, d), "transformer.h.0.mlp.c_proj.bias": (d,),
              "transformer.ln_f.weight": (d,), "transformer.ln_f.bias": (d,)}
    tensors = {name: rng.normal(0, 0.02, shape).astype(np.float32) for name, shape in shapes.items()}
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
              "bos_token_id": 0, "embd_pdrop": 0.1, "eos_token_id": 0, "initializer_range": 0.02,
              "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_embd": d, "n_head": 2, "n_inner": None,
              "n_layer": 1, "n_positions": positions, "resid_pdrop": 0.1, "torch_dtype": "float32",
              "transformers_version": "4.57.1", "use_cache": True, "vocab_size": vocab}
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    generation = {"_from_model_config": True, "bos_token_id": 0, "eos_token_id": 0,
                  "transformers_version": "4.57.1"}
    (folder / "generation_config.json").write_text(json.dumps(generation, indent=2, sort_keys=True) + "\n",
                                                   encoding="utf-8")
    return folder
