"""Accord reporting service: Read models, reports and exports built from the event streams."""
