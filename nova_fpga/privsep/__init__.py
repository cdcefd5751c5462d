"""The one privileged context of nova_fpga.

Only functions decorated with ``sys_admin_pctxt.entrypoint`` run
privileged: each opens a device node, writes a sysfs attribute or runs a
vendor tool, and takes plain data (paths, numbers), never objects. They
live next to the code that calls them, in the backend modules.

nova-compute starts the daemon (privsep-helper, through
``[nova_fpga_privileged] helper_command`` or sudo) on the first call. With
``set_client_mode(False)`` entry points run in the calling process instead:
unit tests do that (like Nova's PrivsepFixture), and so may a demo on a
simulated host, where nothing privileged happens.
"""

from oslo_privsep import capabilities
from oslo_privsep import priv_context

sys_admin_pctxt = priv_context.PrivContext(
    'nova_fpga',
    cfg_section='nova_fpga_privileged',
    pypath=__name__ + '.sys_admin_pctxt',
    capabilities=[capabilities.CAP_SYS_ADMIN,
                  capabilities.CAP_DAC_OVERRIDE,
                  capabilities.CAP_DAC_READ_SEARCH],
)
