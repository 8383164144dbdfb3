"""The `dbom` command line: parses options, calls the public API, prints. Nothing else."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from dbom import __version__
from dbom.errors import DbomError
from dbom.util.humanize import human_bytes

HASH_CHOICES = ("sha256", "blake3", "none")
DEFAULT_DBOM = Path("dbom.cdx.json")  # what `dbom scan` writes by default, and what the readers read by default


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}  # a library's or a file name's raw control bytes


def printable(text: str) -> str:
    """`text` with control characters escaped (`\\x1b`): nothing from a file or a library drives the terminal."""
    return text.translate(_CONTROL)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"dbom: error: {printable(message)}", err=True)
    sys.exit(code)


def _require_file(file: Path) -> Path:
    """`file`, or a one-line error when it is not a file (with a hint when it is the default name)."""
    if not file.is_file():
        hint = "; run `dbom scan` first, or name the DBOM file" if file == DEFAULT_DBOM else ""
        raise DbomError(str(file), ("not a file" if file.exists() else "no such file") + hint)
    return file


class _Exit2Command(click.Command):
    """A command whose errors exit with code 2, because 1 is one of its answers (like `diff`)."""

    error_exit_code = 2


class _Group(click.Group):
    """Turns every error into one line on stderr and exit code 1 (DBOM_DEBUG=1 shows tracebacks).

    A command class may set `error_exit_code` to exit with another code on error (see _Exit2Command).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DbomError as exc:
            _fail(str(exc), self._error_code(ctx))
        except KeyboardInterrupt:
            _fail("interrupted", self._error_code(ctx))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:  # last resort: never a traceback for the user
            if os.environ.get("DBOM_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
                  "(set DBOM_DEBUG=1 for details)", self._error_code(ctx))

    def _error_code(self, ctx: click.Context) -> int:
        command = self.commands.get(ctx.invoked_subcommand or "")
        return int(getattr(command, "error_exit_code", 1))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="dbom")
def main() -> None:
    """dbom: a data bill of materials (CycloneDX ML-BOM) for the data a model was trained on."""
    # A DBOM's model holds millions of small objects and makes no reference cycles worth chasing:
    # with the default thresholds the collector re-walks them all again and again (a quarter of a
    # cached 20,000-shard scan). Collect rarely, as mypy does for its own build graph.
    gc.set_threshold(200_000, 30, 30)


def run() -> None:
    """The `dbom` program: `main`, then exit without tearing the interpreter down.

    A normal exit frees every module and object one by one: about 15 ms, a twentieth of a cached
    scan of 20,000 files. By then every file dbom wrote is closed and in place; the streams are
    flushed and the exit handlers run here. (The approach mypy takes for its own command.)
    """
    from dbom.util.blas import single_blas_thread

    single_blas_thread()
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        click.echo(str(code), err=True)
        code = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`dbom ... | head`): nothing more to say
            stream.flush()
    os._exit(code or 0)


