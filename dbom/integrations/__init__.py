"""Kept for the documented import path `dbom.integrations.transformers`; the code is in `dbom.training`."""
