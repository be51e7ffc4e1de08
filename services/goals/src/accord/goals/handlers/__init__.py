"""One handler function per command (the goals service reacts to no other service's events)."""
