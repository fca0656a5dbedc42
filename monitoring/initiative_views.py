"""Public pages of initiatives: the filterable directory, its open-data exports and the initiative page.

An invalid filter (a letter where a number is expected, an unknown choice, an over-long search) answers
400 Bad Request with the page and the form's messages, and lists nothing: the same answer the API gives
for the same query string, and one that caches and crawlers do not keep.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from actions.models import Action, Subgoal
from core.csvutil import Echo, csv_safe
from projects.models import (
    TAKING_PART_ROLES,
    ActionContribution,
    Milestone,
    OrganisationRole,
    Project,
    ProjectOrganisation,
    actions_prefetch,
    leads_prefetch,
)

from . import permissions
from .filters import ProjectFilterSet, default_ordering, organisation_options
from .indicator_charts import indicator_charts
from .models import ProgressUpdate
from .progress import Cycles, Recency, attach_progress
from .work_plans import latest_work_plan

#: Initiatives per page of the directory.
DIRECTORY_PAGE_SIZE = 25
#: Initiatives read per round trip (and per query for their organisations) while streaming an export.
EXPORT_CHUNK_SIZE = 2000
#: At most this many related initiatives on an initiative's page.
RELATED_LIMIT = 6


def entry_queryset() -> QuerySet[Project]:
    """Initiatives with what their entry in a list shows (``includes/initiative_summary.html``): their leads and
    the numbers of their actions (one query each for a page of any size)."""
    return Project.objects.defer("search_vector", "summary").prefetch_related(leads_prefetch(), actions_prefetch())


def query_string_without_page(request: HttpRequest) -> str:
    """The filter state of the URL, for pagination and export links (empty values dropped)."""
    pairs = [(key, value) for key, values in request.GET.lists() if key != "page" for value in values if value != ""]
    return urlencode(pairs)


class ProjectListView(ListView):
    model = Project
    context_object_name = "projects"
    paginate_by = DIRECTORY_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        data = request.GET.copy()
        # Show the order actually used: relevance when searching, the title otherwise.
        if not data.get("ordering"):
            data["ordering"] = default_ordering(data.get("q"))
        self.filterset = ProjectFilterSet(data, queryset=entry_queryset(), request=request)
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        if not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_paginate_by(self, queryset):
        # Invalid filters list nothing: a page number then means nothing either (400, not 404).
        return self.paginate_by if self.filterset.is_valid() else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycles = Cycles.today()
        attach_progress(context["object_list"], cycles)
        query_string = query_string_without_page(self.request)
        valid = self.filterset.is_valid()
        context.update(
            filter=self.filterset,
            cycles=cycles,
            organisation_options=organisation_options(),
            organisation_match=self.filterset.form.cleaned_data.get("organisation") if valid else None,
            searched_similar_words=self.filterset.searched_similar_words,
            # The folded filters open when one of them narrows the list (not for a search or a sort alone).
            filters_in_use=not valid
            or any(
                value not in (None, "")
                for name, value in self.filterset.form.cleaned_data.items()
                if name not in ("q", "ordering")
            ),
            is_filtered=self.filterset.is_filtered,
            query_string=query_string,
            csv_url=_with_query(reverse("initiatives:project-export-csv"), query_string),
            json_url=_with_query(reverse("initiatives:project-export-json"), query_string),
        )
        if not context["is_filtered"]:
            page = context["page_obj"]
            url = reverse("initiatives:project-list")
            if page and page.number > 1:
                url = f"{url}?page={page.number}"
            context["canonical_url"] = self.request.build_absolute_uri(url)
        return context


def _with_query(url: str, query_string: str) -> str:
    return f"{url}?{query_string}" if query_string else url


# Open data -----------------------------------------------------------------------------------------------

EXPORT_FIELDS = ("slug", "title", "is_new", "status", "leads", "partners", "actions", "subgoals", "objectives", "url")


class PlanLookup:
    """The plan's actions → subgoals → objectives, read once (one query), to describe an initiative from the
    numbers of its actions."""

    def __init__(self) -> None:
        subgoals: dict[int, set[str]] = {}
        objectives: dict[int, set[int]] = {}
        for number, code, objective in Action.objects.values_list(
            "number", "subgoals__code", "subgoals__objective__number"
        ):
            subgoals.setdefault(number, set())
            objectives.setdefault(number, set())
            if code is not None:
                subgoals[number].add(code)
                objectives[number].add(objective)
        self.subgoals, self.objectives = subgoals, objectives


@dataclass(frozen=True)
class ExportRecord:
    slug: str
    title: str
    is_new: bool
    status: str
    leads: list[dict[str, str]]
    partners: list[dict[str, str]]
    actions: list[int]
    subgoals: list[str]
    objectives: list[int]
    url: str

    @classmethod
    def stream(cls, queryset: QuerySet[Project], request: HttpRequest) -> Iterator[ExportRecord]:
        """The records of ``queryset``'s initiatives, in its order: a server-side cursor over plain values
        and, per chunk of :data:`EXPORT_CHUNK_SIZE`, one query for the organisations and one for the actions.
        Memory stays flat whatever the number of initiatives; the queries grow by two per chunk."""
        plan = PlanLookup()

        def url(slug: str) -> str:
            return request.build_absolute_uri(reverse("initiatives:project-detail", kwargs={"slug": slug}))

        rows = queryset.values_list("pk", "slug", "title", "is_new", "status")
        rows = rows.iterator(chunk_size=EXPORT_CHUNK_SIZE)
        while chunk := list(islice(rows, EXPORT_CHUNK_SIZE)):
            yield from cls._chunk(chunk, plan, url)

    @classmethod
    def _chunk(cls, rows: list[tuple], plan: PlanLookup, url) -> Iterator[ExportRecord]:
        ids = [row[0] for row in rows]
        organisations: dict[tuple[int, str], list[dict[str, str]]] = {}
        # Ordered here (position, then name by code point), not by the database's collation.
        for project_id, role, _position, name, slug in sorted(
            ProjectOrganisation.objects.filter(project_id__in=ids, role__in=TAKING_PART_ROLES).values_list(
                "project_id", "role", "position", "organisation__name", "organisation__slug"
            )
        ):
            organisations.setdefault((project_id, role), []).append({"slug": slug, "name": name})
        actions_of: dict[int, list[int]] = {}
        for project_id, number in sorted(
            ActionContribution.objects.filter(project_id__in=ids).values_list("project_id", "action__number")
        ):
            actions_of.setdefault(project_id, []).append(number)
        for pk, slug, title, is_new, status in rows:
            actions = actions_of.get(pk, [])
            yield cls(
                slug=slug,
                title=title,
                is_new=is_new,
                status=status,
                leads=organisations.get((pk, OrganisationRole.LEAD), []),
                partners=organisations.get((pk, OrganisationRole.PARTNER), []),
                actions=actions,
                subgoals=sorted({c for n in actions for c in plan.subgoals[n]}, key=Subgoal.code_sort_key),
                objectives=sorted({o for n in actions for o in plan.objectives[n]}),
                url=url(slug),
            )

    def as_json(self) -> dict:
        return {name: getattr(self, name) for name in EXPORT_FIELDS}

    def as_csv_row(self) -> list[str]:
        def names(organisations: list[dict[str, str]]) -> str:
            return "; ".join(organisation["name"] for organisation in organisations)

        return [
            csv_safe(self.slug),
            csv_safe(self.title),
            "true" if self.is_new else "false",
            self.status,
            csv_safe(names(self.leads)),
            csv_safe(names(self.partners)),
            " ".join(str(number) for number in self.actions),
            " ".join(self.subgoals),
            " ".join(str(number) for number in self.objectives),
            self.url,
        ]


class ProjectExportView(View):
    """The directory's filtered initiatives as open data, streamed: same query string, one row each."""

    format: str = "csv"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = ProjectFilterSet(request.GET, queryset=Project.objects.all(), request=request)
        if not filterset.is_valid():
            errors = {field: [str(error) for error in errors] for field, errors in filterset.errors.items()}
            if self.format == "json":
                return JsonResponse({"errors": errors}, status=400)
            lines = [_("The filters are not valid:")]
            lines += [f"{field}: {' '.join(messages)}" for field, messages in errors.items()]
            return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")

        records = ExportRecord.stream(filterset.qs, request)
        if self.format == "json":
            response = StreamingHttpResponse(_json_stream(records), content_type="application/json")
        else:
            response = StreamingHttpResponse(_csv_stream(records), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="asem-initiatives.{self.format}"'
        return response


def _csv_stream(records: Iterable[ExportRecord]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for record in records:
        yield writer.writerow(record.as_csv_row())


def _json_stream(records: Iterable[ExportRecord]) -> Iterator[str]:
    """``{"initiatives": [...]}``, written one initiative at a time."""
    yield '{"initiatives": ['
    separator = "\n"
    for record in records:
        yield separator + json.dumps(record.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


# The initiative's page ------------------------------------------------------------------------------------


def related_projects(project: Project, limit: int = RELATED_LIMIT) -> list[Project]:
    """Other initiatives under one of this one's actions or with one of its leads; sharing both first.

    Uses the project's prefetched rows and participations, so it costs two queries (the initiatives and
    their leads).
    """
    action_ids = {row.action_id for row in project.rows.all()}
    lead_ids = {part.organisation_id for part in project.participations.all() if part.role == OrganisationRole.LEAD}
    if not action_ids and not lead_ids:
        return []
    shares_action = Exists(ActionContribution.objects.filter(project=OuterRef("pk"), action_id__in=action_ids))
    shares_lead = Exists(
        ProjectOrganisation.objects.filter(
            project=OuterRef("pk"), organisation_id__in=lead_ids, role=OrganisationRole.LEAD
        )
    )
    related = list(
        entry_queryset()
        .annotate(shares_action=shares_action, shares_lead=shares_lead)
        .filter(Q(shares_action=True) | Q(shares_lead=True))
        .exclude(pk=project.pk)
        .order_by(F("shares_action").desc(), F("shares_lead").desc(), "title", "slug")[:limit]
    )
    for other in related:
        if other.shares_action and other.shares_lead:
            other.related_reason = _("same action and same lead")
        else:
            other.related_reason = _("same action") if other.shares_action else _("same lead")
    return related


def last_update(published: list[ProgressUpdate], cycles: Cycles) -> tuple[ProgressUpdate | None, str]:
    """The latest approved of ``published`` (by approval) and how recently the initiative reported
    (:class:`Recency`), from the updates the page has already read."""
    if not published:
        return None, Recency.NEVER
    # (An update approved before approvals were dated has no reviewed_at: its creation stands in.)
    latest = max(published, key=lambda update: (update.reviewed_at or update.created_at, update.pk))
    cycle_ids = {update.cycle_id for update in published}
    if cycles.current and cycles.current.pk in cycle_ids:
        return latest, Recency.THIS_CYCLE
    if cycles.previous and cycles.previous.pk in cycle_ids:
        return latest, Recency.LAST_CYCLE
    return latest, Recency.EARLIER


class ProjectDetailView(DetailView):
    model = Project
    context_object_name = "project"

    def get_queryset(self):
        return (
            Project.objects.defer("search_vector")
            .with_leads()
            .prefetch_related(
                Prefetch(
                    "rows",
                    queryset=ActionContribution.objects.select_related("action").prefetch_related(
                        "action__subgoals__objective"
                    ),
                ),
                Prefetch("milestones", queryset=Milestone.objects.with_state()),
                "indicators",
                "links",
                Prefetch(
                    "updates",
                    queryset=ProgressUpdate.objects.published()
                    .select_related("organisation")
                    .order_by("-period_end", "-pk"),
                    to_attr="published_updates",
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        user = self.request.user
        context["can_report"] = permissions.can(user, permissions.REPORT, project)
        context["can_edit_profile"] = permissions.can(user, permissions.EDIT_PROFILE, project)
        context["milestones"] = project.milestones.all()  # with their state (MilestoneState)
        context["indicator_charts"] = indicator_charts(project)
        cycles = Cycles.today()
        context["cycles"] = cycles
        context["last_update"], context["recency"] = last_update(project.published_updates, cycles)
        context["related_projects"] = related_projects(project)
        attach_progress(context["related_projects"], cycles)
        context["work_plan"] = latest_work_plan(project)
        context["canonical_url"] = self.request.build_absolute_uri(project.get_absolute_url())
        return context
