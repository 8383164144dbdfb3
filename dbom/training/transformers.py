"""A Hugging Face `transformers` TrainerCallback that writes the run's DBOM.

    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation)
    trainer.add_callback(DbomCallback(trainer, manifest="dbom.yaml"))
    trainer.train()   # writes <output_dir>/dbom.cdx.json at the end of training

At the start of training it records the trainer's `train_dataset` and `eval_dataset` (a
`datasets` object, or a dict of them for several evaluation sets) with dbom.Recorder; at the
end it writes `dbom.cdx.json` into `args.output_dir`, and with `every_checkpoint=True` also
into each checkpoint folder as it is saved. Without a trainer, the datasets come from the
training data loader (`train_dataloader.dataset`) and no evaluation set is known. Only the
main process (`state.is_world_process_zero`) records and writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from dbom.errors import DbomError
from dbom.training.recorder import Recorder

DBOM_FILE_NAME = "dbom.cdx.json"


class DbomCallback(TrainerCallback):  # type: ignore[misc]
    """Records the trainer's datasets and writes `dbom.cdx.json` into the run's output folder.

    `trainer`: the Trainer whose `train_dataset` / `eval_dataset` to record (recommended).
    `manifest`: a dbom.yaml with the facts only people know (model, dataset facts, steps).
    `model`: the model's name (default: the manifest's, else the output folder's name).
    `every_checkpoint`: also write the DBOM into every checkpoint folder when it is saved.
    `code`: the training code (default: the running script, else the current folder).
    `train_name` / `eval_name`: dataset names when the datasets do not name themselves in the manifest.
    `verify`: a DBOM to check the datasets against before the first step (any difference stops training).
    """

    def __init__(self, trainer: Any = None, *, manifest: str | Path | None = None, model: str | None = None,
                 every_checkpoint: bool = False, code: str | Path | None = None, spec_version: str = "1.6",
                 train_name: str = "train", eval_name: str = "eval", environment: bool = True,
                 verify: str | Path | None = None) -> None:
        self.trainer = trainer
        self.manifest = manifest
        self.model = model
        self.every_checkpoint = every_checkpoint
        self.code = code
        self.spec_version = spec_version
        self.train_name = train_name
        self.eval_name = eval_name
        self.environment = environment
        self.verify = verify
        self.recorder: Recorder | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Record the training and evaluation datasets (their files are fingerprinted now)."""
        if not state.is_world_process_zero:
            return
        recorder = Recorder(model=self.model, manifest=self.manifest, output=None, spec_version=self.spec_version,
                            code=self.code, environment=self.environment, verify=self.verify)
        if recorder.manifest.model.get("name") is None and self.model is None:
            recorder.default_model_name = Path(os.path.abspath(args.output_dir)).name or "model"
        if self.trainer is not None:
            train, evaluation = self.trainer.train_dataset, self.trainer.eval_dataset
        else:
            train, evaluation = getattr(kwargs.get("train_dataloader"), "dataset", None), None
        if train is not None:
            self._record(recorder, train, self.train_name)
        if isinstance(evaluation, dict):
            for key, dataset in evaluation.items():
                self._record(recorder, dataset, f"{self.eval_name}-{key}")
        elif evaluation is not None:
            self._record(recorder, evaluation, self.eval_name)
        self.recorder = recorder

    @staticmethod
    def _record(recorder: Recorder, dataset: Any, name: str) -> None:
        try:
            recorder.add_dataset(dataset, name=name)
        except DbomError as exc:
            if "cannot record" not in exc.cause:
                raise
            recorder.warnings.append(f"{name}: not recorded: {exc.cause}")

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """With `every_checkpoint`, write the DBOM into the checkpoint folder just saved."""
        if self.every_checkpoint and state.is_world_process_zero and self.recorder is not None:
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if folder.is_dir():
                self.recorder.write(folder / DBOM_FILE_NAME)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Write `dbom.cdx.json` into the output folder."""
        if state.is_world_process_zero and self.recorder is not None:
            folder = Path(args.output_dir)
            folder.mkdir(parents=True, exist_ok=True)
            self.recorder.write(folder / DBOM_FILE_NAME)
