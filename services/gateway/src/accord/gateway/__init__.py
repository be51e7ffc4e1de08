"""Accord gateway service: The one front door for web and mobile clients."""
