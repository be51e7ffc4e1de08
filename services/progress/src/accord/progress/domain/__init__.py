"""The progress domain model: pure Python, no I/O."""
