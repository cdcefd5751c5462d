#!/usr/bin/env bash
# The demo: simulate an FPGA host with one card of every driver family and
# discover it with the nova-fpga command.
source "$(dirname "$0")/bootstrap.sh"

ensure_venv
echo "Installing nova_fpga and its dependencies into $VENV ..."
venv_install "$TOP"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$VENV/bin/nova-fpga" simulate --root "$work/host" \
    --card n6000:2,vfs=3 --card d5005,vfs=1 --card c6100 --card pac_a10 \
    --card n3000 --card u250 --card zynqmp
"$VENV/bin/nova-fpga" discover \
    --sysfs-root "$work/host/sys" --dev-root "$work/host/dev"
