"""The gateway domain model: pure Python, no I/O."""
