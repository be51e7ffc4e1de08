"""The goals domain model: pure Python, no I/O."""
