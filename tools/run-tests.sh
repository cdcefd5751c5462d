#!/usr/bin/env bash
# Runs the whole test suite: style, config sample, unit, functional (under
# eventlet and on native threads), integration tests and Nova's own libvirt
# driver tests against ours.
# Extra arguments go to tox (for example: -e unit).
# shellcheck source=tools/bootstrap.sh
source "$(dirname "$0")/bootstrap.sh"

# libvirt's own schema check of the domain XML the driver writes, and
# a check of the shell scripts by shellcheck.
optional_commands virt-xml-validate=libvirt-clients xmllint=libxml2-utils \
    shellcheck=shellcheck
# The functional envs build libvirt-python (the libvirt extra).
build_packages libvirt=libvirt-dev
# The integration tests' cloud: Nova's RPC over RabbitMQ, its databases
# in MariaDB.
required_commands /usr/lib/rabbitmq/bin/rabbitmq-server=rabbitmq-server \
    epmd=erlang-base mariadbd=mariadb-server
ensure_venv
venv_install tox
cd "$TOP" || exit 1
if [ $# -eq 0 ]; then
    set -- -e pep8,genconfig-check,unit,functional,functional-threading,integration,nova-libvirt
fi
exec "$VENV/bin/tox" "$@"
