#!/usr/bin/env python
"""Load and faults: concurrent contributors write progress updates while a worker dies and PostgreSQL restarts.

    .venv/bin/python bench/load_faults.py                    # 50 contributors, 60 s, both faults
    .venv/bin/python bench/load_faults.py --seconds 20 --no-postgres-restart

Run on demand (not in CI), on a machine where nothing else uses the local
PostgreSQL: the restart interrupts every client of the server. It creates its
own database (asem_faults), serves the portal with gunicorn (production
settings, 2 workers) on 127.0.0.1, and has N contributors (separate sessions,
one initiative each) log in, create drafts and edit them through the real web
forms for the given time. At 1/3 of the run it kills one gunicorn worker
(SIGKILL; the master starts another); at 2/3 it restarts PostgreSQL.

Then it checks the database: every request that got a success (a redirect to
the saved update) is stored with exactly the content it sent, or with content
a later request of the same contributor sent; no update is half-written (each
has its transition record, its milestone report and its indicator value). It
prints requests sent, accepted, stored, lost (must be 0), 5xx outside and
inside the fault windows, and the recovery time after each fault.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from run import django_env, ensure_database, manage, serve  # the benchmark's helpers (bench/ is the script's directory)

PASSWORD = "load-and-faults-2030"  # noqa: S105 - a throwaway local test account
FAULT_WINDOW = 8.0  # seconds after a fault during which failures are expected


def env_for(database_url: str) -> dict[str, str]:
    # The benchmark's production-like settings; these clients never fail a login, so the lockout stays out of it.
    return {**django_env(database_url), "CONN_MAX_AGE": "60", "LOG_LEVEL": "ERROR"}


SETUP = r"""
from django.contrib.auth import get_user_model
from monitoring.models import ProgressUpdate
from projects.models import Indicator, Milestone, Project, ProjectOrganisation
from stakeholders.models import Organisation, Membership
User = get_user_model()
ProgressUpdate.objects.filter(author__username__startswith="faults-").delete()
for i in range(N):
    org, _ = Organisation.objects.get_or_create(slug=f"faults-org-{i}", defaults={"name": f"Faults org {i}", "kind": "stakeholder", "region": "europe"})
    project, _ = Project.objects.get_or_create(slug=f"faults-initiative-{i}", defaults={"title": f"Faults initiative {i}"})
    ProjectOrganisation.objects.get_or_create(project=project, organisation=org, role="lead")
    Milestone.objects.get_or_create(project=project, title="Kick-off")
    Indicator.objects.get_or_create(project=project, name="Participants", defaults={"unit": "people", "target": 100})
    user, created = User.objects.get_or_create(username=f"faults-{i}")
    user.set_password(PASSWORD); user.save()
    Membership.objects.get_or_create(user=user, organisation=org)
