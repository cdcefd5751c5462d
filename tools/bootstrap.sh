# shellcheck shell=bash
# Sourced by the Quick start scripts: a virtualenv of the project's own,
# built with only python3 and pip, and Debian packages when run as root.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${NOVA_FPGA_VENV:-$TOP/.venv}
CONSTRAINTS=$TOP/upper-constraints.txt

install_debian_packages() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "Missing system packages: $*. Install them, then run again." >&2
        exit 1
    fi
    echo "Installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

# Installs the Debian packages (COMMAND=PACKAGE) of missing commands when
# root; otherwise says what the tests that need them will skip for.
optional_commands() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
    done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        install_debian_packages "${missing[@]}"
    else
        echo "Not installed: ${missing[*]}; the tests that need them skip." >&2
    fi
}

# Installs the Debian packages (PKG_CONFIG_NAME=PACKAGE) that provide
# libraries Python packages build against, with pkg-config; stops with
# their names when not root.
build_packages() {
    local missing=() pair
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    for pair in "$@"; do
        pkg-config --exists "${pair%%=*}" 2>/dev/null ||
            missing+=("${pair#*=}")
    done
    [ ${#missing[@]} -eq 0 ] || install_debian_packages "${missing[@]}"
}

# Installs the Debian packages (COMMAND=PACKAGE) of missing commands;
# fails, naming them, when they cannot be installed.
required_commands() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
    done
    [ ${#missing[@]} -eq 0 ] || install_debian_packages "${missing[@]}"
}

ensure_venv() {
    [ -x "$VENV/bin/pip" ] && return
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
        # Debian ships venv's pip bootstrap separately.
        rm -rf "$VENV"
        install_debian_packages python3-venv
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip >/dev/null
}

venv_install() {
    # Build tools are chatty; keep their output for when something fails.
    local log=$VENV/install.log
    if ! "$VENV/bin/pip" install -q -c "$CONSTRAINTS" "$@" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "Installing $* failed; the whole log is in $log" >&2
        exit 1
    fi
}
