"""Kernels on Unix sockets, for the notebooks that tools and tests run headless with nbclient.

jupyter_client gives a kernel five TCP ports by binding port 0 and letting go; the kernel binds
them a moment later. With the test suite on two cores (pytest-xdist), beside a JupyterLab, a
JupyterHub and Chromium that all open ports, another process can take one in that moment: the
kernel dies as it starts, and nbclient waits for it forever. A kernel on Unix sockets in a folder
of its own cannot collide with anything.

    NotebookClient(nb, kernel_manager_class=IPCKernelManager, ...)
"""

from __future__ import annotations

import os
import tempfile

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


#: One temporary folder per process for the kernels' folders, removed when the process ends.
_kernels: tempfile.TemporaryDirectory | None = None


def _new_folder() -> str:
    global _kernels
    if _kernels is None:
        _kernels = tempfile.TemporaryDirectory(prefix="downhill-kernels-")
    return tempfile.mkdtemp(dir=_kernels.name)


class IPCKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel listens on Unix sockets in a new temporary folder."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        # the sockets are <folder>/kernel-1 … kernel-5 (short enough for a socket's 107 characters)
        return os.path.join(_new_folder(), "kernel")
