"""Filters over initiatives, shared by the public directory, the open-data exports and (later) the REST API.

Design choices:

- No filter joins an initiative's rows or organisations: objective, subgoal, action and region test bit sets
  kept on the initiative's own row (``projects.facets``), the organisation filter is a semi-join
  (``EXISTS``). An initiative therefore matches at most once whatever the combination, so counts and
  pagination are right without ``distinct()``, and a filtered page costs one pass over the initiatives.
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

import functools

from django import forms
from django.conf import global_settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Power
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from actions.models import Action, StrategicObjective, Subgoal
from core.forms import FilterForm
from projects import facets
from projects.models import TAKING_PART_ROLES, ActionContribution, Project, ProjectOrganisation, ProjectStatus
from projects.search import SEARCH_CONFIG
from stakeholders.models import Organisation, Region

from .models import Document, DocumentKind, Meeting, ProgressUpdate, UpdateStatus

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


def default_ordering(search: str | None) -> str:
    """Relevance when there is a search, the title otherwise."""
    return Ordering.RELEVANCE if search and search.strip() else Ordering.TITLE


#: The choices each choice filter accepts, by filter and content version, in this process (a few versions).
_accepted_choices: dict[tuple, dict] = {}


class LabelledModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options use a short label (``label_from_instance``) rather than ``str()``.

    Given a ``choices_key`` (its filter and the content version), it checks a value against the choices read
    once per key, not with a query per request: any edit changes the version, so a new choice is valid at once."""

    def __init__(self, *args, label_from_instance=None, choices_key=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label_from_instance is not None:
            self.label_from_instance = label_from_instance
        self.choices_key = choices_key

    def to_python(self, value):
        if self.choices_key is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        field = self.queryset.model._meta.get_field(self.to_field_name)
        if self.choices_key not in _accepted_choices:
            if len(_accepted_choices) >= 32:  # older versions: never asked again
                _accepted_choices.clear()
            _accepted_choices[self.choices_key] = {getattr(choice, field.attname): choice for choice in self.queryset}
        try:
            return _accepted_choices[self.choices_key][field.to_python(value)]
        except (ValidationError, TypeError, KeyError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class LabelledModelChoiceFilter(filters.ModelChoiceFilter):
    field_class = LabelledModelChoiceField

    @property
    def field(self):
        # The version read for the page's cache (core.cache, the API's ETag); None for a signed-in visitor.
        version = getattr(self.get_request(), "content_version", None)
        self.extra["choices_key"] = (type(self.parent).__name__, self.field_name, version) if version else None
        return super().field


def _objective_label(objective: StrategicObjective) -> str:
    return f"{objective.number}. {objective.short_title or Truncator(objective.title).chars(70)}"


def _subgoal_label(subgoal: Subgoal) -> str:
    return f"{subgoal.code} {Truncator(subgoal.text).chars(70)}"


def _action_label(action: Action) -> str:
    return f"{action.number}. {Truncator(action.description).chars(70)}"


def _action_bits(number: str) -> Cast:
    """The bit set (``projects.facets``) of the actions at ``number``, summed in the query that reads the choice:
    each action's bit once (``DISTINCT``), however many of its subgoals lead to it."""
    return Cast(Sum(Power(2, number), distinct=True), BigIntegerField())


# The choices (querysets and lists) are given as callables: a FilterSet deep-copies its filters and their form
# fields for every request, and deep-copying a queryset or a list of translated labels costs more than making it.
# A choice queryset is made once and copied (``.all()``) per request: copying it is cheaper than making it.


def _made_once(make):
    made = functools.cache(make)
    return lambda request=None: made().all()


@_made_once
def _objectives() -> QuerySet:
    return StrategicObjective.objects.annotate(action_bits=_action_bits("subgoals__actions__number")).order_by("number")


@_made_once
def _subgoals() -> QuerySet:
    subgoals = Subgoal.objects.annotate(action_bits=_action_bits("actions__number"))
    return subgoals.order_by("objective__number", "position")


@_made_once
def _actions() -> QuerySet:
    return Action.objects.order_by("number")


@_made_once
def _organisations_taking_part() -> QuerySet:
    """Only organisations that take part in an initiative: any other choice would always give nothing."""
    return Organisation.objects.filter(
        Exists(ProjectOrganisation.objects.filter(organisation=OuterRef("pk"), role__in=TAKING_PART_ROLES))
    ).order_by("name")


def _parse_yes_no(value: str) -> bool:
    return value == "true"


def _rows_of(*conditions: Q, **lookups) -> Exists:
    """Whether the initiative has a row of the plan matching the conditions."""
    return Exists(ActionContribution.objects.filter(*conditions, project=OuterRef("pk"), **lookups))


def _taking_part(**lookups) -> Exists:
    """Whether a lead or partner of the initiative matches the lookups."""
    return Exists(ProjectOrganisation.objects.filter(project=OuterRef("pk"), role__in=TAKING_PART_ROLES, **lookups))


class ProjectFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.SearchInput,
        help_text=_("Words from the title, summary, activities or expected outcomes."),
        error_messages={
            "max_length": _("Search for at most %(limit_value)d characters (this search has %(show_value)d).")
        },
    )
    objective = LabelledModelChoiceFilter(
        label=_("Strategic objective"),
        queryset=_objectives,
        to_field_name="number",
        method="filter_action_bits",
        empty_label=_("Any objective"),
        label_from_instance=_objective_label,
    )
    subgoal = LabelledModelChoiceFilter(
        label=_("Subgoal"),
        queryset=_subgoals,
        to_field_name="code",
        method="filter_action_bits",
        empty_label=_("Any subgoal"),
        label_from_instance=_subgoal_label,
    )
    action = LabelledModelChoiceFilter(
        label=_("Action"),
        queryset=_actions,
        to_field_name="number",
        method="filter_action",
        empty_label=_("Any action"),
        label_from_instance=_action_label,
    )
    organisation = LabelledModelChoiceFilter(
        label=_("Organisation (lead or partner)"),
        queryset=_organisations_taking_part,
        to_field_name="slug",
        method="filter_organisation",
        # Hundreds of organisations: a text input over a list of suggestions (templates/includes/
        # initiative_filters.html renders the list once per content version), not a select of them all.
        widget=forms.TextInput(attrs={"list": "organisation-options", "autocomplete": "off"}),
        help_text=_("Type part of a name and choose it from the suggestions."),
        label_from_instance=str,
    )
    region = filters.ChoiceFilter(
        label=_("Region of a lead or partner"),
        choices=lambda: Region.choices,
        method="filter_region",
        empty_label=_("Any region"),
    )
    status = filters.ChoiceFilter(
        label=_("Status"),
        choices=lambda: ProjectStatus.choices,
        empty_label=_("Any status"),
    )
    is_new = filters.TypedChoiceFilter(
        label=_("New in the plan"),
        field_name="is_new",
        choices=lambda: [("", _("New or not")), ("true", _("New initiatives only")), ("false", _("Not new"))],
        coerce=_parse_yes_no,
    )
    ordering = filters.ChoiceFilter(
        label=_("Sort by"),
        choices=lambda: Ordering.CHOICES,
        # Applied in filter_queryset(), after the search has annotated its rank.
        method="filter_nothing",
        empty_label=None,
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = FilterForm

    # The plan and region filters test the initiative's own bit sets (projects.facets); the organisation
    # filter is one semi-join. No joins, so an initiative matches at most once whatever the combination.

    def filter_action_bits(self, queryset: QuerySet, name: str, value: StrategicObjective | Subgoal) -> QuerySet:
        """An objective or a subgoal: any of the actions serving it (their bits, read with the choice)."""
        return queryset.filter(facets.has_any_action(value.action_bits or 0))

    def filter_action(self, queryset: QuerySet, name: str, value: Action) -> QuerySet:
        return queryset.filter(facets.has_any_action(facets.action_bit(value.number)))

    def filter_organisation(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(_taking_part(organisation=value))

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
    def has_few_matches(self) -> bool:
        """Whether the matches are few (an organisation's): read them all for a page costs less than a count."""
        return self.form.cleaned_data.get("organisation") is not None

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not only the sort order) narrows the list."""
        if not self.is_valid():
            return bool(self.data)
        return any(value not in (None, "") for name, value in self.form.cleaned_data.items() if name != "ordering")


class UpdateFilterSet(filters.FilterSet):
    """Filters of the updates list (the API's)."""

    initiative = filters.ModelChoiceFilter(
        field_name="project", queryset=Project.objects.all(), to_field_name="slug", help_text="The initiative's slug."
    )
    organisation = filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), to_field_name="slug", help_text="The reporting organisation's slug."
    )
    status = filters.ChoiceFilter(choices=UpdateStatus.choices)
    ordering = filters.OrderingFilter(
        fields=(("period_end", "period_end"), ("updated_at", "updated"), ("reviewed_at", "reviewed")),
        help_text="period_end, updated or reviewed; a minus sign for descending.",
    )

    class Meta:
        model = ProgressUpdate
        fields: list[str] = []


class YearFilter(filters.NumberFilter):
    """A whole year (``2021.5`` is a form error, not a query)."""

    field_class = forms.IntegerField


class DocumentFilterSet(filters.FilterSet):
    """Filters of the public document repository (``/documents/``): kind, meeting, action, initiative, language,
    year and words of the title or description. A meeting, an initiative or a language is offered only when a
    document has it, so the choices stay few however large the plan grows."""

    q = filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words of the title or the description."),
    )
    kind = filters.ChoiceFilter(label=_("Kind"), choices=DocumentKind.choices, empty_label=_("Any kind"))
    meeting = filters.ModelChoiceFilter(
        label=_("Meeting"),
        queryset=Meeting.objects.filter(Exists(Document.objects.filter(meeting=OuterRef("pk")))).order_by(
            "-year", "kind", "number", "title"
        ),
        empty_label=_("Any meeting"),
    )
    action = filters.ModelChoiceFilter(
        label=_("Action of the plan"),
        field_name="actions",
        queryset=Action.objects.order_by("number"),
        to_field_name="number",
        empty_label=_("Any action"),
    )
    initiative = filters.ModelChoiceFilter(
        label=_("Initiative"),
        field_name="initiatives",
        queryset=Project.objects.filter(Exists(Document.initiatives.through.objects.filter(project=OuterRef("pk"))))
        .only("slug", "title")
        .order_by("title"),
        to_field_name="slug",
        empty_label=_("Any initiative"),
    )
    language = filters.ChoiceFilter(
        label=_("Language"), choices=global_settings.LANGUAGES, empty_label=_("Any language")
    )
    year = YearFilter(label=_("Year"), field_name="date", lookup_expr="year", min_value=2000, max_value=2100)

    class Meta:
        model = Document
        fields: list[str] = []
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the languages the repository holds (one query when the form is shown or checked).
        field = self.form.fields["language"]
        used = set(Document.objects.order_by().values_list("language", flat=True).distinct())
        field.choices = [(code, name) for code, name in global_settings.LANGUAGES if code in used]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:SEARCH_FALLBACK_MAX_TERMS]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset

    @property
    def is_filtered(self) -> bool:
        if not self.is_valid():
            return bool(self.data)
        return any(value not in (None, "") for value in self.form.cleaned_data.values())
