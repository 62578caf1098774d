"""Work spread over processes: how many processors this process may use, and whether it can fork workers (they
inherit the bank and what the parent has read; where it cannot, Windows, the work is done in one process)."""

from __future__ import annotations

import multiprocessing
import os


def processors() -> int:
    """The processors this process may use (its affinity where the system tells it, else the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
