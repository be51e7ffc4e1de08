#!/usr/bin/env bash
# PostgreSQL's first start (docker-entrypoint-initdb.d): the accord database and, per service, a login role
# accord_<service> that owns the schema <service> and can use nothing else. Mirrors
# accord.devtools.infra.provision, which does the same for the no-Docker stack. Passwords come from the
# environment (ACCORD_<SERVICE>_DB_PASSWORD), never from this file.
set -euo pipefail

SERVICES=(goals progress notifications reporting)

# Every password first: a missing one stops the script before it has changed anything.
for service in "${SERVICES[@]}"; do
  variable="ACCORD_${service^^}_DB_PASSWORD"
  : "${!variable:?$variable must be set}"
done

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE DATABASE accord;
REVOKE ALL ON DATABASE accord FROM PUBLIC;
SQL

for service in "${SERVICES[@]}"; do
  variable="ACCORD_${service^^}_DB_PASSWORD"
  password="${!variable}"
  # psql's :'var' quotes the value as a literal, so a password cannot break out of the statement.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname accord \
    -v role="accord_${service}" -v schema="${service}" -v password="${password}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
GRANT CONNECT, TEMPORARY ON DATABASE accord TO :"role";
CREATE SCHEMA :"schema" AUTHORIZATION :"role";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
ALTER ROLE :"role" IN DATABASE accord SET search_path = :"schema";
SQL
done

# Nobody but the owner may create in public.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname accord -c "REVOKE ALL ON SCHEMA public FROM PUBLIC;"
