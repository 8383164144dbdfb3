"""Scanning: put the stages together (sources, fingerprint, formats, provenance, licensing) into one `Dbom`.

Not called `scan`, so that importing it never shadows the public function `dbom.scan`.
"""
