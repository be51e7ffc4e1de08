"""The gateway's commands: browser sign-in and sessions (sessions.py). It consumes no events."""