class _Bar:
    """A tqdm progress bar over bytes, shown only on a terminal and only for scans longer than a moment.

    Sizes and the rate are written by `human_bytes`, as in the summary (KiB, MiB: tqdm's own labels
    would say MB for a 1024-based figure and scale the rate by 1000).
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.total = 0
        self.started = 0.0

    def start_dataset(self, name: str, files: int, total_bytes: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=0, file=sys.stderr, delay=0.5, leave=False, dynamic_ncols=True,
                            bar_format="{desc}{percentage:3.0f}%|{bar}| [{elapsed}<{remaining}{postfix}]")
            self.started = time.perf_counter()
        self.total += total_bytes
        self.bar.total = self.total
        self.bar.set_description(name)
        self._describe()
        self.bar.refresh()

    def advance(self, nbytes: int) -> None:
        if self.bar is not None:
            self.bar.update(nbytes)
            self._describe()

    def _describe(self) -> None:
        seconds = time.perf_counter() - self.started
        rate = f" at {human_bytes(self.bar.n / seconds)}/s" if seconds > 0 and self.bar.n else ""
        self.bar.set_postfix_str(f"{human_bytes(self.bar.n)}/{human_bytes(self.total)}{rate}", refresh=False)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@main.command()
@click.argument("paths", nargs=-1)  # folders, files or URLs (s3://, gs://, az://, hf://, https://)
@click.option("-c", "--config", "manifest", type=click.Path(path_type=Path),
              help="Manifest (dbom.yaml) listing datasets and the facts only people know.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_DBOM,
              show_default=True, help="Where to write the DBOM.")
@click.option("--hash", "hashes", type=click.Choice(HASH_CHOICES), multiple=True,
              help="Cryptographic digest besides XXH3-128 (repeatable). Default: sha256; none: XXH3 only.")
@click.option("--spec-version", type=click.Choice(["1.6", "1.7"]), default="1.6", show_default=True,
              help="CycloneDX version to write.")
@click.option("--model", "model_name", help="Name of the model (overrides the manifest's model.name).")
@click.option("--no-cache", is_flag=True, help="Read every file again instead of trusting the cache.")
@click.option("--keep-going", is_flag=True, help="Record unreadable shards with their error instead of stopping.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker threads (0: one per CPU).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary (warnings still print).")
@click.option("--records-digest", is_flag=True,
              help="Read every record for an order-independent digest, so `dbom diff` can tell re-sharding.")
@click.option("--trust-store-checksums", is_flag=True,
              help="Remote objects: take the store's SHA-256 of a whole object instead of reading it.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Who reads the files: this machine's pools, or a Ray cluster (pip install 'dbom[ray]').")
@click.option("--ray-address", metavar="ADDRESS",
              help="The Ray cluster (default: RAY_ADDRESS, else a local instance started for the scan).")
@click.option("--profile", type=click.Choice(["off", "sample", "exact"]),
              help="The content profile from the records: languages, words, tokens, domains, personal data, period "
                   "(pip install 'dbom[profile]'); sample: on a seeded sample (the default, when that extra is "
                   "installed; else off, with a note); exact: every record.")
@click.option("--tokenizer", type=click.Path(path_type=Path),
              help="A tokenizer.json, or a model folder holding one, to count tokens with (--profile).")
def scan(paths: tuple[str, ...], manifest: Path | None, output: Path, hashes: tuple[str, ...],
         spec_version: str, model_name: str | None, no_cache: bool, keep_going: bool, jobs: int,
         quiet: bool, records_digest: bool, trust_store_checksums: bool, executor: str,
         ray_address: str | None, profile: str | None, tokenizer: Path | None) -> None:
    """Fingerprint the datasets in PATHS (folders, files or URLs) and those of the manifest; write a DBOM."""
    if not paths and manifest is None:
        raise click.UsageError("give dataset PATHS, a manifest with -c, or both")
    if manifest is not None and not manifest.is_file():
        raise DbomError(str(manifest), "manifest not found")
    if no_cache and executor == "local" and not jobs:  # every local file is read: by workers, which start now
        from dbom.fingerprint.batch_workers import start_ahead

        start_ahead()
    from dbom.cyclonedx.api import write
    from dbom.scanning.scanner import ScanOptions, ScanStats
    from dbom.scanning.scanner import scan as run_scan

    chosen = ("sha256",) if not hashes else tuple(sorted({h for h in hashes if h != "none"}))
    warnings: list[str] = []
    if profile is None:
        from dbom.profile.extra import EXTRA, installed

        profile = "sample" if tokenizer is not None or installed() else "off"
        if profile == "off" and not quiet:
            click.echo(f"dbom: note: no content profile (languages, domains, personal data...): it needs the "
                       f"{EXTRA} extra (pip install '{EXTRA}'); --profile off says so and silences this", err=True)

    def warn(message: str) -> None:
        warnings.append(message)
        click.echo(f"dbom: warning: {printable(message)}", err=True)

    options = ScanOptions(hashes=chosen, use_cache=not no_cache, keep_going=keep_going, jobs=jobs,
                          model_name=model_name, warn=warn, worker_processes=True, records_digest=records_digest,
                          trust_store_checksums=trust_store_checksums, executor=executor, ray_address=ray_address,
                          profile=profile, tokenizer=tokenizer,
                          progress=_Bar(enabled=not quiet and sys.stderr.isatty()))
    if tokenizer is not None and profile == "off":
        raise click.UsageError("--tokenizer counts tokens for the content profile: add --profile sample or exact")
    if profile != "off":
        from dbom.profile.extra import require

        for module in ("pycld2", "tldextract", *(("tokenizers",) if tokenizer else ())):
            require(module)  # a missing extra: one line naming it, before any file is read
    stats = ScanStats()
    started = time.perf_counter()
    dbom = run_scan(paths, manifest, options, stats)
    from dbom.fingerprint.cache import default_cache_dir

    write(dbom, output, spec_version, memo_dir=None if no_cache else default_cache_dir())
    if any(d.license.is_known or d.record_licenses for d in dbom.datasets):  # check is imported only if needed
        from dbom.compliance.check import license_conflicts

        for conflict in license_conflicts(dbom):
            warn(conflict)
    if not quiet:
        click.echo(_scan_summary(dbom, output, spec_version, stats, time.perf_counter() - started, len(warnings)),
                   err=True)


def _scan_summary(dbom: Any, output: Path, spec_version: str, stats: Any, seconds: float, warnings: int) -> str:
    """The one paragraph that closes a scan: what was written, what was read, what went wrong."""
    from dbom.util.humanize import human_count, plural

    summaries = [d.summary for d in dbom.datasets]
    shards = sum(s.shards for s in summaries)
    counted = shards - sum(s.uncounted for s in summaries)
    # a summary's records with some uncounted is None: the counted ones are in its format totals
    records = f"{human_count(sum(f.records for s in summaries for f in s.formats))} records"
    if counted < shards:  # a broken or record-less shard: say what the figure covers
        records += f" (counted in {human_count(counted)} of {plural(shards, 'shard')})"
    read = f"read {plural(stats.files_read, 'file')} ({human_bytes(stats.bytes_read)}"
    read += f", {human_count(stats.cache_hits)} from cache) in {seconds:.2f} s"
    if stats.bytes_read and stats.seconds > 0:
        read += f" at {human_bytes(stats.bytes_read / stats.seconds)}/s"
    if stats.executor == "ray":
        read += f" on Ray ({plural(stats.workers, 'worker')})" if stats.workers else " (no Ray task needed)"
    broken = sum(s.errors for s in summaries)
    return (f"dbom: wrote {output} (CycloneDX {spec_version}): {plural(len(dbom.datasets), 'dataset')}, "
            f"{plural(shards, 'shard')}, {records}, {human_bytes(sum(d.total_bytes for d in dbom.datasets))}; "
            f"{read}" + (f"; {plural(broken, 'broken shard')} recorded" if broken else "")
            + (f"; {plural(warnings, 'warning')}" if warnings else "") + ".")


@main.command()
@click.argument("file", type=click.Path(path_type=Path), default=DEFAULT_DBOM, required=False)
def validate(file: Path) -> None:
    """Check any CycloneDX JSON FILE (default dbom.cdx.json): the official schema and the rules it cannot express."""
    from dbom.cyclonedx.api import validate_file

    _require_file(file)
    problems = validate_file(file)
    if problems:
        for problem in problems:
            click.echo(printable(f"{file}: {problem}"), err=True)
        sys.exit(1)
    click.echo(f"{file}: valid")


@main.command()
@click.argument("dbom_file", type=click.Path(path_type=Path))
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.option("--push", metavar="ORG/NAME", help="Upload the DBOM and the card to this Hub model repo in one commit.")
@click.option("--force", is_flag=True, help="Attach even when the folder names another model.")
@click.option("--name", default="dbom.cdx.json", show_default=True, help="File name of the DBOM in the folder.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings, no summary.")
def attach(dbom_file: Path, model_dir: Path, push: str | None, force: bool, name: str, quiet: bool) -> None:
    """Bind DBOM_FILE to the model in MODEL_DIR: weight hashes, the DBOM in the folder, the model card."""
    from dbom.publish.attach import attach as run_attach

    def warn(message: str) -> None:
        if not quiet:
            click.echo(f"dbom: warning: {printable(message)}", err=True)

    result = run_attach(dbom_file, model_dir, push, force=force, name=name, warn=warn)
    if not quiet:
        total = sum(f.bytes for f in result.weights)
        card = "created" if result.card_created else "updated"
        added = len(result.added_datasets)
        listed = f" ({added} Hub dataset{'s' * (added != 1)} added to its datasets:)" if added else ""
        count = len(result.weights)
        click.echo(f"dbom: wrote {result.dbom_path} with the SHA-256 of {count} weight file{'s' * (count != 1)} "
                   f"({human_bytes(total)}); {card} {result.card_path}{listed}.", err=True)
        if result.commit_url:
            click.echo(f"dbom: pushed {result.dbom_path.name} and {result.card_path.name} to {push}: "
                       f"{result.commit_url}", err=True)


@main.command()
@click.argument("file", type=click.Path(path_type=Path), default=DEFAULT_DBOM, required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for machines.")
@click.option("--profile", type=click.Choice(["osaid", "eu", "mof", "all"]), default="all", show_default=True,
              help="Which rules: OSAID data information, the EU public summary, the Model Openness Framework's "
                   "data side (its class), or every rule but the MOF's.")
@click.option("--strict", is_flag=True,
              help="Also fail on license conflicts (e.g. non-commercial data in a commercial model).")
def check(file: Path, fmt: str, profile: str, strict: bool) -> None:
    """Does the DBOM FILE (default dbom.cdx.json) meet OSAID's data-information requirement? Exit 0 if so, else 1."""
    import json

    from dbom.compliance.check import check as run_check
    from dbom.compliance.check import dataset_labels, render_text
    from dbom.cyclonedx.api import load

    _require_file(file)
    dbom = load(file, stream=True)
    result = run_check(dbom, profile)
    if fmt == "json":
        click.echo(json.dumps({"file": str(file), **result.to_json()}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(result, str(file), dataset_labels(dbom)), nl=False)
    if not result.meets or (strict and result.conflicts):
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(path_type=Path), default=DEFAULT_DBOM, required=False)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "eu"]), default="md", show_default=True,
              help="md: OSAID data information; eu: EU public summary of training content; html: md with charts.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Where to write the report.")
