"""Rate limits for the site's own forms (the API has DRF's throttles), counted in Django's default cache.

Each limit is a fixed window: the first event in a window creates its counter, each event adds one (``incr`` is
atomic in Redis and in the local-memory cache), and the counter expires with the window. A window's edge can let
up to twice the rate through in a short burst; that is enough to stop a flood of e-mails or guesses, and costs
one cache round trip. With several web processes the default cache must be shared (``REDIS_URL``), as for the
API's throttles.
"""

from __future__ import annotations

import hashlib
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/minute"`` → ``(10, 60)``: how many events, in how many seconds (DRF's notation)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()]


def client_address(request: HttpRequest) -> str:
    """The client's address as django-axes sees it, so that sign-in and reset limits count the same client."""
    return get_client_ip_address(request) or "unknown"


def allow(scope: str, identity: str) -> bool:
    """Count one event of ``identity`` (an address, an e-mail) in ``scope``; False once it is over the scope's
    rate in ``settings.RATE_LIMITS``."""
    limit, seconds = parse_rate(settings.RATE_LIMITS[scope])
    window = int(time.time() // seconds)
    # Hashed: e-mail addresses stay out of the cache's keys (and any key stays short and safe for memcached).
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"rate:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this event starts the window again
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return count <= limit
