"""Filters over initiatives, shared by the public directory, the open-data exports and the REST API.

Design choices:

- No filter joins an initiative's rows or organisations into the list: objective, subgoal and action are
  semi-joins (``EXISTS``) on the plan's rows (row → action → subgoals → objective), organisation and region
  on its leads and partners (→ organisation → region). An initiative therefore matches at most once whatever
  the combination, so counts and pagination are right without ``distinct()``.
- Objective, subgoal, action and country are ``ModelChoiceFilter``\\ s keyed by the public identifier
  (objective and action *number*, subgoal *code*, country *ISO code*), so URLs read like the plan
  (``?objective=3&subgoal=3.2``) and an unknown or malformed value is a form error ("Select a valid
  choice"), never a database error.
- The organisation is what a person types: a slug, an acronym, a name, or part of a name or acronym
  (:class:`OrganisationField`). Exact matches win over partial ones; text that matches no organisation taking
  part is a form error.
- ``q`` is full-text search on PostgreSQL (``projects.search``: weighted document, websearch syntax, ranked)
  and a plain ``icontains`` per word elsewhere (SQLite in development). An initiative matches by its own
  texts, by the texts of the plan it serves (an action with one of its subgoals and that subgoal's
  objective) or by the words of its approved updates (part of its stored document). When that finds nothing
  at all, PostgreSQL looks for words like the ones typed (``pg_trgm``, :meth:`ProjectFilterSet._similar_words`)
  so that a typo still finds something. Both annotate ``search_rank`` so "relevance" ordering works on both.
- Ordering is applied last, in :meth:`ProjectFilterSet.filter_queryset`, because relevance needs the search
  annotation and the default depends on whether there is a search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from django import forms
from django.conf import global_settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from actions.models import Action, StrategicObjective, Subgoal
from core.forms import FilterForm
from projects.models import (
    NOT_REPORTED_LABEL,
    TAKING_PART_ROLES,
    ActionContribution,
    Milestone,
    MilestoneState,
    Project,
    ProjectOrganisation,
    ProjectStatus,
)
from projects.search import SEARCH_CONFIG
from stakeholders.models import Country, Organisation, Region

from .models import Document, DocumentKind, Meeting, ProgressUpdate, ReportingCycle, UpdateStatus
from .progress import NOT_REPORTED, Cycles

#: Longest accepted search text: enough for any real query, small enough to keep the database cheap.
SEARCH_MAX_LENGTH = 200
#: The fallback search (non-PostgreSQL) makes one subquery per word: keep it bounded.
SEARCH_FALLBACK_MAX_TERMS = 20
#: Words looked up by similarity (``pg_trgm``) when a search finds nothing: the first few of at least 3 letters.
SIMILAR_WORDS_MAX_TERMS = 5
SIMILAR_WORD_MIN_LENGTH = 3
#: Organisations named under the directory's results when the organisation filter matched several.
ORGANISATION_MATCHES_SHOWN = 5


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


class LabelledModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options use a short label (``label_from_instance``) rather than ``str()``."""

    def __init__(self, *args, label_from_instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label_from_instance is not None:
            self.label_from_instance = label_from_instance


class LabelledModelChoiceFilter(filters.ModelChoiceFilter):
    field_class = LabelledModelChoiceField


def _objective_label(objective: StrategicObjective) -> str:
    return f"{objective.number}. {objective.short_title or Truncator(objective.title).chars(70)}"


def _subgoal_label(subgoal: Subgoal) -> str:
    return f"{subgoal.code} {Truncator(subgoal.text).chars(70)}"


def _action_label(action: Action) -> str:
    return f"{action.number}. {Truncator(action.description).chars(70)}"


# The choices are given as callables (django-filter calls them with the request): a FilterSet deep-copies its
# filters for every request, and a callable is cheaper to copy than a queryset or a list of translated labels.


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


def _countries(request=None) -> QuerySet:
    return Country.objects.order_by("name")


@dataclass(frozen=True)
class OrganisationMatch:
    """What the organisation filter's text matched: the condition on an organisation (exact matches if any,
    else partial ones) and the names of the first few it matched, to show."""

    text: str
    exact: bool
    condition: Q
    names: list[str]
    more: bool


def _organisation_conditions(text: str, prefix: str = "") -> tuple[Q, Q]:
    """The exact and partial matches of ``text`` as conditions on an organisation reached through ``prefix``."""

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    exact = q(slug=text) | q(acronym__iexact=text) | q(name__iexact=text)
    partial = q(name__icontains=text) | q(acronym__icontains=text)
    return exact, partial


class OrganisationField(forms.CharField):
    """An organisation as a person types it: its slug, acronym or name (exact, in any case), or else part of its
    name or acronym ("ASEF", "Asia-Europe"). Cleans to an :class:`OrganisationMatch` with one query; text that
    matches no organisation taking part is an error."""

    def clean(self, value) -> OrganisationMatch | None:
        text = super().clean(value)
        if not text:
            return None
        exact, partial = _organisation_conditions(text)
        found = list(
            _organisations_taking_part()
            .filter(exact | partial)
            .annotate(is_exact=ExpressionWrapper(exact, output_field=BooleanField()))
            .order_by("-is_exact", "name")
            .values_list("name", "acronym", "is_exact")[: ORGANISATION_MATCHES_SHOWN + 1]
        )
        if not found:
            raise ValidationError(
                _(
                    "No organisation taking part in an initiative is called “%(text)s”: type part of its name or its "
                    "acronym, or choose one of the suggestions."
                ),
                code="no_match",
                params={"text": text},
            )
        is_exact = found[0][2]
        shown = [row for row in found if row[2] == is_exact]
        return OrganisationMatch(
            text=text,
            exact=is_exact,
            condition=exact if is_exact else partial,
            names=[Organisation.full_name(name, acronym) for name, acronym, _e in shown[:ORGANISATION_MATCHES_SHOWN]],
            more=len(shown) > ORGANISATION_MATCHES_SHOWN,
        )


class OrganisationFilter(filters.CharFilter):
    field_class = OrganisationField


class CountryField(forms.ModelChoiceField):
    """A country by its ISO code, in either case (``de`` or ``DE``)."""

    def to_python(self, value):
        return super().to_python(value.upper() if isinstance(value, str) else value)


class CountryFilter(filters.ModelChoiceFilter):
    field_class = CountryField


def organisation_options() -> SafeString:
    """The organisation input's suggestions, as ``<option>`` elements: the slug and name of each organisation
    taking part. Read as plain values and joined here rather than in the template: there may be a thousand, and
    model instances and the template engine's loop over them cost several times more (docs/performance.md)."""
    organisations = _organisations_taking_part().values_list("slug", "name", "acronym")
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{escape(slug)}">{escape(Organisation.full_name(name, acronym))}</option>'
            for slug, name, acronym in organisations
        )
    )


