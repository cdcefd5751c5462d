#!/usr/bin/env bash
# The demo: a small FPGA cloud on this machine, loopback only (a real Glance
# under gunicorn; Nova's API, conductor, scheduler, real Placement and two
# nova-computes with our driver on simulated FPGA hosts, in one process),
# shown working step by step. Arguments go to the demo (e.g. --keep).
# shellcheck source=tools/bootstrap.sh
source "$(dirname "$0")/bootstrap.sh"

ensure_venv
echo "Installing nova_fpga, Glance and their dependencies into $VENV ..."
# Nova runs its services in one process only through its functional-test
# base, which needs the test requirements.
venv_install "$TOP" -r "$TOP/test-requirements.txt" \
    -r "$TOP/integration-requirements.txt"
exec "$VENV/bin/python" -m nova_fpga.demo "$@"
