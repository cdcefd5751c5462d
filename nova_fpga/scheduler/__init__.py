"""Our part of nova-scheduler: the order of a host's allocation candidates.

Enable it with ``[filter_scheduler] available_filters =
nova_fpga.scheduler.filters.all_filters`` (Nova's filters and ours) and
``FPGACandidateFilter`` in ``enabled_filters``.
"""
