"""Every `dbom:` property name the DBOM uses, in one place, with what it means.

CycloneDX has no field for these; the README's property table is generated from PROPERTIES
(see tests/test_readme.py), so the two never drift apart.
"""

from __future__ import annotations

SHARD_ROLE = "dbom:role"
HASH_XXH3 = "dbom:hash:xxh3-128"
BYTES = "dbom:bytes"
FORMAT = "dbom:format"
COMPRESSION = "dbom:compression"
RECORDS = "dbom:records"
UNCOMPRESSED_BYTES = "dbom:uncompressed-bytes"
SCHEMA = "dbom:schema"
ERROR = "dbom:error"
RECORDS_DIGEST = "dbom:records-digest"
PROFILE_PREFIX = "dbom:profile:"  # the content profile's properties (dbom.profile.result)
SHARDS = "dbom:shards"
INCLUDE = "dbom:include"
EXCLUDE = "dbom:exclude"
LICENSE_SOURCE = "dbom:license:source"
LICENSE_STATUS = "dbom:license:status"
LICENSE_NAME = "dbom:license:name"
LICENSE_PATH = "dbom:license:path"
LICENSE_CLASS = "dbom:license:class"
LICENSE_CLASSES = "dbom:license:classes"
LICENSE_EVIDENCE = "dbom:license:evidence"
LICENSE_CODE = "dbom:license:code"
LICENSE_RECORDS = "dbom:license:records"
LOCATION = "dbom:location"
FACT_PREFIX = "dbom:fact:"
FACTS_FROM_CARD = "dbom:facts:from-card"
MODEL_COMMERCIAL = "dbom:model:commercial"
MODEL_FACT_PREFIX = "dbom:model:fact:"  # a model fact the manifest states (dbom.manifest.MODEL_FACT_KEYS)
MODEL_EU_COMMENT_PREFIX = "dbom:model:eu-comment:"
HASH_ALGORITHMS = "dbom:hash:algorithms"
WARNING = "dbom:warning"
# Remote corpora (dbom.sources.remote)
SOURCE_URL = "dbom:source:url"
STORE_ETAG = "dbom:store:etag"
STORE_VERSION_ID = "dbom:store:version-id"
HASH_SOURCE = "dbom:hash:source"
HUB_REF = "dbom:hub:ref"
# Provenance (dbom.provenance): git, Hugging Face Hub, `datasets` objects, processing steps, training time.
VCS_URL = "dbom:vcs:url"
VCS_COMMIT = "dbom:vcs:commit"
VCS_REF = "dbom:vcs:ref"
VCS_DIRTY = "dbom:vcs:dirty"
VCS_DIFF_DIGEST = "dbom:vcs:diff-digest"
VCS_PATH = "dbom:vcs:path"
VCS_LAST_COMMIT = "dbom:vcs:last-commit"
HUB_REPO = "dbom:hub:repo"
HUB_TYPE = "dbom:hub:type"
HUB_REVISION = "dbom:hub:revision"
HUB_PATH = "dbom:hub:path"
HUB_BLOB = "dbom:hub:blob"
STEP_KIND = "dbom:step:kind"
STEP_ENTRYPOINT = "dbom:step:entrypoint"
STEP_CODE = "dbom:step:code"
STEP_LICENSE = "dbom:step:license"
STEP_DOCUMENTS_IN = "dbom:step:documents-in"
STEP_DOCUMENTS_OUT = "dbom:step:documents-out"
STEP_BYTES_IN = "dbom:step:bytes-in"
STEP_BYTES_OUT = "dbom:step:bytes-out"
TRAINING_CODE = "dbom:training-code"
ENV_PREFIX = "dbom:env:"
DATASETS_TYPE = "dbom:datasets:type"
DATASETS_BUILDER = "dbom:datasets:builder"
DATASETS_CONFIG = "dbom:datasets:config"
DATASETS_VERSION = "dbom:datasets:version"
DATASETS_REVISION = "dbom:datasets:revision"
DATASETS_FINGERPRINT = "dbom:datasets:fingerprint"
DATASETS_SPLITS = "dbom:datasets:splits"
DATASETS_FEATURES = "dbom:datasets:features"
DATASETS_CITATION = "dbom:datasets:citation"

