"""Accord notifications service: Messages to clients, families and clinicians, with nothing clinical on a lock screen."""
