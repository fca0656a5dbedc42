"""The ASEM Education Process in public (action 17 of the plan: "news articles on ASEM Education and other
relevant activities, publications, events" and "a repository of all relevant AEP documents"): meetings and
events, the cycles' work plans, the document repository and the Secretariat's news.

Every page reads a fixed number of queries whatever the amount of data, and is served through the public page
cache (``core.cache.cached_public_page``, in the URLconfs). Files are served by ``DocumentDownloadView`` only, as
downloads with the type detected at upload, never sniffed by the browser.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from actions.models import Action
from projects.models import Project

from .filters import DocumentFilterSet
from .initiative_views import query_string_without_page
from .models import Document, Meeting, NewsItem, ReportingCycle, WorkPlanItem
from .permissions import is_secretariat

#: Documents and news items per page of their lists.
DOCUMENTS_PER_PAGE = 25
NEWS_PER_PAGE = 20
#: Past meetings shown on the meetings page (the oldest are one page further).
PAST_MEETINGS_PER_PAGE = 30


def documents_in_lists():
    """Documents with what a list shows of them: their meeting."""
    return Document.objects.select_related("meeting").order_by("kind", "date", "pk")


class MeetingListView(TemplateView):
    """Upcoming meetings and events (soonest first), then past ones (latest first), each with its documents."""

    template_name = "monitoring/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        meetings = Meeting.objects.select_related("host_country", "cycle").prefetch_related(
            Prefetch("documents", queryset=documents_in_lists())
        )
        context["upcoming"] = list(meetings.upcoming(today))
        past = meetings.past(today)
        page = past[: PAST_MEETINGS_PER_PAGE + 1] if "all" not in self.request.GET else past
        context["past"] = list(page)
        context["more_past"] = len(context["past"]) > PAST_MEETINGS_PER_PAGE and "all" not in self.request.GET
        if context["more_past"]:
            context["past"] = context["past"][:PAST_MEETINGS_PER_PAGE]
        return context


class MeetingDetailView(DetailView):
    model = Meeting
    context_object_name = "meeting"
    template_name = "monitoring/meeting_detail.html"

    def get_queryset(self):
        return Meeting.objects.select_related("host_country", "cycle").prefetch_related(
            Prefetch("documents", queryset=documents_in_lists().prefetch_related("actions")),
            "opened_cycles",
            "closed_cycles",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        documents = list(meeting.documents.all())
        context["documents"] = documents
        context["chairs_conclusions"] = [d for d in documents if d.kind == "chairs_conclusions"]
        context["canonical_url"] = self.request.build_absolute_uri(meeting.get_absolute_url())
        return context


class WorkPlanView(TemplateView):
    """A cycle's work plan (the annex of its opening ASEMME's Chair's Conclusions), initiative by initiative, with
    that mandate: the Chair's Conclusions in the repository."""

    template_name = "monitoring/work_plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = get_object_or_404(
            ReportingCycle.objects.select_related("opening_meeting", "closing_meeting"), number=kwargs["number"]
        )
        items = list(
            WorkPlanItem.objects.filter(cycle=cycle)
            .select_related("project")
            .only("planned_activity", "expected_output", "position", "project__slug", "project__title")
            .order_by("project__title", "project_id", "position", "pk")
        )
        by_project: dict[int, dict] = {}
        for item in items:
            by_project.setdefault(item.project_id, {"project": item.project, "items": []})["items"].append(item)
        context.update(cycle=cycle, mandate=cycle.mandate(), initiatives=list(by_project.values()))
        context["item_total"] = len(items)
        return context


class DocumentListView(ListView):
    """The repository: every document, newest first, with filters and search (the address keeps them)."""

    template_name = "monitoring/document_list.html"
    context_object_name = "documents"
    paginate_by = DOCUMENTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.filterset = DocumentFilterSet(request.GET, queryset=Document.objects.select_related("meeting"))
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        if not self.filterset.is_valid():
            return Document.objects.none()
        return self.filterset.qs

    def get_paginate_by(self, queryset):
        return self.paginate_by if self.filterset.is_valid() else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            is_filtered=self.filterset.is_filtered,
            query_string=query_string_without_page(self.request),
        )
        if not context["is_filtered"]:
            context["canonical_url"] = self.request.build_absolute_uri(reverse("documents:document-list"))
        return context


class DocumentDetailView(DetailView):
    model = Document
    context_object_name = "document"
    template_name = "monitoring/document_detail.html"

    def get_queryset(self):
        return Document.objects.select_related("meeting").prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("number")),
            Prefetch("initiatives", queryset=Project.objects.only("slug", "title").order_by("title")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        # The cycles whose work plan these Chair's Conclusions adopted.
        document = self.object
        context["adopted_cycles"] = (
            list(ReportingCycle.objects.filter(opening_meeting_id=document.meeting_id).order_by("number"))
            if document.kind == "chairs_conclusions"
            else []
        )
        return context


class DocumentDownloadView(View):
    """An uploaded document's file, as a download: the type detected at upload, never sniffed, no active content."""

    def get(self, request, slug):
        document = get_object_or_404(Document.objects.exclude(file=""), slug=slug)
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "public, max-age=3600"
        return response


class NewsListView(ListView):
    template_name = "monitoring/news_list.html"
    context_object_name = "news"
    paginate_by = NEWS_PER_PAGE

    def get_queryset(self):
        return NewsItem.objects.published().order_by("-date", "-pk")


class NewsDetailView(DetailView):
    """A published news item; the Secretariat also sees a draft (to check it before publishing)."""

    model = NewsItem
    context_object_name = "item"
    template_name = "monitoring/news_detail.html"

    def get_queryset(self):
        items = NewsItem.objects.prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("number")),
            Prefetch("initiatives", queryset=Project.objects.only("slug", "title").order_by("title")),
        )
        return items if is_secretariat(self.request.user) else items.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        return context
