"""CycloneDX: write the internal model as an ML-BOM, read one back, validate any CycloneDX JSON."""
