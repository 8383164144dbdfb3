"""The content profile: what only a dataset's records can tell (issue 18).

Characters, words and tokens, languages, the registered domains of the URLs by bytes of content, counts of
personal data and the period of the dates, computed from the records themselves, on every record or on a
seeded sample extrapolated by bytes. One module per job:

- `fields`: which fields hold the text, URL and date (found by name, or stated in the manifest);
- `records`: those fields' values as Arrow arrays, from Arrow batches or JSON rows alike;
- `accumulator`: `ProfileAccumulator`, a shard's profile (fed batches; merged; JSON for the cache);
- `result`: `profile_of`, a dataset's figures and their `dbom:profile:*` properties;
- `sampling`: the seeded sample and the extrapolation with its 95% interval;
- `languages`, `tokenizer`, `domains`, `domain_counts`, `pii`: the parts;
- `modality`: the files' bytes by modality (`dbom:profile:modality`), from their formats and columns;
- `recorded`: the recorded `dbom:profile:*` properties read back, for the reports, `check` and `diff`;
- `extra`: the `dbom[profile]` extra (pycld2, tldextract, tokenizers), imported only when used.

Importing this package imports none of the extra's libraries.
"""

from __future__ import annotations

from dbom.profile.accumulator import ProfileAccumulator
from dbom.profile.extra import MissingExtraError
from dbom.profile.fields import Fields, FieldSpec, find_fields
from dbom.profile.result import Profile, profile_of
from dbom.profile.sampling import SAMPLE_BYTES, Estimate, RecordSample, sampling_rate
from dbom.profile.tokenizer import TokenCounter

__all__ = ["SAMPLE_BYTES", "Estimate", "FieldSpec", "Fields", "MissingExtraError", "Profile", "ProfileAccumulator",
           "RecordSample", "TokenCounter", "find_fields", "profile_of", "sampling_rate"]
