"""gunicorn settings for production: `gunicorn asem_portal.wsgi` reads this file from the working directory.

Every value can be overridden by the environment (see docs/deployment.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Django is synchronous: a few processes per core, each with a few threads for requests that wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle a worker now and then (a guard against slow leaks): rarely, because a new worker starts with an
# empty local cache (pages, directory entries) unless REDIS_URL gives all workers a shared one.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Logs to stdout/stderr; the application logs carry request ids (core.logging).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
