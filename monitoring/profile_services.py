"""Writes with rules for an initiative's profile: its summary and dates, links, milestones and indicators.

Coordinators (and the Secretariat) edit it with the profile form; the plan's own texts (the rows per action) are
the Secretariat's, in the admin. The initiative's status and a milestone's status and achieved date come from
approved progress updates (the Secretariat corrects them in the admin), so the profile does not edit them.

Concurrent edits are refused as for progress updates: ``Project.version`` is raised by every change to a profile
(this service, the admin, an approval that moves a milestone's dates, the plan's loader), and a save that read
an older version is a :class:`ConflictError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError
from projects.models import Project

from . import permissions

#: What the profile edits of an initiative and of each of its links, milestones and indicators.
PROFILE_FIELDS = ("summary", "start_date", "end_date")
LINK_FIELDS = ("url", "label")
MILESTONE_FIELDS = ("title", "planned_start", "planned_end", "period_label", "note")
INDICATOR_FIELDS = ("name", "unit", "baseline", "baseline_year", "target_comparator", "target", "target_year")

PROFILE_SAVED_SINCE = gettext_lazy(
    "Someone else saved this initiative since you opened it. Its milestones or indicators may also have changed "
    "through an approved progress update. Nothing was saved and your changes are kept below: compare them with "
    "the current profile, then save again to apply them."
)


class ProfilePart(Protocol):
    """A part of the profile form: the initiative's own fields, or the formset of its links, milestones or
    indicators. It saves only the fields it edits."""

    def is_valid(self) -> bool: ...

    def save(self, commit: bool = True): ...


@transaction.atomic
def save_profile(
    *, project: Project, user: User, parts: Sequence[ProfilePart], expected_version: int | None
) -> Project:
    """Save the profile of ``project`` from the form's ``parts``, if nobody changed it since ``expected_version``
    (else :class:`ConflictError`) and every part is valid (else ``ValidationError``: the parts hold the errors);
    raise its version.

    The parts are checked under the initiative's lock, after the version: a stale form is a conflict whatever
    it holds, and what a check reads (the links saved, the reports on a milestone) cannot change before the save.
    """
    locked = Project.objects.select_for_update().get(pk=project.pk)
    permissions.require(user, permissions.EDIT_PROFILE, locked)
    if expected_version is None or locked.version != expected_version:
        raise ConflictError(PROFILE_SAVED_SINCE)
    if not all([part.is_valid() for part in parts]):  # a list: every part finds its errors
        raise ValidationError(_("Please correct the errors below; nothing was saved."), code="invalid")
    for part in parts:
        part.save()
    Project.objects.filter(pk=locked.pk).raise_version()
    locked.refresh_from_db(fields=["version", "updated_at"])
    return locked
