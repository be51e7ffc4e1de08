"""Accord shared library: contracts and building blocks every service imports. No domain logic."""
