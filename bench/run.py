#!/usr/bin/env python
"""Benchmark the portal under gunicorn on PostgreSQL, at a chosen scale.

    .venv/bin/python bench/run.py --scale 90            # generate (once), serve, measure, print the table
    .venv/bin/python bench/run.py --scale 1 --seconds 5 # a quick run

Steps: create the benchmark database if needed, migrate, load the plan, add
``scale × 100`` synthetic initiatives (``generate_synthetic_data``) unless
they are there, collect static files, start gunicorn (production settings,
DEBUG off, 2 workers) on 127.0.0.1, warm every page, then load each page from
a second process (keep-alive connections, bounded in time) and print
throughput and p50/p95 latency, each page's ratio to ``/healthz`` measured in
the same run, and the queries each page makes (counted in-process with the
Django test client). Pages marked "varied" get a different filter or search
on every request, so no cache can answer them; among them, searches for two
common terms of the plan that match thousands of initiatives at scale 90. Each
page is checked against its budget (:data:`BUDGETS`, issue 20; the figures are
in docs/performance.md). Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
#: Two common terms of the plan: each matches about a quarter of the initiatives (thousands at scale 90).
COMMON_SEARCHES = ["higher education", "learning network"]
SEARCH_WORDS = ["mobility", "students", "recognition", "quality", "skills", "digital", "network", "alumni",
                "research", "exchange", "virtual", "training", "teachers", "youth", "credits", "policy"]  # fmt: skip


#: The pages whose p50 may be at most this many times /healthz's p50 in the same run (issue 20's budgets).
CACHED_PAGES = (
    "home", "objective", "action", "initiative", "organisation", "directory", "stocktaking report", "api progress",
    "countries", "country", "balance", "published updates", "initiative feed", "open data",
)  # fmt: skip
VARIED_PAGES = (
    "directory filtered", "directory searched", "directory common words", "directory by progress", "api list",
    "api searched",
)  # fmt: skip
BUDGETS = {**dict.fromkeys(CACHED_PAGES, 3.0), **dict.fromkeys(VARIED_PAGES, 20.0)}
#: The stocktaking report's builder, warm, at 36,000 approved updates (scale 90): at most this many seconds.
REPORT_BUILDER_BUDGET = 5.0


def django_env(database_url: str) -> dict[str, str]:
    env = {**os.environ}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        # One client from one address: the API throttles would answer 429 after 120 requests a minute (the
        # anonymous rate) or 600 (the per-user rate, which counts anonymous clients by address too).
        API_THROTTLE_ANON="100000000/minute",
        API_THROTTLE_USER="100000000/minute",
    )
    return env


def manage(env: dict[str, str], *args: str, code: str | None = None) -> str:
    """``manage.py args`` (or ``manage.py shell -c code``); its output, or exit with its errors."""
    args = ("shell", "-c", code) if code is not None else args
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def serve(env: dict[str, str], port: int, *options: str) -> subprocess.Popen:
    """gunicorn serving the portal on 127.0.0.1 (in its own process group), once it answers /healthz."""
    server = subprocess.Popen(  # noqa: S603
        [PY, "-m", "gunicorn", "asem_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         *options],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("gunicorn did not answer /healthz")


def ensure_database(database_url: str, *, fresh: bool = False) -> None:
    """The benchmark's own database; ``fresh`` drops it first (faster than deleting 9,000 initiatives row by
    row, each deletion raising the page cache's version once it commits)."""
    import psycopg2

    base, name = database_url.rsplit("/", 1)
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def synthetic_count(env: dict[str, str]) -> int:
    code = "from projects.models import Project; print(Project.objects.filter(slug__startswith='synthetic-').count())"
    return int(manage(env, code=code).strip().splitlines()[-1])


def sample_targets(env: dict[str, str]) -> dict[str, object]:
    """Pick real slugs to request, and count each page's queries, in one Django process."""
    code = r"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from monitoring.models import ProgressUpdate
