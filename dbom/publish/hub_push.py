"""Upload files to a Hugging Face Hub model repository in one commit (`dbom attach --push`).

The token comes from where huggingface_hub looks for it (the HF_TOKEN environment variable, then
the token saved by `hf auth login`) unless one is passed; it is never printed, and it is removed
from any error message that would quote it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping

from dbom.errors import DbomError

# `org/name`, as the Hub spells repository ids (no `..` or `--`, at most 96 characters each side).
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


def check_repo_id(repo_id: str) -> None:
    """Raise DbomError unless `repo_id` is a Hub model repository id `ORG/NAME`."""
    if not _REPO_ID.match(repo_id) or ".." in repo_id or "--" in repo_id or repo_id.endswith((".git", ".")):
        raise DbomError(repo_id, "not a Hub repository id (expected ORG/NAME)")


def push_files(repo_id: str, files: Mapping[str, bytes], message: str, description: str = "",
               token: str | None = None, endpoint: str | None = None, revision: str | None = None,
               warn: Callable[[str], None] | None = None) -> str:
    """Commit `files` (path in the repository -> content) to the model repo `repo_id`; return the commit URL.

    One `create_commit` with one `CommitOperationAdd` per file. `endpoint` defaults to huggingface_hub's
    (HF_ENDPOINT or https://huggingface.co). What the Hub warns about (e.g. the card's metadata) goes to
    `warn`, one line each. Raises DbomError, one line, for any failure.
    """
    check_repo_id(repo_id)
    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.utils import HfHubHTTPError  # (also in huggingface_hub.errors since 0.23)

    api = HfApi(endpoint=endpoint, token=token, library_name="dbom")
    secret = token or _saved_token()
    operations = [CommitOperationAdd(path_in_repo=path, path_or_fileobj=content) for path, content in files.items()]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            info = api.create_commit(repo_id, operations, commit_message=message, commit_description=description,
                                     repo_type="model", revision=revision)
        for warning in caught:
            if warn is not None:
                warn(f"{repo_id}: " + _scrub(" ".join(str(warning.message).split()), secret))
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        hint = {401: "not authenticated: set HF_TOKEN or run `hf auth login`",
                403: "the token may not write to this repository",
                404: "no such repository (create it first) or no access to it"}.get(status or 0, "")
        cause = f"HTTP {status}" + (f" ({hint})" if hint else "") + f": {_first_line(exc)}"
        raise DbomError(repo_id, "push failed: " + _scrub(cause, secret)) from None
    except (OSError, ValueError, RuntimeError) as exc:  # connection errors, offline mode, invalid card metadata
        raise DbomError(repo_id, "push failed: " + _scrub(f"{type(exc).__name__}: {_first_line(exc)}", secret)) \
            from None
    except Exception as exc:  # httpx errors are not OSErrors; keep the one-line contract
        if type(exc).__module__.split(".")[0] not in ("httpx", "httpx2", "httpcore"):
            raise
        raise DbomError(repo_id, "push failed: " + _scrub(f"{type(exc).__name__}: {_first_line(exc)}", secret)) \
            from None
    return str(info.commit_url)


def _saved_token() -> str | None:
    from huggingface_hub import get_token

    try:
        return get_token()
    except Exception:  # a broken token file is huggingface_hub's to report, not a reason to fail here
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text
