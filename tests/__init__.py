"""Nova's concurrency mode, fixed before anything imports Nova.

With OS_NOVA_DISABLE_EVENTLET_PATCHING=true (tox's unit and
functional-threading envs) Nova runs on native threads and refuses
eventlet; without it eventlet patches the standard library, as in Nova's
own tests. Test discovery imports this package first; choosing later would
be too late, as oslo.messaging fixes oslo.service's backend on import.
"""

from nova import monkey_patch

monkey_patch.patch()

from tests import writable  # noqa: E402

writable.keep_in_a_temporary_directory()
