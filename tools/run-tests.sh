#!/usr/bin/env bash
# Runs the whole test suite: style, config sample, unit, functional and
# integration tests.
# Extra arguments go to tox (for example: -e unit).
# shellcheck source=tools/bootstrap.sh
source "$(dirname "$0")/bootstrap.sh"

# libvirt's own schema check of the domain XML the driver writes, and
# a check of the shell scripts by shellcheck.
optional_commands virt-xml-validate=libvirt-clients xmllint=libxml2-utils \
    shellcheck=shellcheck
ensure_venv
venv_install tox
cd "$TOP" || exit 1
if [ $# -eq 0 ]; then
    set -- -e pep8,genconfig-check,unit,functional,integration
fi
exec "$VENV/bin/tox" "$@"
