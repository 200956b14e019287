# expect: none
"""Cron job run by ops: push the job-queue depth to the metrics gateway.

The gateway address comes from the deployment environment, set by operators.
"""
import json
import os
import sqlite3
import urllib.request


def queue_depth(db_path):
    conn = sqlite3.connect(db_path)
    try:
        (count,) = conn.execute("SELECT COUNT(*) FROM jobs WHERE state = 'queued'").fetchone()
    finally:
        conn.close()
    return count


def main():
    gateway = os.environ.get("METRICS_GATEWAY_URL", "http://localhost:9091")
    payload = json.dumps({"queue_depth": queue_depth("/var/lib/worker/jobs.db")}).encode("utf-8")
    req = urllib.request.Request(
        gateway.rstrip("/") + "/metrics/job/worker_queue",
        data=payload,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        print("pushed, status", resp.status)


if __name__ == "__main__":
    main()
