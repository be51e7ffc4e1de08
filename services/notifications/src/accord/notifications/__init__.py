"""Accord notifications service: messages to clients, families and clinicians; nothing clinical on a lock screen."""
