"""Give memory freed by ended sessions back to the operating system.

A session that geocoded a 10,000-row list holds about 65 MB; when it ends, Python frees the
objects but glibc's allocator keeps the pages for reuse, so the server's resident memory stays
at its high-water mark (measured: five such sessions left it about 300 MB up, ``malloc_trim``
brought it back near the start). A daemon thread, started once per server, asks glibc to
return free pages every ``INTERVAL_S`` seconds. Elsewhere (no glibc) it does nothing.

The same thread runs Python's full garbage collection first, in place of Streamlit's after every
rerun (``runner.postScriptGC = false`` in ``.streamlit/config.toml``): over the atlas's large, long-lived
heap that collection took a fifth of a map rerun's server time, and objects in reference cycles can
as well wait up to ``INTERVAL_S`` seconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import time

INTERVAL_S = 30.0


def _libc_trim():
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _libc_trim()


def release_freed_memory() -> bool:
    """Return free heap pages to the system now; ``False`` where the C library cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def housekeeping_pass() -> int:
    """Collect garbage in reference cycles, then return free pages; the number of objects collected."""
    found = gc.collect()
    release_freed_memory()
    return found


def start_housekeeping(interval_s: float = INTERVAL_S) -> threading.Thread:
    """Start the collecting and trimming thread (call once per server, e.g. from a cached resource)."""

    def loop() -> None:
        while True:
            time.sleep(interval_s)
            housekeeping_pass()

    thread = threading.Thread(target=loop, name="atlas-memory-housekeeping", daemon=True)
    thread.start()
    return thread
