"""Fingerprinting: one pass over each shard for every digest, the incremental cache, the worker pools."""
