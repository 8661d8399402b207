#!/bin/sh
# A stand-in database: keeps its data in the named volume and answers on port 5432.
mkdir -p /var/lib/db
[ -f /var/lib/db/created ] || date +%s > /var/lib/db/created
echo "db: ready, database ${POSTGRES_DB}, data created at $(cat /var/lib/db/created)"
exec nc -ll -p 5432 -e cat
