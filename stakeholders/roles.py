"""Who a user is in the ASEM Education Process: a member of the Secretariat, a member of organisations.

The facts every permission rests on (``monitoring.permissions`` builds its rules on them). Each is read once per
user object (a request's ``request.user``) and kept on it for the rest of the request.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from .models import Membership

#: The Django group of the ASEM Education Secretariat (staff members of it review and curate).
SECRETARIAT_GROUP = "Secretariat"

UserLike = User | AnonymousUser


def is_secretariat(user: UserLike) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_secretariat", None)
    if cached is None:
        cached = user.is_staff and user.groups.filter(name=SECRETARIAT_GROUP).exists()
        user._is_secretariat = cached
    return cached


def secretariat_members() -> QuerySet[User]:
    """The Secretariat's reviewers: active staff in its group (the people told of each submitted update)."""
    return User.objects.filter(is_active=True, is_staff=True, groups__name=SECRETARIAT_GROUP).distinct()


def organisation_ids(user: UserLike, *, role: str | None = None) -> set[int]:
    """The organisations the user is a member of (coordinators only, with ``role``)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    key = f"_organisation_ids_{role or 'any'}"
    cached = getattr(user, key, None)
    if cached is None:
        memberships = Membership.objects.filter(user=user)
        if role:
            memberships = memberships.filter(role=role)
        cached = set(memberships.values_list("organisation_id", flat=True))
        setattr(user, key, cached)
    return cached
