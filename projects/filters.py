"""Filters over initiatives, shared by the public directory, the open-data exports and (later) the REST API.

Design choices:

- No filter joins an initiative's rows or organisations: objective, subgoal, action and region test bit sets
  kept on the initiative's own row (``projects.facets``), the organisation filter tests the initiative's key
  against those of the organisation's initiatives (read once per content version).
  An initiative therefore matches at most once whatever the combination, so counts and pagination are right
  without ``distinct()``, and a filtered page costs one pass over the initiatives.
- Objective, subgoal, action and organisation are ``ModelChoiceFilter``\\ s keyed by the public identifier
  (objective and action *number*, subgoal *code*, organisation *slug*), so URLs read like the plan
  (``?objective=3&subgoal=3.2``) and an unknown or malformed value is a form error ("Select a valid
  choice"), never a database error.
- ``q`` is full-text search on PostgreSQL (weighted vector: title A, summary B, the plan's rows C; websearch
  syntax; ranked) and a plain ``icontains`` per word elsewhere (SQLite in development). Both annotate
  ``search_rank`` so "relevance" ordering works on both.
- Ordering is applied last, in :meth:`ProjectFilterSet.filter_queryset`, because relevance needs the search
  annotation and the default depends on whether there is a search.
"""

from __future__ import annotations

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from actions.models import Action, StrategicObjective, Subgoal
from asem_portal.cache import per_version, request_content_version
from asem_portal.filtering import FilterSet
from asem_portal.widgets import FastSearchInput, FastSelect, FieldGroupsForm
from stakeholders.models import Organisation, Region

from . import facets
from .models import (
    TAKING_PART_ROLES,
    ActionContribution,
    ProgressUpdate,
    Project,
    ProjectOrganisation,
    ProjectStatus,
    UpdateStatus,
)
from .search import SEARCH_CONFIG

#: Longest accepted search text: enough for any real query, small enough to keep the database cheap.
SEARCH_MAX_LENGTH = 200
#: The fallback search (non-PostgreSQL) makes one subquery per word: keep it bounded.
SEARCH_FALLBACK_MAX_TERMS = 20


class Ordering:
    TITLE = "title"
    OBJECTIVE = "objective"
    LATEST_UPDATE = "-updated"
    RELEVANCE = "relevance"

    CHOICES = [
        (TITLE, _("Title (A to Z)")),
        (OBJECTIVE, _("Strategic objective")),
        (LATEST_UPDATE, _("Latest update first")),
        (RELEVANCE, _("Relevance to the search")),
    ]


class FilterForm(FieldGroupsForm):
    field_group_class = "filter-field"


def default_ordering(search: str | None) -> str:
    """Relevance when there is a search, the title otherwise."""
    return Ordering.RELEVANCE if search and search.strip() else Ordering.TITLE


class ListModelChoiceIterator(forms.models.ModelChoiceIterator):
    """Fetch the options with one plain query.

    Django's iterator streams them with ``QuerySet.iterator()``, which on PostgreSQL
    is a server-side cursor: several round trips for a few hundred rows.
    """

    #: Each iteration reads a fresh copy of the queryset (no result is kept on it), so the copies of a field
    #: made for each request may share one (``asem_portal.filtering``).
    clones_queryset = True

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class KeyedModelChoiceField(forms.ModelChoiceField):
    """A model choice validated against the options' keys, without reading the chosen object.

    ``keys()`` maps each option's key (as in the URL) to what the filter needs of it (an action bit set, an
    id); it is built once per content version (:func:`keys_per_version`), so a filtered page makes no query
    to check its choices. Anything else is the usual "Select a valid choice" error."""

    iterator = ListModelChoiceIterator

    def __init__(self, *args, keys, normalise=str, **kwargs):
        self.keys, self.normalise = keys, normalise
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        keys = self.keys()  # outside the try: a fault in reading them is not the visitor's invalid choice
        try:
            return keys[self.normalise(value)]
        except (KeyError, ValueError, TypeError) as e:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from e


