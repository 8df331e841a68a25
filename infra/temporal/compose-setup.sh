#!/bin/sh
# One-shot Temporal set-up for docker-compose.yml, run in the temporalio/admin-tools image (the
# supported replacement of the deprecated auto-setup image):
#   compose-setup.sh schema     creates the temporal and temporal_visibility databases in PostgreSQL
#                               (if absent) and brings both schemas to the version of these tools
#   compose-setup.sh namespace  registers TEMPORAL_NAMESPACE on the running server (if absent)
# Both are safe to re-run: `docker compose up` runs them at every start; an upgrade of the Temporal
# images runs update-schema with the new versioned schema files.
# Reads POSTGRES_SEEDS, POSTGRES_USER, SQL_PASSWORD (temporal-sql-tool reads it itself), DB_PORT,
# TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_NAMESPACE_RETENTION.
set -eu

schema() {
  : "${POSTGRES_SEEDS:?POSTGRES_SEEDS: the PostgreSQL host}"
  : "${POSTGRES_USER:?POSTGRES_USER: the PostgreSQL user of Temporal}"
  : "${SQL_PASSWORD:?SQL_PASSWORD: that user password}"
  versions=/etc/temporal/schema/postgresql/v12
  for pair in temporal:temporal temporal_visibility:visibility; do
    db=${pair%%:*}
    dir=${pair#*:}
    # `create` fails when the database exists (PostgreSQL's image creates one named after the user).
    if ! out=$(sql --db "$db" create 2>&1); then
      case "$out" in
        *"already exists"*) echo "database $db exists" ;;
        *) echo "$out" >&2; exit 1 ;;
      esac
    fi
    sql --db "$db" setup-schema -v 0.0
    sql --db "$db" update-schema -d "$versions/$dir/versioned"
  done
}

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "${DB_PORT:-5432}" "$@"
}

namespace() {
  : "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS: the Temporal frontend, host:port}"
  ns=${TEMPORAL_NAMESPACE:-default}
  if temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
    echo "namespace $ns exists"
  else
    temporal operator namespace create --namespace "$ns" --retention "${TEMPORAL_NAMESPACE_RETENTION:-720h}" \
      --description "chiso workflows"
  fi
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: compose-setup.sh schema|namespace" >&2; exit 2 ;;
esac
