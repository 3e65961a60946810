"""The Jupyter kernel manager the batch runner starts its study kernels with.

Two things about a default kernel reach the terminal past papermill: ipykernel's
warning that it listens on TCP without encryption, and whatever the kernel process
writes to its own file descriptors (TensorFlow's C++ log lines, which ipykernel
also copies into the cell's stderr output). Our kernels are local children of this
process, so they talk over IPC (Unix sockets beside the connection file, nothing
listening on the network), and their own stdout/stderr go to the study's log file.

Each kernel's connection file and sockets live in a private directory the caller makes for that
kernel (0700, removed afterwards). jupyter_client's default for IPC is ``kernel-ipc-<n>`` in the
current directory, numbered by an existence check: two runs at once (two profiles on one cache,
a report beside the test suite) took each other's sockets and failed with ``Invalid Signature`` or
a kernel that did not answer, and a run started from another directory looked for sockets where
the kernel (started in the project root) had not made them.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO

from jupyter_client import AsyncKernelManager
from traitlets import default


def local_kernel_manager(log_file: IO, runtime_dir: str | Path) -> type[AsyncKernelManager]:
    """A kernel manager class for papermill's ``kernel_manager_class`` writing the kernel's output to
    ``log_file``, its connection file and IPC sockets in ``runtime_dir`` (private to this kernel)."""
    # Short names: a Unix socket's path must stay under 104-108 bytes, and TMPDIR may be long.
    connection_file = str(Path(runtime_dir).resolve() / "k.json")

    class LocalKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("connection_file")
        def _connection_file_default(self):
            return connection_file

        async def start_kernel(self, **kw):
            kw.setdefault("stdout", log_file)
            kw.setdefault("stderr", log_file)
            return await super().start_kernel(**kw)

    return LocalKernelManager
