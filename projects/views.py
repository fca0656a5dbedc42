from __future__ import annotations

from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from .models import ActionContribution, Project


class ProjectListView(ListView):
    model = Project
    context_object_name = "projects"
    paginate_by = 25

    def get_queryset(self):
        return Project.objects.with_leads().prefetch_related(
            Prefetch("rows", queryset=ActionContribution.objects.select_related("action"))
        )


class ProjectDetailView(DetailView):
    model = Project
    context_object_name = "project"

    def get_queryset(self):
        return Project.objects.with_leads().prefetch_related(
            Prefetch(
                "rows",
                queryset=ActionContribution.objects.select_related("action").prefetch_related(
                    "action__subgoals__objective"
                ),
            ),
            "milestones",
            "indicators",
            "links",
        )