PROPERTIES: dict[str, tuple[str, str]] = {
    # name: (where, meaning)
    SHARD_ROLE: ("file", "what the file is: `shard` (data), `card`, `license`, `code`, `metadata` or `other`; "
                         "`weights` for a model's weight file (`dbom attach`)"),
    HASH_XXH3: ("file", "XXH3-128 of the file's bytes, hex (always computed; not a CycloneDX hash algorithm)"),
    BYTES: ("file, dataset", "size in bytes (of the file; for a dataset, the sum over its shards)"),
    FORMAT: ("file", "data format: parquet, arrow, arrow-stream, jsonl, json, csv, tsv, text, webdataset, warc"),
    COMPRESSION: ("file", "compression of a text format: gzip, zstd, bz2, xz"),
    RECORDS: ("file, dataset", "record count read from the file (rows, lines, samples, WARC content records); "
                               "a dataset's sum"),
    UNCOMPRESSED_BYTES: ("file", "size after decompression, for compressed shards"),
    SCHEMA: ("file", "columns and their types as a JSON list of `[name, type]` pairs"),
    ERROR: ("file", "why the shard could not be read (only with `--keep-going`)"),
    RECORDS_DIGEST: ("file, dataset", "`<scheme>:<hex>`, an order-independent digest of the records (only with "
                                      "`--records-digest`; a dataset's is the sum over its shards): see `dbom diff`"),
    SHARDS: ("dataset", "number of shards"),
    INCLUDE: ("dataset", "the manifest's include globs, as a JSON list"),
    EXCLUDE: ("dataset", "the manifest's exclude globs, as a JSON list"),
    LICENSE_SOURCE: ("dataset", "where the license came from: `card`, `license-file` or `manifest`, or "
                                "`datasets-info` (the info of a `datasets` object)"),
    LICENSE_NAME: ("dataset", "the license's own name when its SPDX form is a `LicenseRef-`"),
    LOCATION: ("dataset", "where to obtain the data, when the manifest states it as text rather than a URL"),
    LICENSE_PATH: ("dataset", "the license file the license was read from, relative to the dataset root"),
    LICENSE_CLASS: ("dataset", "the license's headline class (its most restrictive; see *Licenses* above)"),
    LICENSE_CLASSES: ("dataset", "all the license's classes, comma-separated"),
    LICENSE_EVIDENCE: ("dataset", "every license statement found, as a JSON list of `{license, source, path}`"),
    LICENSE_CODE: ("dataset", "the repository's code license beside a separate data license, as JSON"),
    LICENSE_RECORDS: ("dataset", "per-record licenses as a JSON list of `[license, records, bytes]`"),
    LICENSE_STATUS: ("dataset", "`NOASSERTION` when no license could be determined"),
    FACT_PREFIX + "<key>": ("dataset", "a fact stated in the manifest (e.g. `dbom:fact:osaid_class`); "
                                       "see the manifest keys"),
    FACTS_FROM_CARD: ("dataset", "the facts (`dbom:fact:<key>`) taken from the dataset's card, not stated in the "
                                 "manifest, as a JSON list of keys"),
    MODEL_COMMERCIAL: ("model", "`true` when the model is meant for commercial use, per the manifest"),
    MODEL_FACT_PREFIX + "<key>": ("model", "a model fact the manifest states for the EU summary (contact, "
                                           "authorised_representative, dependencies, market_date, "
                                           "continuous_training, summary_version, other_public_data, "
                                           "other_private_data, cop_signatory)"),
    MODEL_EU_COMMENT_PREFIX + "<section>": ("model", "the manifest's additional comments for a section of the EU "
                                                     "summary (`model.eu_comments`)"),
    HASH_ALGORITHMS: ("metadata", "digests computed for every file, comma-separated"),
    WARNING: ("dataset, metadata", "what was left out, and why: on a dataset, `<path>: <why>` for each file or folder "
                                   "its walk skipped (a symlink pointing outside, a FIFO, a symlink loop...); on "
                                   "the metadata, what `dbom attach` skipped in the model folder"),
    SOURCE_URL: ("dataset", "the URL a remote dataset was scanned from (s3://, gs://, az://, hf://, https://), "
                            "without credentials"),
    STORE_ETAG: ("file", "the object's ETag in its store, as listed when it was scanned"),
    STORE_VERSION_ID: ("file", "the object's version id (S3 versioned buckets, GCS generation) it was read at"),
    HASH_SOURCE: ("file", "where a remote object's digests came from: `computed` (read) or `store` (the store's "
                          "own SHA-256, with `--trust-store-checksums`; no XXH3-128 then)"),
    HUB_REF: ("dataset", "the branch or tag given in an hf:// URL, resolved to the commit in `dbom:hub:revision`"),
    VCS_URL: ("dataset, code", "the git remote's URL without credentials, or `local` for a remote on a local path"),
    VCS_COMMIT: ("dataset, code", "the git commit checked out (full id)"),
    VCS_REF: ("dataset, code", "the branch, or the tag when HEAD is detached on one"),
    VCS_DIRTY: ("dataset, code", "`true` when the working tree differs from the commit (under the path)"),
    VCS_DIFF_DIGEST: ("dataset, code", "SHA-256 of the uncommitted changes (diff against HEAD and untracked files; "
                                       "see dbom/provenance/git.py)"),
    VCS_PATH: ("dataset, code", "the path within the repository"),
    VCS_LAST_COMMIT: ("dataset, code", "the last commit that touched the path (`git log -1 -- PATH`): what "
                                       "`dbom diff` compares, so that a commit elsewhere is no change"),
    HUB_REPO: ("dataset", "the Hugging Face Hub repository (`ORG/NAME`) whose cached snapshot was scanned"),
    HUB_TYPE: ("dataset", "the type of that repository: `dataset`, `model` or `space`"),
    HUB_REVISION: ("dataset", "the repository commit the snapshot holds"),
    HUB_PATH: ("dataset", "the dataset root's path within the repository, when not the whole of it"),
    HUB_BLOB: ("file", "the file's blob in the hub cache: its git blob id, or the SHA-256 of its content for "
                       "LFS files"),
    STEP_KIND: ("task", "the step's kind as the manifest states it (e.g. filter, dedup, tokenize); CycloneDX's "
                        "task types are a closed list"),
    STEP_ENTRYPOINT: ("task", "the step's entry point (e.g. a module or `module:function`)"),
    STEP_CODE: ("task", "the step's code reference as stated, when it is not a code component"),
    STEP_LICENSE: ("task", "the license of the step's code (SPDX), as the manifest states it"),
    STEP_DOCUMENTS_IN: ("task", "documents (records) the step read"),
    STEP_DOCUMENTS_OUT: ("task", "documents (records) the step wrote"),
    STEP_BYTES_IN: ("task", "bytes the step read"),
    STEP_BYTES_OUT: ("task", "bytes the step wrote"),
    TRAINING_CODE: ("metadata", "the bom-ref of the training code's component (written at training time)"),
    ENV_PREFIX + "<package>": ("metadata", "the version of a package installed in the training interpreter; "
                                           "`dbom:env:python` is the interpreter's own version"),
    DATASETS_TYPE: ("dataset", "the type of the `datasets` object recorded: `Dataset`, `DatasetDict`, "
                               "`IterableDataset` or `IterableDatasetDict`"),
    DATASETS_BUILDER: ("dataset", "the builder that made it (e.g. `parquet`, or the dataset's own script)"),
    DATASETS_CONFIG: ("dataset", "the builder configuration"),
    DATASETS_VERSION: ("dataset", "the builder version"),
    DATASETS_REVISION: ("dataset", "the Hub revision its files were downloaded at, when its info names it"),
    DATASETS_FINGERPRINT: ("dataset", "`datasets`' own fingerprint of each split, as a JSON object"),
    DATASETS_SPLITS: ("dataset", "the splits its info declares, as a JSON list of `[name, examples, bytes]`"),
    DATASETS_FEATURES: ("dataset", "its features (columns and types) as `datasets` describes them, in JSON"),
    DATASETS_CITATION: ("dataset", "the citation its info gives"),
}