def report(file: Path, fmt: str, output: Path) -> None:
    """Render the DBOM FILE (default dbom.cdx.json) for people: OSAID data information, EU summary or HTML page."""
    from dbom.compliance.report import write_report
    from dbom.cyclonedx.api import load

    _require_file(file)
    write_report(load(file, stream=True), fmt, output)
    click.echo(f"dbom: wrote {output} ({fmt})", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("dbom.yaml"), show_default=True,
              help="Where to write the manifest.")
@click.option("--force", is_flag=True, help="Overwrite an existing manifest.")
def init(paths: tuple[Path, ...], output: Path, force: bool) -> None:
    """Write a commented manifest for the datasets in PATHS, with every fact to fill in explained."""
    from dbom.compliance.init_manifest import write_manifest

    found = write_manifest(paths, output, force=force)
    click.echo(f"dbom: wrote {output} with {found} datasets; fill in the empty fields, then "
               f"`dbom scan -c {output}` and `dbom check`.", err=True)


@main.command(cls=_Exit2Command)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path), default=DEFAULT_DBOM, required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text for the terminal, markdown for release notes and pull requests, json for machines.")
@click.option("--fail-on", "fail_on", metavar="CATEGORIES", multiple=True,
              help="Comma-separated change categories that make the exit code 1 (default: every one but `model`).")
