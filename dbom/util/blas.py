"""One OpenBLAS thread for dbom's processes."""

from __future__ import annotations

import os


def single_blas_thread() -> None:
    """Have numpy's OpenBLAS start one thread, unless the user set how many; call before numpy is imported.

    dbom multiplies no matrices, but OpenBLAS starts a thread per core when numpy is imported (pyarrow imports
    it): about 0.1 s of CPU in each process, a twentieth of a scan of 20,000 small files on two cores.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