print("ok")
"""


@dataclass
class Stats:
    sent: int = 0
    accepted: int = 0
    errors_5xx: list[float] = field(default_factory=list)  # times of 5xx responses
    failures: list[float] = field(default_factory=list)  # times of connection failures
    successes: list[float] = field(default_factory=list)  # times of successful writes
    ready: list[float] = field(default_factory=list)  # times /readyz answered 200
    # update id -> (last accepted marker, markers sent later without an answer)
    expected: dict[int, tuple[str, set[str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            content = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, content


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1) if match else ""


def form_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    for name in re.findall(r'<select name="([^"]+)"', page):
        fields.setdefault(name, "")
    return fields


def contributor(i: int, port: int, deadline: float, stats: Stats, started: float) -> None:
    client = Client(port)
    update_id = None
    n = 0
    while time.monotonic() < deadline:
        n += 1
        marker = f"contributor {i} write {n}"
        now = time.monotonic() - started
        try:
            if "sessionid" not in client.cookies:
                status, _, page = client.request("GET", "/accounts/login/")
                status, headers, _ = client.request(
                    "POST", "/accounts/login/",
                    {"csrfmiddlewaretoken": csrf_token(page), "username": f"faults-{i}", "password": PASSWORD, "next": "/updates/"},
                )  # fmt: skip
                if status != 302:
                    with stats.lock:
                        (stats.errors_5xx if status >= 500 else stats.failures).append(now)
                    time.sleep(0.5)
                    continue
            path = (
                f"/updates/initiatives/faults-initiative-{i}/new/"
                if update_id is None
                else f"/updates/{update_id}/edit/"
            )
            status, _, page = client.request("GET", path)
            if status != 200:
                with stats.lock:
                    (stats.errors_5xx if status >= 500 else stats.failures).append(now)
                continue
            body = form_fields(page)
            milestone = re.search(r'name="(milestone_\d+)_outcome"', page).group(1)
            indicator = re.search(r'name="(indicator_\d+)_value"', page).group(1)
            # The form's own period (the open reporting cycle's, when there is one).
            period = dict(re.findall(r'name="(period_start|period_end)" value="([^"]*)"', page))
            body.update(
                {
                    "period_start": period.get("period_start") or "2026-01-01",
                    "period_end": period.get("period_end") or "2026-06-30",
                    "achievements": marker,
                    "challenges": "None.",
                    "next_steps": "More of the same.",
                    f"{milestone}_outcome": "on_track",
                    f"{indicator}_value": str(n),
                    f"{indicator}_as_of": period.get("period_end") or "2026-06-30",
                    "save": "1",
                }
            )
            with stats.lock:
                stats.sent += 1
                if update_id is not None:
                    stats.expected[update_id][1].add(marker)
            sent_at = time.monotonic() - started
            status, headers, _ = client.request("POST", path, body)
        except (OSError, http.client.HTTPException, AttributeError):
            with stats.lock:
                stats.failures.append(time.monotonic() - started)
            time.sleep(0.2)
            continue
        now = time.monotonic() - started
        with stats.lock:
            if status == 302 and re.search(r"/updates/(\d+)/$", headers.get("Location", "")):
                saved_id = int(re.search(r"/updates/(\d+)/$", headers["Location"]).group(1))
                stats.accepted += 1
                stats.successes.append(now)
                pending = stats.expected.get(saved_id, ("", set()))[1] - {marker}
                stats.expected[saved_id] = (marker, pending)
                update_id = saved_id
            elif status >= 500:
                stats.errors_5xx.append(sent_at)  # when it was sent: was it in flight during a fault?
            elif status != 409:  # a conflict cannot happen (one writer per update) but would not be a loss
                stats.failures.append(now)


def recovery_after(fault_at: float, stats: Stats) -> float | None:
    """Seconds from the fault until /readyz answered 200 again (the service and its database)."""
    later = [t for t in stats.ready if t > fault_at]
    return (min(later) - fault_at) if later else None


def probe_readiness(port: int, deadline: float, stats: Stats, started: float) -> None:
    """Ask /readyz ten times a second on a fresh connection; keep the times it answered 200."""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                with stats.lock:
                    stats.ready.append(time.monotonic() - started)
            conn.close()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contributors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/asem_faults")
    parser.add_argument("--no-worker-kill", action="store_true")
    parser.add_argument("--no-postgres-restart", action="store_true")
    args = parser.parse_args()

    env = env_for(args.database_url)
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_action_plan", "-v0")
    manage(env, code=f"N = {args.contributors}\nPASSWORD = {PASSWORD!r}\n" + SETUP)

    server = serve(
        env, args.port, "--workers", "2", "--threads", "4", "--timeout", "30", "--error-logfile", "/dev/null"
    )
    faults: list[tuple[str, float]] = []
    try:
        stats = Stats()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=contributor, args=(i, args.port, deadline, stats, started), daemon=True)
            for i in range(args.contributors)
        ]
        threads.append(
            threading.Thread(target=probe_readiness, args=(args.port, deadline, stats, started), daemon=True)
        )
        for thread in threads:
            thread.start()
        if not args.no_worker_kill:
            time.sleep(args.seconds / 3)
            workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()  # noqa: S603, S607
            if workers:
                os.kill(int(workers[0]), signal.SIGKILL)
                faults.append(("gunicorn worker killed", time.monotonic() - started))
        if not args.no_postgres_restart:
            time.sleep(max(0, started + 2 * args.seconds / 3 - time.monotonic()))
            version = sorted(os.listdir("/etc/postgresql"))[-1]
            faults.append(("PostgreSQL restarted", time.monotonic() - started))
            subprocess.run(  # noqa: S603, S607
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                check=True,
                capture_output=True,
            )
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    check = r"""
import json
from monitoring.models import ProgressUpdate
rows = {u.pk: (u.achievements, u.transitions.count(), u.milestone_reports.count(), u.indicator_values.count())
        for u in ProgressUpdate.objects.filter(author__username__startswith="faults-").prefetch_related("transitions", "milestone_reports", "indicator_values")}
print(json.dumps(rows))
"""
    import json

    stored = {int(k): v for k, v in json.loads(manage(env, code=check).strip().splitlines()[-1]).items()}
    lost = 0
    for update_id, (marker, pending) in stats.expected.items():
        row = stored.get(update_id)
        if row is None or (row[0] != marker and row[0] not in pending):
            lost += 1
    half_written = sum(1 for row in stored.values() if row[1] < 1 or row[2] != 1 or row[3] != 1)
    # A 5xx counts as the fault's when its request was sent while the fault was under way (or just before).
    in_window = [t for t in stats.errors_5xx if any(-FAULT_WINDOW <= t - at <= FAULT_WINDOW for _, at in faults)]

    print(f"contributors           {args.contributors}")
    print(f"duration               {args.seconds:.0f} s")
    print(f"requests sent (writes) {stats.sent}")
    print(f"accepted               {stats.accepted}")
    print(
        f"stored                 {len(stats.expected) - lost} of {len(stats.expected)} updates with their last accepted content"
    )
    print(f"lost                   {lost}")
    print(f"half-written updates   {half_written}")
    print(f"5xx outside faults     {len(stats.errors_5xx) - len(in_window)}")
    print(f"5xx inside faults      {len(in_window)} (requests in flight; 503 with Retry-After)")
    failed_in_window = [t for t in stats.failures if any(-FAULT_WINDOW <= t - at <= FAULT_WINDOW for _, at in faults)]
    print(
        f"failed connections     {len(stats.failures)} ({len(failed_in_window)} within {FAULT_WINDOW:.0f} s of a fault; "
        "no answer, or not the expected one)"
    )
    for name, at in faults:
        recovery = recovery_after(at, stats)
        print(
            f"{name:<23}at {at:5.1f} s, answering again (/readyz) after {recovery:.2f} s"
            if recovery is not None
            else f"{name}: no recovery"
        )
    ok = lost == 0 and half_written == 0 and len(stats.errors_5xx) == len(in_window)
    ok = ok and all((recovery_after(at, stats) or 99) <= 5 for _, at in faults)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
