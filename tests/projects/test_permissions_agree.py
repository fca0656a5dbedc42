"""The permission module's two questions agree: what a user may see (queryset) and may they see this one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from monitoring import permissions
from monitoring.models import ProgressUpdate
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_see_exactly_the_approved_updates():
    build_plan(6)
    anonymous = AnonymousUser()
    visible = set(permissions.updates_visible_to(anonymous).values_list("pk", flat=True))
    checked = {u.pk for u in ProgressUpdate.objects.all() if permissions.can(anonymous, permissions.VIEW, u)}
    assert visible == checked == set(ProgressUpdate.objects.filter(status="approved").values_list("pk", flat=True))
