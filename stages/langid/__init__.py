"""Language identification: fastText LID with text preparation, per-language thresholds,
Chinese script detection and paragraph-level language shares."""
