"""A small process supervisor for `make run` (production uses systemd units: docs/deploy.md).

    python scripts/supervise.py [--ready-url URL] [--once CMD] NAME=CMD [NAME=CMD ...]

Starts each program in a session of its own (so the terminal's Ctrl+C reaches only this
supervisor), restarts one that exits with exponential backoff (1 s doubling to 30 s, back to 1 s
once it has stayed up a minute) while the others keep running, and on Ctrl+C or SIGTERM stops
them all with SIGTERM (SIGKILL after 15 s) and exits quietly. The first program is started
first; when --ready-url answers, the --once commands run (e.g. pushing the WeChat menu) and the
other programs start.

honcho (Foreman's Python clone) was the maintained candidate, but it stops every process when one
exits — exactly what `make run` must not do — so this is written out, in the standard library.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request

BACKOFF_START, BACKOFF_MAX, STABLE_AFTER, STOP_GRACE = 1.0, 30.0, 60.0, 15.0


class Program:
    def __init__(self, name: str, command: str):
        self.name, self.argv = name, shlex.split(command)
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = BACKOFF_START
        self.restart_at: float | None = None
        self.starts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, start_new_session=True)
        self.started_at, self.restart_at = time.monotonic(), None
        self.starts += 1
        say(f"{self.name} started (pid {self.process.pid})" + (f", start {self.starts}" if self.starts > 1 else ""))

    def check(self, now: float) -> None:
        """Notice an exit and schedule the restart; restart when its time has come."""
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            if now - self.started_at >= STABLE_AFTER:
                self.backoff = BACKOFF_START
            say(f"{self.name} exited with {code}; restarting in {self.backoff:.0f} s")
            self.process, self.restart_at = None, now + self.backoff
            self.backoff = min(self.backoff * 2, BACKOFF_MAX)
        if self.process is None and self.restart_at is not None and now >= self.restart_at:
            self.start()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def say(text: str) -> None:
    print(f"supervise: {text}", file=sys.stderr, flush=True)


def wait_ready(url: str, first: Program, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopping["now"]:
        try:
            urllib.request.urlopen(url, timeout=1)
            return True
        except OSError:
            if first.process is not None and first.process.poll() is not None:
                return False
            time.sleep(0.2)
    return False


stopping = {"now": False}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready-url")
    parser.add_argument("--once", action="append", default=[], help="run after the first program is ready")
    parser.add_argument("--banner", default="", help="printed once everything has started")
    parser.add_argument("programs", nargs="+", metavar="NAME=CMD")
    args = parser.parse_args()
    programs = [Program(*spec.split("=", 1)) for spec in args.programs]

    def stop(signum, frame):
        stopping["now"] = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    programs[0].start()
    if args.ready_url and not wait_ready(args.ready_url, programs[0]):
        if not stopping["now"]:
            say(f"{programs[0].name} did not become ready at {args.ready_url}")
    for command in args.once:
        if stopping["now"]:
            break
        if subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, start_new_session=True).returncode:
            say(f"`{command}` failed (see the log above)")
    for program in programs[1:]:
        if not stopping["now"]:
            program.start()
    if args.banner and not stopping["now"]:
        print(args.banner, flush=True)
    while not stopping["now"]:
        now = time.monotonic()
        for program in programs:
            program.check(now)
        time.sleep(0.2)
    say("stopping")
    for program in programs:
        program.terminate()
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and any(p.process and p.process.poll() is None for p in programs):
        time.sleep(0.1)
    for program in programs:
        program.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