from projects.models import Project
from stakeholders.models import Organisation
from actions.models import StrategicObjective, Action
project = Project.objects.filter(slug__startswith="synthetic-").order_by("pk")[Project.objects.count() // 3]
organisation = Organisation.objects.filter(participations__isnull=False).order_by("pk").last()
objective = StrategicObjective.objects.order_by("number").first()
action = Action.objects.order_by("number").first()
organisations = list(Organisation.objects.filter(participations__role="lead").values_list("slug", flat=True).distinct()[:200])
# The public, published report of a synthetic cycle (published once, by a benchmark superuser).
from django.contrib.auth import get_user_model
from monitoring.models import ReportingCycle
from monitoring.cycle_services import publish_report
cycle = ReportingCycle.objects.filter(published_on__isnull=False).order_by("-number").first()
if cycle is None:
    cycle = ReportingCycle.objects.filter(note__startswith="synthetic").order_by("-number").first()
    if cycle is not None:
        admin, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
        publish_report(cycle=cycle, user=admin, confirmed=True)  # synthetic data: whatever is unresolved
report = cycle.get_absolute_url() if cycle else None
pages = {
    "/healthz": "/healthz",
    "home": "/",
    "objective": objective.get_absolute_url(),
    "action": action.get_absolute_url(),
    "initiative": project.get_absolute_url(),
    "organisation": organisation.get_absolute_url(),
    "directory": "/initiatives/",
    "countries": "/countries/",
    "country": "/countries/DE/",
    "balance": "/balance/",
    "published updates": "/updates/published/",
    "initiative feed": project.get_absolute_url() + "feed/",
    "open data": "/open-data/",
    "directory filtered": "/initiatives/?objective=2&region=asia",
    "directory searched": "/initiatives/?q=mobility",
    "directory common words": "/initiatives/?q=higher+education",
    "directory by progress": "/initiatives/?status=ongoing&reported=false&late_milestones=true",
    "api progress": "/api/v1/progress/?objective=1",
    "api list": "/api/v1/initiatives/",
    "api searched": "/api/v1/initiatives/?q=learning+network",
}
if report:
    pages["stocktaking report"] = report
pages["csv export"] = "/initiatives/export.csv"  # last: slow requests still running would slow the next page
client = Client()
queries = {}
for name, url in pages.items():
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    queries[name] = {"status": response.status_code, "queries": len(ctx.captured_queries)}
from monitoring.initiative_views import DIRECTORY_PAGE_SIZE
total = Project.objects.count()
list_pages = {"directory": -(-total // DIRECTORY_PAGE_SIZE), "api": -(-total // 100)}
print(json.dumps({"pages": pages, "queries": queries, "organisations": organisations, "list_pages": list_pages}))
"""
    env = {**env, "DJANGO_SETTINGS_MODULE": "asem_portal.settings"}
    result = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode:
        sys.exit(f"sampling failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def api_page(rng: random.Random) -> str:
    """A page of the API list that is seldom asked twice: the API refuses parameters it does not know (so no
    ``_=`` cache-buster), and page and page size vary instead (about 25 initiatives, one of the first 40 pages)."""
    return f"page={rng.randint(1, 40)}&page_size={rng.randint(20, 30)}"


def varied_urls(name: str, url: str, organisations: list[str], rng: random.Random):
    """A new URL each time for the 'varied' pages (no cache hit possible)."""
    if name == "directory filtered":
        while True:
            yield (
                f"/initiatives/?objective={rng.randint(1, 4)}&region={rng.choice(['asia', 'europe', 'international'])}"
                f"&organisation={rng.choice(organisations)}&page=1&_={rng.random()}"
            )
    if name == "directory searched":
        while True:
            yield f"/initiatives/?q={quote(' '.join(rng.sample(SEARCH_WORDS, 2)))}&_={rng.random()}"
    if name == "directory common words":
        while True:
            yield f"/initiatives/?q={quote(rng.choice(COMMON_SEARCHES))}&_={rng.random()}"
    if name == "directory by progress":
        statuses = ["planned", "ongoing", "completed", "delayed", "discontinued", "not_reported"]
        while True:
            yield (
                f"/initiatives/?status={rng.choice(statuses)}&reported={rng.choice(['true', 'false'])}"
                f"&late_milestones={rng.choice(['true', 'false'])}&objective={rng.randint(1, 4)}"
                f"&region={rng.choice(['asia', 'europe', 'international'])}&page=1"
            )
    if name == "api list":
        while True:
            yield (
                f"/api/v1/initiatives/?objective={rng.randint(1, 4)}&is_new={rng.choice(['true', 'false'])}"
                f"&{api_page(rng)}"
            )
    if name == "api searched":
        while True:
            yield f"/api/v1/initiatives/?q={quote(rng.choice(COMMON_SEARCHES))}&{api_page(rng)}"
    while True:
        yield url


def warm_lists(port: int, list_pages: dict[str, int]) -> None:
    def read(url: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", url)
        conn.getresponse().read()
        conn.close()

    urls = [f"/initiatives/?page={n}" for n in range(1, list_pages["directory"] + 1)]
    urls += [f"/api/v1/initiatives/?page={n}&page_size=100" for n in range(1, list_pages["api"] + 1)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(read, urls))


def load_worker(args) -> tuple[list[float], int, int]:
    """One load process: ``connections`` keep-alive connections for ``seconds``; returns the latencies (ms),
    the errors (5xx or no answer) and the refusals (4xx)."""
    port, name, url, organisations, seconds, connections, seed = args

    def run(index):
        # A generator per connection (one is not safe to share between threads).
        urls = varied_urls(name, url, organisations, random.Random(seed + index))  # noqa: S311 - load, not secrets
        latencies, errors, refused = [], 0, 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            target = next(urls)
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status >= 500:
                    errors += 1
                elif response.status >= 400:  # a 4xx (e.g. 429) is not the page: count it, show it
                    refused += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()
        return latencies, errors, refused

    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(run, range(connections)))
    return [lat for lats, _e, _r in results for lat in lats], sum(r[1] for r in results), sum(r[2] for r in results)


def measure(port, name, url, organisations, seconds, connections) -> dict[str, float]:
    with get_context("spawn").Pool(1) as pool:
        latencies, errors, refused = pool.apply(
            load_worker, ((port, name, url, organisations, seconds, connections, 7),)
        )
    latencies.sort()
    if not latencies:
        return {"requests": 0, "rps": 0, "p50": float("nan"), "p95": float("nan"), "errors": errors, "4xx": refused}
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "errors": errors,
        "4xx": refused,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/asem_bench")
    parser.add_argument("--seconds", type=float, default=8.0, help="Load time per page.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--regenerate", action="store_true", help="Replace the synthetic data.")
    parser.add_argument(
        "--redis-url",
        help="Serve with this shared cache (emptied first), as a deployment with several workers should "
        "(docs/deployment.md); without it each worker keeps its own cache and loses it when it is recycled.",
    )
    parser.add_argument(
        "--pages",
        help="Measure only these pages (comma-separated names from the table, e.g. 'directory filtered,api list'; "
        "the floor is always measured) and skip the report timings: for a quick check of one change.",
    )
    args = parser.parse_args()

    env = django_env(args.database_url)
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    ensure_database(args.database_url, fresh=args.regenerate)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_action_plan", "-v0")
    count = synthetic_count(env)
    if count and count != args.scale * 100:  # another scale's data: start from an empty database
        ensure_database(args.database_url, fresh=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_action_plan", "-v0")
        count = 0
    if not count:
        print(f"Generating scale {args.scale} ({args.scale * 100} initiatives)…", flush=True)
        generated = manage(env, "generate_synthetic_data", "--scale", str(args.scale), "--compact")
        print(generated.strip(), flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")
    sample = sample_targets(env)
    if args.pages:
        wanted = {"/healthz", *(name.strip() for name in args.pages.split(","))}
        if unknown := wanted - sample["pages"].keys():
            sys.exit(f"unknown pages: {', '.join(sorted(unknown))}; known: {', '.join(sample['pages'])}")
        sample["pages"] = {name: url for name, url in sample["pages"].items() if name in wanted}

    server = serve(env, args.port, "--workers", str(args.workers), "--error-logfile", "-", "--log-level", "warning")
    try:
        for url in sample["pages"].values():  # warm every worker
            for _ in range(args.workers * 3):
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                conn.request("GET", url)
                conn.getresponse().read()
        # A site visitors have browsed since the last change: every directory and API page read once (the
        # varied pages below still hit no cached page).
        warm_lists(args.port, sample["list_pages"])
        rows = {}
        for name, url in sample["pages"].items():
            rows[name] = measure(args.port, name, url, sample["organisations"], args.seconds, args.connections)
            print(f"  measured {name}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    floor = rows["/healthz"]
    print()
    print(f"Scale {args.scale}: {args.scale * 100} synthetic initiatives + the plan; gunicorn {args.workers} workers; "
          f"{args.connections} connections; {args.seconds:.0f} s per page; {os.cpu_count()} cores; "
          f"cache: {'Redis' if args.redis_url else 'local memory per worker'}")  # fmt: skip
    header = f"{'page':<24}{'req/s':>7}{'p50 ms':>9}{'p95 ms':>9}{'p50/floor':>11}{'p95/floor':>11}"
    header += f"{'queries':>9}{'4xx':>6}{'5xx':>6}{'budget':>9}"
    print(header)
    print("-" * len(header))
    missed = []
    for name, row in rows.items():
        queries = sample["queries"].get(name, {}).get("queries", "")
        ratio = row["p50"] / floor["p50"]
        budget = BUDGETS.get(name)
        verdict = "" if budget is None else f"≤{budget:.0f}× " + ("ok" if ratio <= budget else "MISSED")
        if budget is not None and not ratio <= budget:
            missed.append(name)
        print(
            f"{name:<24}{row['rps']:>7.0f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
            f"{ratio:>11.1f}{row['p95'] / floor['p50']:>11.1f}"
            f"{queries:>9}{row['4xx']:>6}{row['errors']:>6}{verdict:>12}"
        )
    timings = {} if args.pages else report_timings(env)
    if timings:
        print()
        for label, seconds in timings.items():
            verdict = ""
            if label.startswith("report builder ("):
                verdict = f"  ≤{REPORT_BUILDER_BUDGET:.0f} s " + (
                    "ok" if seconds <= REPORT_BUILDER_BUDGET else "MISSED"
                )
                if seconds > REPORT_BUILDER_BUDGET:
                    missed.append("report builder")
            print(f"{label:<44}{seconds:>8.2f} s{verdict}")
    print()
    print(f"Budgets missed: {', '.join(missed)}" if missed else "Every budget holds.")


def report_timings(env: dict[str, str]) -> dict[str, float]:
    """Time the stocktaking report's builder and exports alone."""
    code = r"""
import json, time, django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from monitoring.models import ReportingCycle
from monitoring.report import build_report
out = {}
cycle = ReportingCycle.objects.order_by("-number").first()
if cycle:
    # The first build in a new process also loads what any first request loads (the URL configuration,
    # translations, templates): timed apart; then the builder as a serving process runs it, median of three.
    started = time.perf_counter()
    data = build_report(cycle)
    out["report builder, first in a new process"] = time.perf_counter() - started
    timings = []
    for _ in range(3):
        data = None
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            data = build_report(cycle)
        timings.append(time.perf_counter() - started)
    out[f"report builder ({len(ctx.captured_queries)} queries, median of 3)"] = sorted(timings)[1]
    from monitoring import exporters
    for name in ("pdf", "xlsx", "csv"):
        started = time.perf_counter(); getattr(exporters, f"to_{name}")(data); out[f"{name.upper()} export"] = time.perf_counter() - started
print(json.dumps(out))
"""
    env = {**env, "DJANGO_SETTINGS_MODULE": "asem_portal.settings"}
    result = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode:
        print(f"(report timings failed: {result.stderr.strip().splitlines()[-1:]})")
        return {}
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
