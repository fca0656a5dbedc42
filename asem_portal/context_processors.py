"""Template context of every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from monitoring.demo import demo_data_loaded


def demo_data(request: HttpRequest) -> dict:
    """``demo_data``: whether demonstration data is loaded, for the banner of every page (``base.html``). Lazy: a
    page that does not show it (the admin's) asks nothing; one that does asks once, and a public page is cached
    with its answer under the content version, which any change to the data raises."""
    return {"demo_data": SimpleLazyObject(demo_data_loaded)}
