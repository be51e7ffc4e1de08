"""One database, and per service a schema and a login role that can use only that schema."""

import secrets
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from accord.shared.services import SERVICES  # the gateway is not one of them: it has no database at all

DATABASE = "accord"


def role_name(service: str) -> str:
    return f"accord_{service}"


def new_passwords() -> dict[str, str]:
    return {s: secrets.token_urlsafe(24) for s in SERVICES}


def service_url(admin_url: str, service: str, password: str, database: str = DATABASE) -> str:
    parts = urlsplit(admin_url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role_name(service)}:{quote(password, safe='')}@{host}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


async def provision(admin_url: str, passwords: dict[str, str], database: str = DATABASE) -> dict[str, str]:
    """Idempotent: creates what is missing and resets the roles' passwords. Returns each service's URL."""
    admin = await asyncpg.connect(admin_url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE "{database}"')
        await admin.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        for service in SERVICES:
            role = role_name(service)
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await admin.execute(f'CREATE ROLE "{role}" LOGIN')
            # Literal, not a bind parameter: utility statements take none. The password is generated, URL-safe.
            await admin.execute(f"ALTER ROLE \"{role}\" PASSWORD '{passwords[service]}'")
            await admin.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"')
    finally:
        await admin.close()
    db_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}"))
    conn = await asyncpg.connect(db_url)
    try:
        # Nobody but the owner may create in public; each schema belongs to its service's role alone.
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for service in SERVICES:
            role = role_name(service)
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{service}" AUTHORIZATION "{role}"')
            await conn.execute(f'REVOKE ALL ON SCHEMA "{service}" FROM PUBLIC')
            await conn.execute(f'ALTER ROLE "{role}" IN DATABASE "{database}" SET search_path = "{service}"')
    finally:
        await conn.close()
    return {s: service_url(admin_url, s, passwords[s], database) for s in SERVICES}