def _projects_under(actions: QuerySet) -> QuerySet:
    """The ids of the initiatives with a row under one of ``actions`` (read from the rows' index)."""
    return ActionContribution.objects.filter(action__in=actions).values("project")


def _actions_whose_plan_text_matches(query: SearchQuery) -> QuerySet:
    """The ids of the actions whose description, with one of their subgoals' text and that subgoal's objective's
    title, matches ``query``: each path of the plan is one document, made on the fly (a few dozen rows)."""
    document = SearchVector("description", "subgoals__text", "subgoals__objective__title", config=SEARCH_CONFIG)
    return Action.objects.annotate(plan_document=document).filter(plan_document=query).values("pk")


def _parse_yes_no(value: str) -> bool:
    return value == "true"


def _rows_of(*conditions: Q, **lookups) -> Exists:
    """Whether the initiative has a row of the plan matching the conditions."""
    return Exists(ActionContribution.objects.filter(*conditions, project=OuterRef("pk"), **lookups))


def _taking_part(*conditions: Q, **lookups) -> Exists:
    """Whether a lead or partner of the initiative matches the conditions."""
    return Exists(
        ProjectOrganisation.objects.filter(*conditions, project=OuterRef("pk"), role__in=TAKING_PART_ROLES, **lookups)
    )


class ProjectFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.SearchInput,
        help_text=_(
            "Words from the initiative's title, summary, activities or expected outcomes, the plan's objectives, "
            "subgoals and actions it serves, or its published progress updates."
        ),
        error_messages={
            "max_length": _("Search for at most %(limit_value)d characters (this search has %(show_value)d).")
        },
    )
    objective = LabelledModelChoiceFilter(
        label=_("Strategic objective"),
        queryset=_objectives,
        to_field_name="number",
        method="filter_objective",
        empty_label=_("Any objective"),
        label_from_instance=_objective_label,
    )
    subgoal = LabelledModelChoiceFilter(
        label=_("Subgoal"),
        queryset=_subgoals,
        to_field_name="code",
        method="filter_subgoal",
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
    organisation = OrganisationFilter(
        label=_("Organisation (lead or partner)"),
        method="filter_organisation",
        max_length=SEARCH_MAX_LENGTH,
        # Hundreds of organisations: a text input over a list of suggestions (templates/includes/
        # initiative_filters.html), not a select of them all.
        widget=forms.TextInput(attrs={"list": "organisation-options", "autocomplete": "off"}),
        help_text=_("A name, an acronym or part of a name (“ASEF”, “Asia-Europe”), or one of the suggestions."),
    )
    country = CountryFilter(
        label=_("Country of a lead or partner"),
        queryset=_countries,
        to_field_name="iso_code",
        method="filter_country",
        empty_label=_("Any country"),
    )
    region = filters.ChoiceFilter(
        label=_("Region of a lead or partner"),
        choices=lambda: Region.choices,
        method="filter_region",
        empty_label=_("Any region"),
    )
    status = filters.ChoiceFilter(
        label=_("Status"),
        choices=lambda: [*ProjectStatus.choices, (NOT_REPORTED, NOT_REPORTED_LABEL)],
        method="filter_status",
        empty_label=_("Any status"),
        help_text=_("As stated in the initiative's latest approved progress update."),
    )
    reported = filters.TypedChoiceFilter(
        label=_("Reported in the current reporting cycle"),
        choices=lambda: [
            ("", _("Reported or not")),
            ("true", _("Reported (an update approved)")),
            ("false", _("Not reported yet")),
        ],
        coerce=_parse_yes_no,
        method="filter_reported",
    )
    late_milestones = filters.TypedChoiceFilter(
        label=_("Milestones delayed, or with their date passed and no report yet"),
        choices=lambda: [("", _("Any")), ("true", _("At least one")), ("false", _("None"))],
        coerce=_parse_yes_no,
        method="filter_late_milestones",
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

    # Semi-joins: an initiative matches at most once whatever the combination (no distinct() needed).

    def filter_objective(self, queryset: QuerySet, name: str, value: StrategicObjective) -> QuerySet:
        """A row under an action serving one of the objective's subgoals."""
        return queryset.filter(_rows_of(action__subgoals__objective=value))

    def filter_subgoal(self, queryset: QuerySet, name: str, value: Subgoal) -> QuerySet:
        return queryset.filter(_rows_of(action__subgoals=value))

    def filter_action(self, queryset: QuerySet, name: str, value: Action) -> QuerySet:
        return queryset.filter(_rows_of(action=value))

    def filter_organisation(self, queryset: QuerySet, name: str, value: OrganisationMatch) -> QuerySet:
        exact, partial = _organisation_conditions(value.text, prefix="organisation__")
        return queryset.filter(_taking_part(exact if value.exact else partial))

    def filter_country(self, queryset: QuerySet, name: str, value: Country) -> QuerySet:
        return queryset.filter(_taking_part(organisation__country=value))

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_taking_part(organisation__region=value))

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NOT_REPORTED:
            return queryset.filter(status__isnull=True)
        return queryset.filter(status=value)

    def filter_reported(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        """An update approved in the current reporting cycle (``progress.Cycles``: what the pages count)."""
        cycle = Cycles.today().current
        approved = Exists(
            ProgressUpdate.objects.filter(project=OuterRef("pk"), status=UpdateStatus.APPROVED, cycle=cycle)
        )
        if cycle is None:  # no cycle has opened: nothing is reported in it
            return queryset.none() if value else queryset
        return queryset.filter(approved if value else ~approved)

    def filter_late_milestones(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        """A milestone delayed, or whose date passed with no report, today (the one milestone state)."""
        late = Exists(
            Milestone.objects.with_state()
            .filter(project=OuterRef("pk"), state__in=[MilestoneState.DELAYED, MilestoneState.OVERDUE])
        )
        return queryset.filter(late if value else ~late)

    # Search.

    #: Set by a search that found nothing as typed and then looked for similar words (the page says so).
    searched_similar_words = False

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if connections[queryset.db].vendor == "postgresql":
            return self._search_postgresql(queryset, value)
        return self._search_fallback(queryset, value)

    def _search_postgresql(self, queryset: QuerySet, value: str) -> QuerySet:
        query = SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG)
        # Each source is a subquery read from its own index (the planner then probes a hash of each); written as
        # conditions on the initiatives themselves, they would be checked row by row (docs/performance.md).
        matches = (
            # The initiative's stored, GIN-indexed document (projects.search): its title A, summary B, rows' texts
            # C and the words of its approved updates D (monitoring migration 0012).
            Q(pk__in=Project.objects.filter(search_vector=query).values("pk"))
            # The plan it serves: one of its actions, with one of the action's subgoals and that subgoal's
            # objective (17 actions: made on the fly, nothing stored).
            | Q(pk__in=_projects_under(_actions_whose_plan_text_matches(query)))
        )
        # One query: do the words match anything at all? Only if not, a typo is likely: look for similar words.
        # (Over every initiative, not only the filtered ones: a word found elsewhere is no typo.)
        if not Project.objects.filter(matches).exists():
            similar = self._similar_words(queryset, value)
            if similar is not None:
                self.searched_similar_words = True
                return similar
        return queryset.filter(matches).annotate(search_rank=SearchRank(F("search_vector"), query))

    @staticmethod
    def _similar_words(queryset: QuerySet, value: str) -> QuerySet | None:
        """Initiatives whose title, or the plan's texts they serve, have a word like each word typed ("mobilty"
        finds "mobility"): ``pg_trgm``'s word similarity at its default threshold (0.6), the titles read from
        their trigram index (projects migration 0014). Not the summaries: long texts make the comparison cost
        a second at the benchmark's scale (docs/performance.md). None when no word is long enough to compare."""
        typed = " ".join(word for word in value.split() if not word.startswith("-"))
        words = [w for w in re.findall(r"[^\W_]+", typed) if len(w) >= SIMILAR_WORD_MIN_LENGTH and w.lower() != "or"]
        words = words[:SIMILAR_WORDS_MAX_TERMS]
        if not words:
            return None
        rank = Value(0.0, output_field=FloatField())
        for word in words:
            in_plan = Action.objects.filter(
                Q(description__trigram_word_similar=word)
                | Q(subgoals__text__trigram_word_similar=word)
                | Q(subgoals__objective__title__trigram_word_similar=word)
            )
            queryset = queryset.filter(
                Q(pk__in=Project.objects.filter(title__trigram_word_similar=word).values("pk"))
                | Q(pk__in=_projects_under(in_plan.values("pk")))
            )
            rank = rank + TrigramWordSimilarity(word, "title")
        return queryset.annotate(search_rank=rank)

    @staticmethod
    def _search_fallback(queryset: QuerySet, value: str) -> QuerySet:
        """Every word must appear somewhere (case-insensitive): in the initiative's texts, the texts of the plan
        it serves or an approved update; a word in the title weighs most."""
        terms = [term.strip("\"'") for term in value.split()]
        terms = [term for term in terms if term][:SEARCH_FALLBACK_MAX_TERMS]
        if not terms:
            return queryset
        rank = Value(0, output_field=IntegerField())
        for term in terms:
            in_rows = _rows_of(Q(activities__icontains=term) | Q(expected_outcomes__icontains=term))
            in_plan = _rows_of(
                Q(action__description__icontains=term)
                | Q(action__subgoals__text__icontains=term)
                | Q(action__subgoals__objective__title__icontains=term)
            )
            in_updates = Exists(
                ProgressUpdate.objects.published().filter(
                    Q(achievements__icontains=term) | Q(challenges__icontains=term) | Q(next_steps__icontains=term),
                    project=OuterRef("pk"),
                )
            )
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(summary__icontains=term) | in_rows | in_plan | in_updates
            )
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


def _cycles(request=None) -> QuerySet:
    return ReportingCycle.objects.order_by("-number")


class PublishedUpdateFilterSet(filters.FilterSet):
    """Filters of the public list of published progress updates (``/updates/published/``): the objective and
    the action of the initiative reported on, the reporting organisation (as typed, as in the directory), the
    reporting cycle. Semi-joins on the initiative's rows, so an update is listed once."""

    objective = LabelledModelChoiceFilter(
        label=_("Strategic objective"),
        queryset=_objectives,
        to_field_name="number",
        method="filter_objective",
        empty_label=_("Any objective"),
        label_from_instance=_objective_label,
    )
    action = LabelledModelChoiceFilter(
        label=_("Action"),
        queryset=_actions,
        to_field_name="number",
        method="filter_action",
        empty_label=_("Any action"),
        label_from_instance=_action_label,
    )
    organisation = OrganisationFilter(
        label=_("Reporting organisation"),
        method="filter_organisation",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"list": "organisation-options", "autocomplete": "off"}),
        help_text=_("A name, an acronym or part of a name (“ASEF”, “Asia-Europe”), or one of the suggestions."),
    )
    cycle = filters.ModelChoiceFilter(
        label=_("Reporting cycle"),
        queryset=_cycles,
        to_field_name="number",
        empty_label=_("Any cycle"),
    )

    class Meta:
        model = ProgressUpdate
        fields: list[str] = []
        form = FilterForm

    @staticmethod
    def _rows(**lookups) -> Exists:
        return Exists(ActionContribution.objects.filter(project=OuterRef("project"), **lookups))

    def filter_objective(self, queryset: QuerySet, name: str, value: StrategicObjective) -> QuerySet:
        return queryset.filter(self._rows(action__subgoals__objective=value))

    def filter_action(self, queryset: QuerySet, name: str, value: Action) -> QuerySet:
        return queryset.filter(self._rows(action=value))

    def filter_organisation(self, queryset: QuerySet, name: str, value: OrganisationMatch) -> QuerySet:
        exact, partial = _organisation_conditions(value.text, prefix="organisation__")
        return queryset.filter(exact if value.exact else partial)

    @property
    def is_filtered(self) -> bool:
        if not self.is_valid():
            return bool(self.data)
        return any(value not in (None, "") for value in self.form.cleaned_data.values())


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
