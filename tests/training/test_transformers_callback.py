"""DbomCallback in a real (tiny) transformers training run: the DBOM written at the end and at each checkpoint."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from pathlib import Path

import datasets
import pytest
from helpers import commit_all, datasets_by_name, git, init_repo, load_json, props, shards_of

import dbom

if not os.environ.get("CI"):  # on a developer's machine the extra is optional; CI installs it and must run this
    pytest.importorskip("transformers", reason="needs the transformers extra: pip install -e '.[transformers]'")

@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("WANDB_DISABLED", "true")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    datasets.disable_progress_bars()


def _token_dataset(folder: Path, rows: int, offset: int) -> datasets.Dataset:
    """Token ids saved to disk and loaded back, then mapped (so it is backed by a cache file), as in real use."""
    ids = [[(offset + r + i) % 64 for i in range(16)] for r in range(rows)]
    datasets.Dataset.from_dict({"input_ids": ids}).save_to_disk(str(folder))
    loaded = datasets.load_from_disk(str(folder))
    return loaded.map(lambda row: {"labels": row["input_ids"], "attention_mask": [1] * len(row["input_ids"])})


def test_trainer_writes_a_valid_dbom_naming_the_training_code_and_datasets(tmp_path: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments

    from dbom.training.transformers import DbomCallback

    code = init_repo(tmp_path / "training-code", remote="https://user:ghp_FAKE@example.com/org/train.git")
    (code / "train.py").write_text("# the training script of this run\n")
    (code / "dbom.yaml").write_text("model: {name: tiny-gpt, version: '0.0.1', license: MIT}\n"
                                    "datasets:\n  - {name: train, osaid_class: open}\n  - {name: eval}\n")
    commit = commit_all(code, "training code")

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=32, vocab_size=64, n_positions=32))
    train = _token_dataset(tmp_path / "data" / "train", 16, 0)
    evaluation = _token_dataset(tmp_path / "data" / "eval", 4, 7)
    out_dir = tmp_path / "run"
    args = TrainingArguments(output_dir=str(out_dir), max_steps=2, per_device_train_batch_size=4, save_strategy="steps",
                             save_steps=1, logging_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True,
                             dataloader_pin_memory=False, seed=0)
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation)
    trainer.add_callback(DbomCallback(trainer, manifest=code / "dbom.yaml", code=code, every_checkpoint=True))
    trainer.train()

    written = out_dir / "dbom.cdx.json"
    assert dbom.validate_file(written) == []
    text = written.read_text()
    assert "ghp_FAKE" not in text and str(tmp_path) not in text
    doc = load_json(written)
    assert doc["metadata"]["component"]["name"] == "tiny-gpt"
    training_code = next(c for c in doc["components"] if c["bom-ref"] == props(doc["metadata"])["dbom:training-code"])
    assert training_code["version"] == commit == git(code, "rev-parse", "HEAD")
    assert training_code["externalReferences"] == [{"type": "vcs", "url": f"https://example.com/org/train.git#{commit}"}]
    sets = datasets_by_name(doc)
    assert sorted(sets) == ["eval", "train"]
    for name, ds in (("train", train), ("eval", evaluation)):
        (cache_file,) = ds.cache_files
        shard = shards_of(sets[name])[Path(cache_file["filename"]).name]
        sha256 = hashlib.sha256(Path(cache_file["filename"]).read_bytes()).hexdigest()
        assert shard["hashes"][0] == {"alg": "SHA-256", "content": sha256}
        assert props(sets[name])["dbom:datasets:fingerprint"] == f'{{"": "{ds._fingerprint}"}}'
    assert props(sets["train"])["dbom:records"] == "16" and props(sets["train"])["dbom:fact:osaid_class"] == "open"
    assert props(doc["metadata"])["dbom:env:torch"] == importlib.metadata.version("torch")
    assert props(doc["metadata"])["dbom:env:transformers"] == importlib.metadata.version("transformers")
    for step in (1, 2):  # every_checkpoint: each checkpoint folder carries the DBOM of its run
        checkpoint = out_dir / f"checkpoint-{step}" / "dbom.cdx.json"
        assert dbom.validate_file(checkpoint) == []
        assert dbom.load(checkpoint) == dbom.load(written)

    # verify: the same datasets train; another train set stops the run before its first step
    from dbom.errors import DbomError

    def run_args(folder: str) -> TrainingArguments:
        return TrainingArguments(output_dir=str(tmp_path / folder), max_steps=1, per_device_train_batch_size=4,
                                 save_strategy="no", logging_strategy="no", report_to=[], use_cpu=True,
                                 disable_tqdm=True, dataloader_pin_memory=False, seed=0)

    same = Trainer(model=model, args=run_args("same"), train_dataset=train, eval_dataset=evaluation)
    same.add_callback(DbomCallback(same, manifest=code / "dbom.yaml", code=code, verify=written))
    same.train()
    assert same.state.global_step == 1
    other = _token_dataset(tmp_path / "data" / "other", 16, 3)
    stopped = Trainer(model=model, args=run_args("stopped"), train_dataset=other, eval_dataset=evaluation)
    stopped.add_callback(DbomCallback(stopped, manifest=code / "dbom.yaml", code=code, verify=written))
    with pytest.raises(DbomError, match=r"^train: differs from dbom\.cdx\.json: .*missing"):
        stopped.train()
    assert stopped.state.global_step == 0 and not (tmp_path / "stopped" / "dbom.cdx.json").exists()
