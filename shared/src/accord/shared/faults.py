"""Named points where a test can freeze a process to kill it at the worst moment (`kill -9` tests).

A no-op unless ACCORD_FAULT_POINT names the point: then the process says so on stderr and waits forever,
so the test can send SIGKILL knowing exactly which step was done and which was not.
"""

import asyncio
import os
import sys


async def fault_point(name: str) -> None:
    if os.environ.get("ACCORD_FAULT_POINT") != name:
        return
    print(f"FAULT-POINT-REACHED {name}", file=sys.stderr, flush=True)
    await asyncio.Event().wait()  # never set: only SIGKILL ends this
