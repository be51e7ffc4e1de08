"""The reporting domain model: pure Python, no I/O."""