@click.option("--max-items", type=click.IntRange(min=0), default=20, show_default=True,
              help="Shards listed per kind of change and dataset in text and markdown (0: all).")
def diff(old: Path, new: Path, fmt: str, fail_on: tuple[str, ...], max_items: int) -> None:
    """What changed in the training data from DBOM OLD to NEW (default dbom.cdx.json). Exit 0 same, 1 differs."""
    from dbom.compare.diff import diff as run_diff
    from dbom.compare.diff import parse_categories
    from dbom.compare.render import render

    try:
        categories = parse_categories(fail_on)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from None
    from dbom.cyclonedx.api import load

    result = run_diff(load(_require_file(old), stream=True), load(_require_file(new), stream=True))
    try:
        click.echo(render(result, fmt, old.name, new.name, max_items), nl=False)
        sys.stdout.flush()
    except BrokenPipeError:  # `dbom diff ... | head`: the reader has seen enough; the exit code still tells
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1 if result.differs(categories) else 0)


@main.command(cls=_Exit2Command)
@click.argument("file", type=click.Path(path_type=Path), default=DEFAULT_DBOM, required=False)
@click.option("--root", "roots", metavar="NAME=PATH_OR_URL", multiple=True,
              help="Where dataset NAME is now (repeatable); else the manifest's, else its recorded URL.")
