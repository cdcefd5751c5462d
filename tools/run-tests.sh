#!/usr/bin/env bash
# Runs the whole test suite: style, config sample, unit, functional and
# integration tests.
# Extra arguments go to tox (for example: -e unit).
source "$(dirname "$0")/bootstrap.sh"

# libvirt's own schema check of the domain XML the driver writes.
optional_commands virt-xml-validate=libvirt-clients xmllint=libxml2-utils
# The integration tests' cloud: Nova's RPC over RabbitMQ, its databases
# in MariaDB.
required_commands /usr/lib/rabbitmq/bin/rabbitmq-server=rabbitmq-server \
    epmd=erlang-base mariadbd=mariadb-server
ensure_venv
venv_install tox
cd "$TOP"
if [ $# -eq 0 ]; then
    set -- -e pep8,genconfig-check,unit,functional,integration
fi
exec "$VENV/bin/tox" "$@"
