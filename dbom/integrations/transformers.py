"""The documented import path of the Trainer callback: `from dbom.integrations.transformers import DbomCallback`.

The callback lives in `dbom.training.transformers`; this module only re-exports it.
"""

from dbom.training.transformers import DbomCallback

__all__ = ["DbomCallback"]
