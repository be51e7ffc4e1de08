"""Accord goals service: Care episodes, participants and collaboratively agreed, versioned goals."""
