"""Runs one converter command (LibreOffice) so that it dies with the worker that started it.

    python converter_guard.py <parent pid> <command> [args…]

Started by awards.documents in a new session, this process leads its own process group, which the command
and everything the command starts (oosplash → soffice.bin) join. When the parent dies — even by SIGKILL —
the kernel sends this process SIGTERM (prctl PR_SET_PDEATHSIG) and it kills the whole group, so no
LibreOffice process is left behind. A plain PDEATHSIG on soffice would not reach soffice.bin, which oosplash
forks. The caller kills the group itself on a timeout.

Kept free of Django and of the portal's imports: it starts in a fraction of a second.
"""

import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


def _kill_group(*_args) -> None:
    os.killpg(0, signal.SIGKILL)  # the group includes this process: nothing runs after this


def main() -> int:
    parent, command = int(sys.argv[1]), sys.argv[2:]
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)  # lead a group of its own, so that killing "the group" never reaches the caller's
    signal.signal(signal.SIGTERM, _kill_group)
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # Linux; elsewhere only the timeout applies
    if prctl is not None and prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the death signal was armed
        _kill_group()
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
