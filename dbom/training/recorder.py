"""Record a DBOM at training time: `with dbom.Recorder(...) as rec: rec.add_dataset(...)`.

The recorder scans what it is given when it is given it (a folder, a file, or a `datasets`
object), adds the processing steps of the manifest and those added in code, and on a clean
exit writes the DBOM (atomically and validated, as `dbom.write` does) with the training code's
own repository and commit and the running interpreter's packages and versions.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from dbom.errors import DbomError
from dbom.manifest import DatasetEntry, Manifest, load_manifest
from dbom.model import HASH_XXH3, CodeRef, Dataset, Dbom, ModelInfo, ProcessingStep


class Recorder:
    """Collects the datasets and steps of a training run and writes its DBOM.

    `model` is the model's name (overriding the manifest's) or a ModelInfo; `manifest` a
    dbom.yaml whose datasets are scanned (unless added in code under the same name, which
    then takes the manifest's facts) and whose steps are kept; `output` where the DBOM goes.
    `code` is the training code (a file or folder; by default the running script, else the
    current folder); `options` are the scanner's ScanOptions. With `environment=False` the
    interpreter's packages are not listed.

    `profile` ("sample" or "exact") records each dataset's content profile, with `tokenizer` (a
    tokenizer.json path, a `tokenizers.Tokenizer` or a `transformers` fast tokenizer) counting its
    tokens; a tokenizer alone implies "exact".

    With `verify` (a DBOM file), each dataset added is checked against the dataset of the same name
    there, shard by shard, as `dbom verify` does: any shard missing, changed, unreadable or extra
    is a DbomError from `add_dataset`, before training starts.

    In a distributed run (torchrun, accelerate, DeepSpeed) only global rank 0 records and writes;
    on every other rank each method returns at once and nothing is read or written.
    """

    def __init__(self, model: str | ModelInfo | None = None, manifest: str | Path | Manifest | None = None,
                 output: str | Path | None = "dbom.cdx.json", *, spec_version: str = "1.6",
                 code: str | Path | None = None, options: Any = None, environment: bool = True,
                 verify: str | Path | None = None, profile: str | None = None, tokenizer: Any = None) -> None:
        from dbom.scanning.scanner import ScanOptions

        if isinstance(manifest, (str, Path)):
            manifest = load_manifest(Path(manifest))
        self.manifest: Manifest = manifest or Manifest()
        self.model = model
        self.default_model_name = "unnamed-model"
        self.output = Path(output) if output is not None else None
        self.spec_version = spec_version
        self.code = Path(code) if code is not None else None
        self.environment = environment
        self.warnings: list[str] = []
        base = options or ScanOptions()
        if profile is not None or tokenizer is not None:  # the content profile, as `dbom scan --profile`
            base = replace(base, profile=profile or ("exact" if base.profile == "off" else base.profile),
                           tokenizer=tokenizer if tokenizer is not None else base.tokenizer)
        self._also_warn = base.warn
        self.options = replace(base, warn=self._warn(base.warn))
        self.datasets: dict[str, Dataset] = {}
        self.steps: list[ProcessingStep] = []
        self.active = global_rank() == 0
        self.verify = Path(verify) if verify is not None else None
        self._reference: Dbom | None = None

    def _warn(self, also: Any) -> Any:
        def warn(message: str) -> None:
            self.warnings.append(message)
            also(message)
        return warn

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None and self.output is not None and self.active:  # a failed run gets no DBOM
            self.write()

    def _entry(self, name: str) -> DatasetEntry | None:
        return next((e for e in self.manifest.datasets if e.name == name), None)

    def add_dataset(self, data: Any, name: str | None = None) -> Dataset:
        """Record a dataset: a folder or file path, or a `datasets` Dataset, DatasetDict or IterableDataset.

        It is scanned now. `name` defaults to the folder's (or file's) name, or what the
        `datasets` object calls itself; a manifest dataset of that name gives its facts.
        """
        from dbom.sources.hf_datasets import datasets_object_name, is_datasets_object, record_datasets_object

        if not self.active:
            return Dataset(name=name or "dataset")
        if isinstance(data, (str, Path)):
            path = Path(data).resolve()
            label = name or (path.name if path.is_dir() else path.stem)
            entry = self._entry(label)
            entry = replace(entry, path=path) if entry else DatasetEntry(name=label, path=path)
            dataset = self._scan(entry)
        elif is_datasets_object(data):
            label = name or datasets_object_name(data)
            dataset = record_datasets_object(data, name=label, options=self.options, entry=self._entry(label))
        else:
            raise DbomError(None, f"cannot record a {type(data).__name__} as a dataset "
                                  "(give a path or a datasets Dataset / DatasetDict / IterableDataset)")
        if dataset.name in self.datasets:
            raise DbomError(dataset.name, "a dataset of this name was already added")
        if self.verify is not None:
            self._check(dataset)
        self.datasets[dataset.name] = dataset
        return dataset

    def _check(self, dataset: Dataset) -> None:
        """Raise DbomError when `dataset` is not the one of the same name in the DBOM to verify against."""
        from dbom.cyclonedx.api import load
        from dbom.verification.verify import compare, describe

        assert self.verify is not None
        if self._reference is None:
            if not self.verify.is_file():
                raise DbomError(str(self.verify), "no such file (the DBOM to verify the datasets against)")
            self._reference = load(self.verify, stream=True)
        recorded = next((d for d in self._reference.datasets if d.name == dataset.name), None)
        if recorded is None:
            names = ", ".join(d.name for d in self._reference.datasets) or "none"
            raise DbomError(str(self.verify), f"has no dataset {dataset.name!r} to verify against (it has {names})")
        check = compare(recorded, dataset)
        if check.differs:
            raise DbomError(dataset.name, f"differs from {self.verify.name}: {describe(check)}")

    def _scan(self, entry: DatasetEntry) -> Dataset:
        from dbom.scanning.scanner import scan

        return scan(manifest=Manifest(datasets=(entry,)), options=self.options).datasets[0]

    def add_step(self, name: str, *, kind: str | None = None, code: str | Path | None = None,
                 entrypoint: str | None = None, command: str | None = None, args: Mapping[str, Any] | None = None,
                 config: str | Path | None = None, inputs: Sequence[str] = (), outputs: Sequence[str] = (),
                 documents_in: int | None = None, documents_out: int | None = None, bytes_in: int | None = None,
                 bytes_out: int | None = None) -> ProcessingStep:
        """Record a processing step; `code` and `config` are resolved as a manifest's are (relative to the manifest's
        folder, else the current folder), now."""
        from dbom.provenance.pipeline import CodeError, make_step, resolve_code

        if not self.active:
            return ProcessingStep(name=name)
        base = self.manifest.source.parent if self.manifest.source else Path.cwd()
        try:
            code_ref = resolve_code(str(code), base) if code is not None else None
            config_ref = resolve_code(str(config), base, allow_folder=False) if config is not None else None
        except CodeError as exc:
            raise DbomError(f"step {name}", str(exc)) from None
        counts = {k: v for k, v in (("documents_in", documents_in), ("documents_out", documents_out),
                                    ("bytes_in", bytes_in), ("bytes_out", bytes_out)) if v is not None}
        step = make_step(name, kind=kind, code_ref=code_ref, config=config_ref, entrypoint=entrypoint,
                         command=command, args=args, inputs=inputs, outputs=outputs, counts=counts)
        self.steps.append(step)
        return step

    def build(self) -> Dbom:
        """The DBOM of everything recorded so far (the manifest's own datasets are scanned now)."""
        from dbom.provenance.pipeline import link_ancestors, resolve_steps
        from dbom.scanning.scanner import source_date

        datasets = dict(self.datasets)
        for entry in self.manifest.datasets:
            if entry.name in datasets:
                continue
            if entry.path is None:
                raise DbomError(str(self.manifest.source or "manifest"),
                                f"dataset {entry.name!r} has no `path` and was not added with add_dataset")
            datasets[entry.name] = self._scan(entry)
        steps = resolve_steps(self.manifest) + tuple(self.steps)
        model = self._model_info()
        names = [s.name for s in steps]
        for step in steps:
            if names.count(step.name) > 1:
                raise DbomError(f"step {step.name}", "two steps have this name")
            for dataset in (*step.inputs, *step.outputs):
                if dataset not in datasets:
                    raise DbomError(f"step {step.name}", f"names dataset {dataset!r}, which was not recorded")
        from dbom import __version__
        from dbom.compliance.check import license_conflicts

        recorded = link_ancestors((datasets[n] for n in sorted(datasets)), steps)
        return Dbom(
            model=model,
            datasets=recorded,
            steps=steps,
            dbom_license=self.manifest.dbom_license,
            timestamp=source_date(),
            tool_version=__version__,
            hash_algorithms=(HASH_XXH3, *sorted(self.options.hashes)),
            warnings=(*self.warnings, *license_conflicts(Dbom(model=model, datasets=tuple(recorded)))),
            training_code=training_code(self.code),
            environment=python_environment() if self.environment else (),
        )

    def write(self, output: str | Path | None = None) -> Path:
        """Write the DBOM to `output` (default: the recorder's) atomically, after validating it; return the path.

        On a rank other than 0 of a distributed run, nothing is written.
        """
        from dbom.cyclonedx.api import write

        target = Path(output) if output is not None else self.output
        if target is None:
            raise DbomError(None, "no output path for the DBOM")
        if not self.active:
            return target
        built = self.build()
        write(built, target, self.spec_version)
        for message in built.warnings[len(self.warnings):]:  # the license conflicts, told as `dbom scan` tells them
            self._also_warn(message)
        return target

    def _model_info(self) -> ModelInfo:
        if isinstance(self.model, ModelInfo):
            return self.model
        return self.manifest.model_info(self.model, self.default_model_name)


def global_rank() -> int:
    """This process's global rank in a distributed run: torch.distributed's once it is set up, else the
    launchers' `RANK` (torchrun, accelerate, DeepSpeed), else 0 (a process alone)."""
    distributed = sys.modules.get("torch.distributed")
    if distributed is not None and distributed.is_available() and distributed.is_initialized():
        return int(distributed.get_rank())
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def training_code(code: Path | None = None) -> CodeRef | None:
    """The training code pinned: `code` (a file or folder), else the running script, else the current folder.

    A file gets its SHA-256; its repository's commit and dirty state cover the whole working
    tree (a training script imports its neighbours). None when nothing can be said about it.
    """
    from dbom.provenance.git import vcs_info
    from dbom.provenance.pipeline import file_sha256

    if code is None:
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        code = Path(main_file) if main_file and Path(main_file).is_file() else Path.cwd()
    code = code.resolve()
    if not code.exists():
        raise DbomError(code.name, "the training code does not exist")
    vcs = vcs_info(code, whole_tree=True, require_tracked=False)
    digest = file_sha256(code) if code.is_file() else None
    if vcs is None and digest is None:
        return None
    path = vcs.path if vcs else code.name
    return CodeRef(path=path or ".", sha256=digest, vcs=vcs)


_NORMALISE = re.compile(r"[-_.]+")


def python_environment() -> tuple[tuple[str, str], ...]:
    """("python", its version), then every installed distribution as (normalised name, version), sorted.

    Names are normalised as pip compares them (PEP 503: lower case, runs of `-_.` as `-`); the
    first of two installations of one name (as `sys.path` orders them) is the one imported.
    """
    seen: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata.get("Name")
        if name:
            seen.setdefault(_NORMALISE.sub("-", name).lower(), dist.version or "")
    return (("python", platform.python_version()), *((k, seen[k]) for k in sorted(seen)))
