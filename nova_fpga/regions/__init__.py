"""What happens to a region an instance holds: hold, load, scrub, release.

``lifecycle.HostRegions`` runs it; ``programming`` does the hardware work
under the card's lock; ``records`` keeps what was loaded and its metrics;
``quarantine`` holds back regions until a scrub of them succeeds.
"""
