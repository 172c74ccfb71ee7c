"""A worker process for test_jobs_once: from a given instant, run the job loop for a while.

Usage: python tests/job_process.py <unix time to start at> <seconds to run>
Settings come from the environment (DATABASE_URL, …). Prints how many runs of each job it made.
"""
import json
import sys
import time

from service import jobs
from service.app import create_app


def main() -> None:
    start_at, seconds = float(sys.argv[1]), float(sys.argv[2])
    app = create_app()
    ran: dict[str, int] = {}
    with app.app_context():
        time.sleep(max(0.0, start_at - time.time()))
        until = time.time() + seconds
        while time.time() < until:  # every process tries every singleton job again and again
            for entry in jobs.JOBS:
                if entry.singleton and jobs.run_leased(entry) is not None:
                    ran[entry.name] = ran.get(entry.name, 0) + 1
            time.sleep(0.05)
    print(json.dumps(ran), flush=True)


if __name__ == "__main__":
    main()
