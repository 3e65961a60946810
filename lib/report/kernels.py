"""The Jupyter kernel manager the batch runner starts its study kernels with.

Two things about a default kernel reach the terminal past papermill: ipykernel's
warning that it listens on TCP without encryption, and whatever the kernel process
writes to its own file descriptors (TensorFlow's C++ log lines, which ipykernel
also copies into the cell's stderr output). Our kernels are local children of this
process, so they talk over IPC (Unix sockets beside the connection file, nothing
listening on the network), and their own stdout/stderr go to the study's log file.
"""
from __future__ import annotations

from typing import IO

from jupyter_client import AsyncKernelManager
from traitlets import default


def local_kernel_manager(log_file: IO) -> type[AsyncKernelManager]:
    """A kernel manager class for papermill's ``kernel_manager_class`` writing the kernel's output to ``log_file``."""

    class LocalKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        async def start_kernel(self, **kw):
            kw.setdefault("stdout", log_file)
            kw.setdefault("stderr", log_file)
            return await super().start_kernel(**kw)

    return LocalKernelManager
