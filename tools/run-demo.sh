#!/usr/bin/env bash
# The demo: a small FPGA cloud on this machine, loopback only, every
# service its own process (RabbitMQ, keystone, Placement, glance-api and
# nova-api under gunicorn, nova-conductor, nova-scheduler, three
# nova-fpga-computes on simulated FPGA hosts), driven with the openstack
# client step by step. Arguments go to the demo (e.g. --keep).
# shellcheck source=tools/bootstrap.sh
source "$(dirname "$0")/bootstrap.sh"

# Nova's RPC goes over RabbitMQ, its databases are in MariaDB (Debian's;
# the demo starts its own of each).
required_commands /usr/lib/rabbitmq/bin/rabbitmq-server=rabbitmq-server \
    epmd=erlang-base mariadbd=mariadb-server
ensure_venv
echo "Installing nova_fpga, keystone, Glance, the openstack client and their dependencies into $VENV ..."
# The demo's computes run on Nova's fakelibvirt, which comes with Nova's
# test fixtures and needs the test requirements.
venv_install "$TOP" -r "$TOP/test-requirements.txt" \
    -r "$TOP/integration-requirements.txt"
# The demo is not installed (nova_fpga is): it runs from the top of the
# checkout, and the processes it starts find it there too.
cd "$TOP" || exit 1
exec "$VENV/bin/python" -m demo "$@"
