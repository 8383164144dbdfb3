"""Builders of real test corpora, shared by the tests (imported as `corpora`)."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def write_jsonl_changed(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write `rows` as JSON Lines at `path` with an mtime a second ahead: a change a rescan sees even on a
    coarse clock."""
    import json
    import os
    import time

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    future = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(future, future))


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


@dataclass(frozen=True)
class Page:
    """One HTTP response of a test crawl: its URL, body as sent, Content-Type and other HTTP headers."""

    uri: str
    body: bytes
    content_type: str | None = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def warc_bytes(pages: list[Page], gzip: bool = True, dns: bool = False) -> bytes:
    """A WARC file as a crawler writes it, with warcio (an implementation other than the reader's).

    A `warcinfo` record, then per page a `request`, its `response` and a `metadata` record; with
    `dns`, a non-HTTP `dns:` response after the warcinfo. `gzip` compresses each record as a gzip
    member of its own, as Common Crawl does. Record ids and dates are fixed: the same pages give the
    same bytes.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    serial = iter(range(1 << 30))

    def fixed() -> dict[str, str]:
        return _fixed_warc_headers(next(serial))

    _write_warcinfo(writer, "crawl.warc", fixed())
    if dns:
        writer.write_record(writer.create_warc_record(
            "dns:example.com", "response", payload=io.BytesIO(b"20240301120000\nexample.com. 300 IN A 192.0.2.1\n"),
            warc_content_type="text/dns", warc_headers_dict=fixed()))
    for page in pages:
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(page.uri, "request", payload=io.BytesIO(b""),
                                                      http_headers=request, warc_headers_dict=fixed()))
        headers = ([("Content-Type", page.content_type)] if page.content_type else []) + list(page.headers)
        response = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(page.uri, "response", payload=io.BytesIO(page.body),
                                                      length=len(page.body), http_headers=response,
                                                      warc_headers_dict=fixed()))
        writer.write_record(writer.create_warc_record(page.uri, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                                                      warc_content_type="application/warc-fields",
                                                      warc_headers_dict=fixed()))
    return buffer.getvalue()


def wet_bytes(texts: list[tuple[str, str]], gzip: bool = True) -> bytes:
    """A WET file as Common Crawl writes it: a `warcinfo` record, then a `conversion` record of plain text per page."""
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    _write_warcinfo(writer, "crawl.warc.wet", _fixed_warc_headers(0))
    for number, (uri, text) in enumerate(texts, 1):
        writer.write_record(writer.create_warc_record(uri, "conversion", payload=io.BytesIO(text.encode("utf-8")),
                                                      warc_content_type="text/plain",
                                                      warc_headers_dict=_fixed_warc_headers(number)))
    return buffer.getvalue()


def _fixed_warc_headers(number: int) -> dict[str, str]:
    """The WARC-Date and WARC-Record-ID of test record `number`, the same in every run."""
    return {"WARC-Date": "2024-03-01T12:00:00Z", "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>"}


def _write_warcinfo(writer: Any, filename: str, headers: dict[str, str]) -> None:
    """The `warcinfo` record that starts a crawler's WARC file."""
    info = writer.create_warcinfo_record(filename, {"software": "dbom tests", "format": "WARC File Format 1.0"})
    for name, value in headers.items():
        info.rec_headers.replace_header(name, value)
    writer.write_record(info)