class KeyedModelChoiceFilter(filters.ModelChoiceFilter):
    """A ``ModelChoiceFilter`` on :class:`KeyedModelChoiceField`; its options use a short label rather than
    ``str(instance)``. The filter method receives the key's value (see ``keys``), not the object."""

    field_class = KeyedModelChoiceField

    def __init__(self, *args, label_from_instance, **kwargs):
        self._label_from_instance = label_from_instance
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = self._label_from_instance
        return field


def keys_per_version(name: str, pairs):
    """``keys()`` for a :class:`KeyedModelChoiceField`: ``{str(key): value}`` from ``pairs()``, built once
    per content version (``asem_portal.cache.per_version``)."""

    def keys() -> dict[str, object]:
        return per_version(f"filter-keys:{name}", lambda: {str(key): value for key, value in pairs()})

    return keys


def _number(value) -> str:
    """Numbers as the database reads them: "02" and " 2" are 2."""
    return str(int(value))


def _objective_label(objective: StrategicObjective) -> str:
    return f"{objective.number}. {objective.short_title or Truncator(objective.title).chars(70)}"


def _subgoal_label(subgoal: Subgoal) -> str:
    return f"{subgoal.code} {Truncator(subgoal.text).chars(70)}"


def _action_label(action: Action) -> str:
    return f"{action.number}. {Truncator(action.description).chars(70)}"


def _organisation_label(organisation: Organisation) -> str:
    return str(organisation)


# The filters' querysets are built per request by these functions: a FilterSet deep-copies
# its filters for every request, and deep-copying querysets with subqueries is slow.


def _objectives(request=None) -> QuerySet:
    return StrategicObjective.objects.order_by("number")


def _subgoals(request=None) -> QuerySet:
    return Subgoal.objects.order_by("objective__number", "position")


def _actions(request=None) -> QuerySet:
    return Action.objects.order_by("number")


def _organisations_taking_part(request=None) -> QuerySet:
    """Only organisations that take part in an initiative: any other choice would always give nothing."""
    return Organisation.objects.filter(
        Exists(ProjectOrganisation.objects.filter(organisation=OuterRef("pk"), role__in=TAKING_PART_ROLES))
    ).order_by("name")


def _masks_by(pairs) -> list[tuple[str, int]]:
    """``(key, bit set of its actions)`` from ``(key, action number or None)`` pairs."""
    masks: dict[str, int] = {}
    for key, number in pairs:
        masks[key] = masks.get(key, 0) | (facets.action_bit(number) if number is not None else 0)
    return list(masks.items())


def _objective_keys() -> list[tuple[int, int]]:
    return _masks_by(StrategicObjective.objects.values_list("number", "subgoals__actions__number"))


def _subgoal_keys() -> list[tuple[str, int]]:
    return _masks_by(Subgoal.objects.values_list("code", "actions__number"))


def _action_keys() -> list[tuple[int, int]]:
    return [(number, facets.action_bit(number)) for number in Action.objects.values_list("number", flat=True)]


#: An organisation filter lists the initiatives' keys in the query up to this many; beyond, it asks the
#: database which initiatives the organisation takes part in (a subquery).
ORGANISATION_INITIATIVES_INLINE = 500


def _organisation_keys() -> list[tuple[str, int | tuple[int, ...]]]:
    """Each organisation taking part in initiatives: the keys of those initiatives (or, for one taking part in
    very many, its own id). Testing a few keys costs less to build and to run than a subquery per initiative.
    Keys built for one request only (no content version: a signed-in visitor, an export) hold the
    organisations' ids: reading every participation would cost more than the subquery saves."""
    if request_content_version.get() is None:
        return list(_organisations_taking_part().values_list("slug", "pk"))
    initiatives: dict[str, set[int]] = {}
    organisation_ids: dict[str, int] = {}
    for slug, organisation_id, project_id in ProjectOrganisation.objects.filter(role__in=TAKING_PART_ROLES).values_list(
        "organisation__slug", "organisation_id", "project_id"
    ):
        initiatives.setdefault(slug, set()).add(project_id)
        organisation_ids[slug] = organisation_id
    return [
        (slug, tuple(sorted(ids)) if len(ids) <= ORGANISATION_INITIATIVES_INLINE else organisation_ids[slug])
        for slug, ids in initiatives.items()
    ]


