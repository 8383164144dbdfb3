"""Licensing: cards, license files, per-record licenses, SPDX names and license classes."""
