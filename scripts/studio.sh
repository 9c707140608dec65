#!/usr/bin/env bash
# Builds and starts the studio on its embedded defaults: SQLite databases and the demo model under saves/,
# the demo datasets in data/, listening on http://localhost:5000 (pass --urls to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/PgxStudio -c Release -v q -nologo -clp:ErrorsOnly
pgx=(dotnet src/PgxStudio/bin/Release/net10.0/pgx.dll)
exec "${pgx[@]}" studio "$@"
