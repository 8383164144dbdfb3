"""Where the Jinja2 templates are, in a source tree and in an installed wheel alike.

The canonical files are the repository's top-level `templates/`. In the source tree (and so in an
editable install) `dbom/templates` is a symlink to it; a wheel carries the files themselves as
package data under `dbom/templates` (pyproject.toml, `[tool.setuptools.package-data]`).
"""

from __future__ import annotations

from pathlib import Path

from dbom.errors import DbomError


def templates_dir(required: str = "report.md.j2") -> Path:
    """The folder holding the templates (checked by looking for `required`); DbomError when absent."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / required).is_file():
            return candidate
    raise DbomError(str(package / "templates"), "the templates are missing from this installation of dbom")
