"""Each initiative's actions and regions as bit sets on its own row, for the directory's filters.

The directory and the API filter initiatives by objective, subgoal, action and region. Asked through
the initiative's rows (row → action → subgoals → objective) or its organisations (→ region), every
filter is a join per initiative, and the planner walks them for every initiative before it can sort and
count: over 100 ms at 9,000 initiatives. So each initiative keeps two integers, derived like its search
document (``projects.search``) and kept up to date the same way, from signals:

- ``action_mask``: bit *n* set when the initiative has a row under action *n* (so actions are numbered
  1 to :data:`MAX_ACTION_NUMBER`). An objective or a subgoal filter is "any bit of the actions that serve
  it" (summed in the query that validates the choice: ``projects.filters``).
- ``region_mask``: one bit per region of a lead or partner organisation (:data:`REGION_BITS`).

A filter then tests two integers on the initiative's own row. Bulk writers that send no signals call
:func:`refresh_facets` (the synthetic-data generator does; ``loaddata`` restores the stored values).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import BigIntegerField, F, IntegerField, Value
from django.db.models.lookups import GreaterThan

from actions.models import MAX_ACTION_NUMBER
from stakeholders.models import Region

from .search import refresh_search_vectors

#: One bit per region.
REGION_BITS = {Region.ASIA: 1, Region.EUROPE: 2, Region.INTERNATIONAL: 4}


def action_bit(number: int) -> int:
    if not 1 <= number <= MAX_ACTION_NUMBER:
        raise ValueError(f"Action numbers run from 1 to {MAX_ACTION_NUMBER}, not {number}.")
    return 1 << number


def action_numbers(mask: int) -> list[int]:
    """The action numbers whose bits are set in ``mask``, in order."""
    return [number for number in range(1, MAX_ACTION_NUMBER + 1) if mask >> number & 1]


def masks_of(project_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """``{project id: (action mask, region mask)}`` computed from the rows and organisations (two queries)."""
    from .models import TAKING_PART_ROLES, ActionContribution, ProjectOrganisation

    rows = ActionContribution.objects.all()
    parts = ProjectOrganisation.objects.filter(role__in=TAKING_PART_ROLES)
    if project_ids is not None:
        rows, parts = rows.filter(project_id__in=project_ids), parts.filter(project_id__in=project_ids)
    actions: dict[int, int] = defaultdict(int)
    regions: dict[int, int] = defaultdict(int)
    for project_id, number in rows.values_list("project_id", "action__number"):
        actions[project_id] |= action_bit(number)
    for project_id, region in parts.values_list("project_id", "organisation__region"):
        regions[project_id] |= REGION_BITS.get(region, 0)
    return {pk: (actions[pk], regions[pk]) for pk in actions.keys() | regions.keys()}


def refresh_facets(project_ids: Iterable[int] | None = None) -> int:
    """Recompute the masks of these initiatives (all when None); write only those that changed.

    A bulk update: no signals, no history, ``updated_at`` left alone. Returns how many changed."""
    from .models import Project

    ids = None if project_ids is None else list(project_ids)
    projects = Project.objects.all() if ids is None else Project.objects.filter(pk__in=ids)
    with transaction.atomic(savepoint=False):  # inside a caller's transaction: no savepoint round trips
        # Lock the initiatives first (in key order), then read what they are made of: two transactions
        # changing parts of the same initiative cannot each write masks computed without the other's part.
        current = list(projects.select_for_update().order_by("pk").values_list("pk", "action_mask", "region_mask"))
        masks = masks_of(ids)
        changed = []
        for pk, action_mask, region_mask in current:
            wanted = masks.get(pk, (0, 0))
            if (action_mask, region_mask) != wanted:
                changed.append(Project(pk=pk, action_mask=wanted[0], region_mask=wanted[1]))
        Project.objects.bulk_update(changed, ["action_mask", "region_mask"], batch_size=1000)
    return len(changed)


def has_any_action(mask: int) -> GreaterThan:
    """A filter: the initiative has a row under one of the actions whose bits are set in ``mask`` (an
    action's own bit, or the bits of the actions serving an objective or a subgoal)."""
    return GreaterThan(F("action_mask").bitand(Value(mask, output_field=BigIntegerField())), 0)


def in_region(region: str) -> GreaterThan:
    return GreaterThan(F("region_mask").bitand(Value(REGION_BITS[region], output_field=IntegerField())), 0)


# Signals --------------------------------------------------------------------------------------------------

#: Set while a bulk writer deletes or rewrites many initiatives at once (see :func:`suspended`).
_suspended: ContextVar[bool] = ContextVar("facets_suspended", default=False)


@contextmanager
def suspended():
    """Skip the per-row refreshes inside the block (a bulk delete would otherwise refresh an initiative once
    per row and per organisation it loses). The caller refreshes what survives afterwards, if anything."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _remember_project(sender, instance, raw=False, **kwargs):
    """Before a row or participation is saved: the initiative it belonged to (it may move to another)."""
    if raw or instance.pk is None or _suspended.get():
        return
    instance._facets_previous_project_id = (
        sender.objects.filter(pk=instance.pk).values_list("project_id", flat=True).first()
    )


def _part_changed(sender, instance, raw=False, **kwargs):
    """A row or participation saved or deleted: its initiatives' bit sets (and, for a row, search documents)."""
    if raw or _suspended.get():
        return
    ids = {instance.project_id, getattr(instance, "_facets_previous_project_id", None)} - {None}
    refresh_facets(ids)
    if sender._meta.model_name == "actioncontribution":
        refresh_search_vectors(ids)


def _project_saved(sender, instance, raw=False, **kwargs):
    """A save writes the masks (and the search document) the instance holds, which may predate changes to its
    rows or its texts: set them right."""
    if raw or _suspended.get():
        return
    refresh_facets([instance.pk])
    refresh_search_vectors([instance.pk])


def _action_saved(sender, instance, raw=False, created=False, **kwargs):
    """An action renumbered moves the bit of every initiative with a row under it."""
    if raw or created or _suspended.get():
        return
    from .models import ActionContribution

    refresh_facets(set(ActionContribution.objects.filter(action=instance).values_list("project_id", flat=True)))


def _organisation_saved(sender, instance, raw=False, created=False, **kwargs):
    """An organisation's region may have changed: refresh the initiatives it takes part in."""
    if raw or created or _suspended.get():
        return
    from .models import ProjectOrganisation

    ids = ProjectOrganisation.objects.filter(organisation=instance).values_list("project_id", flat=True)
    refresh_facets(set(ids))


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    from actions.models import Action
    from stakeholders.models import Organisation

    from .models import ActionContribution, Project, ProjectOrganisation

    post_save.connect(_project_saved, sender=Project, dispatch_uid="project-facets")
    for model in (ActionContribution, ProjectOrganisation):
        name = model._meta.model_name
        pre_save.connect(_remember_project, sender=model, dispatch_uid=f"{name}-facets-remember")
        post_save.connect(_part_changed, sender=model, dispatch_uid=f"{name}-facets-save")
        post_delete.connect(_part_changed, sender=model, dispatch_uid=f"{name}-facets-delete")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="organisation-facets")
    post_save.connect(_action_saved, sender=Action, dispatch_uid="action-facets")
