#!/bin/sh
# Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d): one
# database and owner each for the Prefect server and for bounceback.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set prefect_password="$PREFECT_DB_PASSWORD" \
    --set bounceback_password="$BOUNCEBACK_DB_PASSWORD" <<'SQL'
CREATE ROLE prefect LOGIN PASSWORD :'prefect_password';
CREATE DATABASE prefect OWNER prefect;
CREATE ROLE bounceback LOGIN PASSWORD :'bounceback_password';
CREATE DATABASE bounceback OWNER bounceback;
SQL
