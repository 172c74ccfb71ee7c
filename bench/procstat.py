"""CPU time of processes, read from /proc (Linux), for the benches' CPU-per-message figures."""
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids, system_only: bool = False) -> float:
    """User + system (or only system) CPU seconds of these processes so far; a process that is
    gone is skipped."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[12]) + (0 if system_only else int(fields[11]))  # stime, utime
    return total / TICKS
