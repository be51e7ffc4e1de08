"""The pseudonymised analytics stream (accord.analytics.v1): one analytics event per domain event, derived without
I/O. Keys and their periods: keys.py; pseudonyms: pseudonyms.py; what each event keeps: the mappers; the message as
a whole: derive.py. The handler that writes them to the outbox is handlers/analytics.py."""
