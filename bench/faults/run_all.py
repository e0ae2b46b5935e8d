"""Run every fault script (`make bench-faults`): the database restarted during pushes, a
gunicorn worker killed mid-request, the network cut during pulls, a batch pushed twice at once.
Each runs in a process group of its own with a time limit; on overrun it gets SIGTERM (and
cleans up its cluster and server), then SIGKILL. Prints one line per script and exits non-zero
if any failed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("db_restart.py", "worker_kill.py", "network_cut.py", "double_push.py")
LIMIT = 420  # seconds per script


def _run(script: str) -> tuple[int, str, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(HERE / script)],
        stdout=subprocess.PIPE,
        stderr=None,  # progress goes straight to the terminal
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
        return 124, f"FAIL {script}: no result within {LIMIT} s\n{out}", LIMIT
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        raise
    return process.returncode, out.strip(), time.monotonic() - started


def main() -> int:
    failed = []
    lines = []
    for script in SCRIPTS:
        print(f"== {script}", file=sys.stderr, flush=True)
        code, out, _ = _run(script)
        lines.append(out.splitlines()[-1] if out else f"FAIL {script}: exit {code}, no output")
        if code != 0:
            failed.append(script)
    print()
    for line in lines:
        print(line)
    print()
    print(f"{len(SCRIPTS) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
