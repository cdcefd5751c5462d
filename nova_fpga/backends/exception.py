"""What the backends raise."""


class NotSupported(Exception):
    """The family cannot do what was asked."""


class HardwareError(Exception):
    """The kernel or a vendor tool refused; the message says why."""
