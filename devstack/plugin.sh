#!/usr/bin/env bash
# devstack plugin of nova_fpga: installs it into nova-compute's Python,
# runs the compute service as nova-fpga-compute and writes the [fpga]
# options. local.conf: enable_plugin nova_fpga <git url of nova_fpga>
#
# Uses devstack's own functions (setup_develop, iniset, is_service_enabled,
# sudo, SYSTEMCTL); its settings are in devstack/settings.

# The simulated host every compute of this machine sees.
function nova_fpga_simulated_host {
    echo "$NOVA_FPGA_SIMULATOR_ROOT/$(hostname -s)"
}

function install_nova_fpga {
    # The same Python as nova-compute's: devstack's virtualenv when it
    # uses one, the system's otherwise.
    setup_develop "$NOVA_FPGA_DIR"
}

function configure_nova_fpga {
    local conf=${NOVA_CPU_CONF:-$NOVA_CONF}
    mkdir -p "$NOVA_FPGA_CACHE_DIR" "$NOVA_FPGA_STATE_DIR" \
        "$NOVA_FPGA_LOCK_PATH"
    iniset "$conf" DEFAULT compute_driver "$NOVA_FPGA_COMPUTE_DRIVER"
    iniset "$conf" fpga bitstream_cache_dir "$NOVA_FPGA_CACHE_DIR"
    iniset "$conf" fpga state_dir "$NOVA_FPGA_STATE_DIR"
    iniset "$conf" fpga lock_path "$NOVA_FPGA_LOCK_PATH"
    iniset "$conf" fpga scrub_on_release "$NOVA_FPGA_SCRUB_ON_RELEASE"
    iniset "$conf" fpga provider_layout "$NOVA_FPGA_PROVIDER_LAYOUT"
    iniset "$conf" fpga gpu_provider_layout "$NOVA_FPGA_GPU_PROVIDER_LAYOUT"
    if [ -n "$NOVA_FPGA_ENABLED_DEVICES" ]; then
        iniset "$conf" fpga enabled_devices "$NOVA_FPGA_ENABLED_DEVICES"
    fi
    if [ "${NOVA_FPGA_SIMULATE,,}" = true ]; then
        configure_nova_fpga_simulator "$conf"
    fi
}

function configure_nova_fpga_simulator {
    local conf=$1 root card
    local cards=()
    root=$(nova_fpga_simulated_host)
    if [ ! -d "$root/sys" ]; then
        for card in $NOVA_FPGA_SIMULATED_CARDS; do
            cards+=(--card "$card")
        done
        nova-fpga simulate --root "$root" "${cards[@]}"
    fi
    iniset "$conf" fpga sysfs_root "$root/sys"
    iniset "$conf" fpga dev_root "$root/dev"
    iniset "$conf" fpga simulator_root "$NOVA_FPGA_SIMULATOR_ROOT"
}

# nova-scheduler's filter that spreads concurrent boots over free regions
# and puts warm ones first, after the filters devstack enabled, and the
# weigher that puts hosts with a warm region first.
function configure_nova_fpga_scheduler {
    local filters
    filters=$(iniget "$NOVA_CONF" filter_scheduler enabled_filters)
    iniset "$NOVA_CONF" filter_scheduler available_filters \
        nova_fpga.scheduler.filters.all_filters
    iniset "$NOVA_CONF" filter_scheduler enabled_filters \
        "${filters:+$filters,}FPGACandidateFilter"
    iniset "$NOVA_CONF" filter_scheduler weight_classes \
        nova_fpga.scheduler.weights.all_weighers
}

# The cloud-wide FPGA API in nova-api's pipeline at /fpga, and in the
# catalog as service type fpga.
function configure_nova_fpga_api {
    "$PYTHON" -m nova_fpga.api.paste "$NOVA_API_PASTE_INI"
}

function register_nova_fpga_api {
    get_or_create_service nova-fpga fpga "FPGA regions"
    get_or_create_endpoint fpga "$REGION_NAME" \
        "$NOVA_SERVICE_PROTOCOL://$NOVA_SERVICE_HOST/compute/fpga"
}

# devstack starts n-cpu as nova-compute; nova-fpga-compute is nova-compute
# with the driver's alias registered, so the unit's command is swapped.
function start_nova_fpga_compute {
    local unit=$SYSTEMD_DIR/devstack@n-cpu.service
    [ -f "$unit" ] || return 0
    sudo sed -i 's|/nova-compute |/nova-fpga-compute |' "$unit"
    $SYSTEMCTL daemon-reload
    $SYSTEMCTL restart devstack@n-cpu.service
}

if [[ "${1:-}" == "stack" ]]; then
    case "${2:-}" in
        install)
            if is_service_enabled n-cpu || is_service_enabled n-sch || \
                    is_service_enabled n-api; then
                install_nova_fpga
            fi
            ;;
        post-config)
            if is_service_enabled n-cpu; then
                configure_nova_fpga
            fi
            if is_service_enabled n-sch; then
                configure_nova_fpga_scheduler
            fi
            if is_service_enabled n-api; then
                configure_nova_fpga_api
                register_nova_fpga_api
            fi
            ;;
        extra)
            if is_service_enabled n-cpu; then
                start_nova_fpga_compute
            fi
            ;;
    esac
fi
