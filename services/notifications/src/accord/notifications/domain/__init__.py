"""The notifications domain model: pure Python, no I/O."""