@click.option("-c", "--config", "manifest", type=click.Path(path_type=Path),
              help="The manifest the DBOM was scanned with: where its datasets are.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--trust-cache", is_flag=True, help="Take files whose stat is unchanged from the scan cache, unread.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker threads (0: one per CPU).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Who reads the files: this machine's pools, or a Ray cluster (pip install 'dbom[ray]').")
@click.option("--ray-address", metavar="ADDRESS", help="The Ray cluster (default: RAY_ADDRESS, else a local one).")
@click.option("--max-items", type=click.IntRange(min=0), default=20, show_default=True,
              help="Shards listed per dataset in text (0: all).")
def verify(file: Path, roots: tuple[str, ...], manifest: Path | None, fmt: str, trust_cache: bool, jobs: int,
           executor: str, ray_address: str | None, max_items: int) -> None:
    """Check the data against the DBOM FILE: every shard there, unchanged, and no other. Exit 0 same, 1 differs."""
    import json

    from dbom.cyclonedx.api import load
    from dbom.verification.verify import parse_roots, render_text
    from dbom.verification.verify import verify as run_verify

    if manifest is not None and not manifest.is_file():
        raise DbomError(str(manifest), "manifest not found")
    parsed = parse_roots(roots)
    result = run_verify(load(_require_file(file), stream=True), parsed, manifest, trust_cache, jobs, executor,
                        ray_address)
    if fmt == "json":
        click.echo(json.dumps({"file": str(file), **result.to_json()}, indent=2, ensure_ascii=False))
    else:
        for line in render_text(result, str(file), max_items).splitlines():
            click.echo(printable(line))  # file names come from the data: no control character reaches the terminal
    sys.exit(1 if result.differs else 0)


@main.command()
@click.argument("file", type=click.Path(path_type=Path), default=DEFAULT_DBOM, required=False)
@click.option("--format", "fmt", type=click.Choice(["spdx3", "croissant"]), required=True,
              help="spdx3: SPDX 3.0.1 JSON-LD (AI and Dataset profiles); croissant: Croissant 1.1, one per dataset.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The file to write (croissant without --dataset: a folder, one NAME.croissant.json a dataset).")
@click.option("--dataset", metavar="NAME", help="Croissant: only this dataset, to the file -o names.")
@click.option("--root", "roots", metavar="NAME=PATH_OR_URL", multiple=True,
              help="Croissant: where dataset NAME's files are, for their contentUrl (repeatable).")
def export(file: Path, fmt: str, output: Path, dataset: str | None, roots: tuple[str, ...]) -> None:
    """Write the DBOM FILE (default dbom.cdx.json) as SPDX 3.0.1 or Croissant JSON-LD."""
    from dbom.cyclonedx.api import load
    from dbom.export.run import export as run_export
    from dbom.verification.verify import parse_roots

    parsed = parse_roots(roots)
    if dataset is not None and fmt != "croissant":
        raise click.UsageError("--dataset is for --format croissant (SPDX is one document of every dataset)")
    written = run_export(load(_require_file(file), stream=True), file, fmt, output, dataset, parsed,
                         lambda message: click.echo(f"dbom: warning: {printable(message)}", err=True))
    click.echo(f"dbom: wrote {', '.join(str(p) for p in written)} ({fmt})", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