def _parse_yes_no(value: str) -> bool:
    return value == "true"


def _rows_of(*conditions: Q, **lookups) -> Exists:
    """Whether the initiative has a row of the plan matching the conditions."""
    return Exists(ActionContribution.objects.filter(*conditions, project=OuterRef("pk"), **lookups))


def _taking_part(**lookups) -> Exists:
    """Whether a lead or partner of the initiative matches the lookups."""
    return Exists(ProjectOrganisation.objects.filter(project=OuterRef("pk"), role__in=TAKING_PART_ROLES, **lookups))


class ProjectFilterSet(FilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=FastSearchInput,
        help_text=_("Words from the title, summary, activities or expected outcomes."),
        error_messages={
            "max_length": _("Search for at most %(limit_value)d characters (this search has %(show_value)d).")
        },
    )
    objective = KeyedModelChoiceFilter(
        label=_("Strategic objective"),
        queryset=_objectives,
        to_field_name="number",
        keys=keys_per_version("objective", _objective_keys),
        widget=FastSelect(cache_as="initiative-filter:objective"),
        normalise=_number,
        method="filter_objective",
        empty_label=_("Any objective"),
        label_from_instance=_objective_label,
    )
    subgoal = KeyedModelChoiceFilter(
        label=_("Subgoal"),
        queryset=_subgoals,
        to_field_name="code",
        keys=keys_per_version("subgoal", _subgoal_keys),
        widget=FastSelect(cache_as="initiative-filter:subgoal"),
        method="filter_subgoal",
        empty_label=_("Any subgoal"),
        label_from_instance=_subgoal_label,
    )
    action = KeyedModelChoiceFilter(
        label=_("Action"),
        queryset=_actions,
        to_field_name="number",
        keys=keys_per_version("action", _action_keys),
        widget=FastSelect(cache_as="initiative-filter:action"),
        normalise=_number,
        method="filter_action",
        empty_label=_("Any action"),
        label_from_instance=_action_label,
    )
    organisation = KeyedModelChoiceFilter(
        label=_("Organisation (lead or partner)"),
        queryset=_organisations_taking_part,
        to_field_name="slug",
        keys=keys_per_version("organisation", _organisation_keys),
        widget=FastSelect(cache_as="initiative-filter:organisation"),
        method="filter_organisation",
        empty_label=_("Any organisation"),
        label_from_instance=_organisation_label,
    )
    region = filters.ChoiceFilter(
        label=_("Region of a lead or partner"),
        choices=Region.choices,
        method="filter_region",
        empty_label=_("Any region"),
        widget=FastSelect(cache_as="initiative-filter:region"),
    )
    status = filters.ChoiceFilter(
        label=_("Status"),
        choices=ProjectStatus.choices,
        empty_label=_("Any status"),
        widget=FastSelect(cache_as="initiative-filter:status"),
    )
    is_new = filters.TypedChoiceFilter(
        label=_("New in the plan"),
        field_name="is_new",
        choices=[("", _("New or not")), ("true", _("New initiatives only")), ("false", _("Not new"))],
        coerce=_parse_yes_no,
        widget=FastSelect(cache_as="initiative-filter:is_new"),
    )
    ordering = filters.ChoiceFilter(
        label=_("Sort by"),
        choices=Ordering.CHOICES,
        # Applied in filter_queryset(), after the search has annotated its rank.
        method="filter_nothing",
        empty_label=None,
        widget=FastSelect(cache_as="initiative-filter:ordering"),
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = FilterForm

    # The plan and region filters test the initiative's own bit sets (projects.facets); the organisation
    # filter tests the initiative's key against those of the organisation's initiatives (or one EXISTS). No
    # joins, so an initiative matches at most once whatever the combination.

    def filter_objective(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(facets.has_any_action(value))  # the objective's actions' bits

    def filter_subgoal(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(facets.has_any_action(value))  # the subgoal's actions' bits

    def filter_action(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(facets.has_any_action(value))  # the action's bit

    def filter_organisation(self, queryset: QuerySet, name: str, value: tuple[int, ...] | int) -> QuerySet:
        if isinstance(value, tuple):  # the keys of the initiatives it takes part in
            return queryset.filter(pk__in=value)
        return queryset.filter(_taking_part(organisation_id=value))  # the organisation's id

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(facets.in_region(value))

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    # Search.

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if connections[queryset.db].vendor == "postgresql":
            return self._search_postgresql(queryset, value)
        return self._search_fallback(queryset, value)

    @staticmethod
    def _search_postgresql(queryset: QuerySet, value: str) -> QuerySet:
        # The stored, GIN-indexed document (projects.search): title A, summary B, rows' texts C.
        query = SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.filter(search_vector=query).annotate(search_rank=SearchRank(F("search_vector"), query))

    @staticmethod
    def _search_fallback(queryset: QuerySet, value: str) -> QuerySet:
        """Every word must appear somewhere (case-insensitive); a word in the title weighs most."""
        terms = [term.strip("\"'") for term in value.split()]
        terms = [term for term in terms if term][:SEARCH_FALLBACK_MAX_TERMS]
        if not terms:
            return queryset
        rank = Value(0, output_field=IntegerField())
        for term in terms:
            in_rows = _rows_of(Q(activities__icontains=term) | Q(expected_outcomes__icontains=term))
            queryset = queryset.filter(Q(title__icontains=term) | Q(summary__icontains=term) | in_rows)
            rank = rank + Case(
                When(title__icontains=term, then=Value(4)),
                When(summary__icontains=term, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        return queryset.annotate(search_rank=rank)

    # Ordering.

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data
        ordering = cleaned.get("ordering") or default_ordering(cleaned.get("q"))
        return self.order(queryset, ordering)

    @staticmethod
    def order(queryset: QuerySet, ordering: str) -> QuerySet:
        # Every ordering ends with unique keys so pages never overlap.
        tie_break = ("title", "slug")
        if ordering == Ordering.RELEVANCE and "search_rank" in queryset.query.annotations:
            return queryset.order_by(F("search_rank").desc(), *tie_break)
        if ordering == Ordering.OBJECTIVE:
            first_objective = (
                ActionContribution.objects.filter(project=OuterRef("pk"), action__subgoals__isnull=False)
                .order_by("action__subgoals__objective__number")
                .values("action__subgoals__objective__number")[:1]
            )
            return queryset.annotate(first_objective=Subquery(first_objective)).order_by(
                F("first_objective").asc(nulls_last=True), *tie_break
            )
        if ordering == Ordering.LATEST_UPDATE:
            # The latest published (approved) progress update; initiatives never reported on come last.
            latest = (
                ProgressUpdate.objects.filter(project=OuterRef("pk"), status=UpdateStatus.APPROVED)
                .order_by("-reviewed_at")
                .values("reviewed_at")[:1]
            )
            return queryset.annotate(latest_update=Subquery(latest)).order_by(
                F("latest_update").desc(nulls_last=True), *tie_break
            )
        return queryset.order_by(*tie_break)

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not only the sort order) narrows the list."""
        if not self.is_valid():
            return bool(self.data)
        return any(value not in (None, "") for name, value in self.form.cleaned_data.items() if name != "ordering")
