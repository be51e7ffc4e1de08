"""The contract of every integration event, one module per producing service."""
