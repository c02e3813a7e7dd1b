#!/bin/sh
# Starts the application with its configuration.
exec /srv/app/bin/app --config /srv/app/conf/app.toml "$@"
