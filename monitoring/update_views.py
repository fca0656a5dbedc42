"""Stakeholders write progress updates; the Secretariat reviews them; everyone reads the published ones.

Every view asks ``monitoring.permissions`` what the user may see (querysets, so
what is not theirs is a 404) and calls ``monitoring.update_services`` for every
change of state. While a reporting cycle is open, the form reports to it and
the dashboard counts what is due in it.
"""

from __future__ import annotations

import datetime
import difflib
import mimetypes

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from core.parsing import parse_id
from projects.models import ProjectOrganisation
from stakeholders.models import Organisation

from . import permissions, update_services
from .filters import PublishedUpdateFilterSet, organisation_options
from .initiative_views import query_string_without_page
from .models import (
    Evidence,
    IndicatorValue,
    MilestoneReport,
    ProgressUpdate,
    ReportingCycle,
    UpdateStatus,
    UpdateTransition,
    WorkPlanItemReport,
)
from .update_forms import (
    OUT_OF_DATE,
    RETURN,
    AssessmentForm,
    ProgressUpdateForm,
    ReasonForm,
    ReturnForm,
    ReviewQueueForm,
)

#: Published updates per page of their public list.
PUBLISHED_PAGE_SIZE = 25


class PublishedUpdateListView(ListView):
    """Every published (approved) progress update, newest publication first, with the filters of
    :class:`~monitoring.filters.PublishedUpdateFilterSet`. Invalid filters answer 400 and list nothing, as the
    directory does."""

    template_name = "updates/published_list.html"
    context_object_name = "updates"
    paginate_by = PUBLISHED_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        queryset = (
            ProgressUpdate.objects.published()
            .select_related("project", "organisation", "cycle")
            .only(
                "pk", "period_start", "period_end", "achievements", "challenges", "next_steps", "reviewed_at",
                "project__slug", "project__title", "organisation__slug", "organisation__name",
                "organisation__acronym", "cycle__number", "cycle__period_start", "cycle__period_end",
            )  # fmt: skip
            .order_by("-reviewed_at", "-pk")
        )
        self.filterset = PublishedUpdateFilterSet(request.GET, queryset=queryset, request=request)
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        if not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_paginate_by(self, queryset):
        return self.paginate_by if self.filterset.is_valid() else None

    def get_context_data(self, **kwargs):
        valid = self.filterset.is_valid()
        return super().get_context_data(
            **kwargs,
            filter=self.filterset,
            is_filtered=self.filterset.is_filtered,
            organisation_match=self.filterset.form.cleaned_data.get("organisation") if valid else None,
            organisation_options=organisation_options(),
            query_string=query_string_without_page(self.request),
        )


def update_detail_queryset():
    return (
        ProgressUpdate.objects.all()
        .select_related("project", "organisation", "author", "reviewed_by", "cycle")
        .prefetch_related(
            Prefetch("milestone_reports", queryset=MilestoneReport.objects.select_related("milestone")),
            Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
            "evidence",
            Prefetch("transitions", queryset=UpdateTransition.objects.select_related("actor")),
            Prefetch("work_plan_reports", queryset=WorkPlanItemReport.objects.select_related("item")),
        )
    )


def current_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Without an open reporting cycle: the calendar year so far."""
    today = today or datetime.date.today()
    return datetime.date(today.year, 1, 1), today


class DashboardView(LoginRequiredMixin, TemplateView):
    """A contributor's desk: my initiatives, what is due, and my organisations' updates by state."""

    template_name = "updates/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        orgs = permissions.organisation_ids(user)
        projects = list(
            permissions.projects_for(user)
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=ProjectOrganisation.objects.select_related("organisation").order_by("role", "position"),
                )
            )
            .order_by("title")
        )
        updates = list(
            ProgressUpdate.objects.filter(organisation_id__in=orgs)
            .select_related("project", "organisation", "author", "cycle")
            .order_by("-updated_at")
        )
        cycle = ReportingCycle.objects.current() if orgs else None
        start, _end = current_period()
        # Due: no update of my organisations submitted (or approved) in the cycle yet (without a cycle: this
        # year). A returned update is due again.
        done = (UpdateStatus.SUBMITTED, UpdateStatus.APPROVED)
        if cycle is not None:
            reported = {u.project_id for u in updates if u.cycle_id == cycle.pk and u.status in done}
        else:
            reported = {u.project_id for u in updates if u.status in done and u.period_end >= start}
        # The coordinators' (and the Secretariat's) way to the initiative's profile, from their desk.
        editable = set(
            permissions.profiles_editable_by(user).filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True)
        )
        today = timezone.localdate()
        # Drafts and returned updates left in a cycle that takes no more submissions: one click moves each on.
        left_behind = [
            u
            for u in updates
            if u.status in permissions.EDITABLE and u.cycle is not None and not u.cycle.accepts_submissions(today)
        ]
        context.update(
            left_behind=left_behind,
            projects=projects,
            profile_editable=editable,
            due=[p for p in projects if p.pk not in reported],
            cycle=cycle,
            # Between two cycles: where the next one stands (planned, its window's dates).
            next_cycle=ReportingCycle.objects.next_planned() if orgs and cycle is None else None,
            period_start=start,
            by_status={
                status: [u for u in updates if u.status == status]
                for status in (UpdateStatus.DRAFT, UpdateStatus.RETURNED, UpdateStatus.SUBMITTED, UpdateStatus.APPROVED)
            },
            is_secretariat=permissions.can(user, permissions.REVIEW),
            queue_size=permissions.review_queue(user).count(),
            has_memberships=bool(orgs),
        )
        return context


class LoadAfterLoginMixin(LoginRequiredMixin):
    """Logs in first, then ``load()`` the view's objects (404 for what is not the user's; a response to stop)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return self.load(request, **kwargs) or super().dispatch(request, *args, **kwargs)


class UpdateFormView(LoadAfterLoginMixin, FormView):
    """Save (or save and submit, one step: a refused submission saves nothing), or preview, one update.

    Preview saves the draft first, files included, then shows the update as it will be published above the form
    (``?preview``): nothing chosen is lost, and the preview is the saved update itself, drawn by the same template
    as the published one.
    """

    form_class = ProgressUpdateForm
    template_name = "updates/update_form.html"
    update = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return {
            **kwargs,
            "project": self.project,
            "cycle": self.cycle,
            "organisations": self.organisations(),
            "update": self.update,
        }

    def render_form(self, form, *, conflict=None, existing=None, status=200):
        if status >= 400:
            # Nothing was saved, and a browser never fills a file input again: each chosen file says so.
            form.ask_for_files_again()
        context = self.get_context_data(
            form=form,
            project=self.project,
            update=self.update,
            preview=self.update if self.update is not None and "preview" in self.request.GET else None,
            conflict=conflict,
            existing=existing,
            cycle=form.cycle,
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def form_invalid(self, form):
        return self.render_form(form, status=400)

    def form_valid(self, form):
        submit, preview = "submit" in self.request.POST, "preview" in self.request.POST
        try:
            update = self.save(form, submit=submit and not preview)
        except update_services.UpdateInProgressError as error:
            form.add_error(
                "period_start",
                _("%(error)s Open it with the link above; what you wrote here was not saved.") % {"error": error},
            )
            return self.render_form(form, existing=error.existing, status=409)
        except update_services.ConflictError as error:
            return self.conflict(error)
        except update_services.StatusNotStatedError as error:
            form.add_error("initiative_status", str(error))
            return self.render_form(form, status=400)
        except update_services.WorkflowError as error:
            form.add_error(None, str(error))
            return self.render_form(form, status=400)
        except ValidationError as error:  # the content's rules, when something changed since the form checked them
            form.add_error(None, error.messages)
            return self.render_form(form, status=400)
        if preview:
            messages.success(self.request, _("Your draft was saved. Below is how it will read once published."))
            return HttpResponseRedirect(reverse("updates:update-edit", args=[update.pk]) + "?preview#preview")
        if submit:
            messages.success(self.request, _("Your update was submitted to the Secretariat."))
        else:
            messages.success(self.request, _("Your draft was saved."))
        return HttpResponseRedirect(update.get_absolute_url())


def continue_url(update: ProgressUpdate, user) -> str:
    """Where a person is led to continue ``update``: its form if they may edit it, else its page."""
    if permissions.can(user, permissions.EDIT, update):
        return reverse("updates:update-edit", args=[update.pk])
    return update.get_absolute_url()


class UpdateCreateView(UpdateFormView):
    def load(self, request, slug):
        # Not my initiative: 404, as for anything not one's own.
        self.project = get_object_or_404(permissions.projects_for(request.user), slug=slug)
        if request.method == "GET":
            # "Write an update" for a period that already has one in progress leads to that one.
            start, end = self.default_period()
            existing = update_services.update_in_progress(
                project=self.project, organisations=self.organisations(), period_start=start, period_end=end
            )
            if existing is not None:
                note = _("You were taken to it: continue it here rather than starting another.")
                messages.info(request, f"{update_services.in_progress_message(existing)} {note}")
                return HttpResponseRedirect(continue_url(existing, request.user))

    @cached_property
    def cycle(self):
        return update_services.cycle_for(None)

    def default_period(self) -> tuple[datetime.date, datetime.date]:
        return (self.cycle.period_start, self.cycle.period_end) if self.cycle else current_period()

    def get_initial(self):
        start, end = self.default_period()
        return {"period_start": start, "period_end": end}

    def organisations(self):
        return permissions.reporting_organisations(self.request.user, self.project)

    def save(self, form, *, submit):
        create = update_services.create_and_submit if submit else update_services.create_update
        return create(
            project=self.project,
            organisation=form.cleaned_data["organisation"],
            author=self.request.user,
            content=form.content(),
        )


class UpdateEditView(UpdateFormView):
    def load(self, request, pk):
        self.update = get_object_or_404(
            update_detail_queryset().filter(pk__in=permissions.updates_visible_to(request.user)), pk=pk
        )
        self.project = self.update.project
        try:
            permissions.require(request.user, permissions.EDIT, self.update)
        except update_services.WorkflowError as error:  # theirs, but no longer editable: say so on the update
            messages.info(request, str(error))
            return HttpResponseRedirect(self.update.get_absolute_url())

    @cached_property
    def cycle(self):
        # A draft started before any cycle opened joins the open one when saved (as the service does).
        return update_services.cycle_for(self.update)

    def get_initial(self):
        return ProgressUpdateForm.initial_from(self.update)

    def organisations(self):
        return Organisation.objects.filter(pk=self.update.organisation_id)

    def save(self, form, *, submit):
        save = update_services.save_and_submit if submit else update_services.save_draft
        expected = form.cleaned_data["version"]  # required when editing (the form says so)
        return save(update=self.update, user=self.request.user, content=form.content(), expected_version=expected)

    def conflict(self, error):
        self.update = update_detail_queryset().get(pk=self.update.pk)
        # The user's text, bound to the version they have now seen: saving it again (after comparing) is
        # meant to replace the other person's, not to conflict again.
        data = self.request.POST.copy()
        data["version"] = str(self.update.version)
        form = self.form_class(**{**self.get_form_kwargs(), "data": data, "files": self.request.FILES})
        form.is_valid()
        return self.render_form(form, conflict=str(error), status=409)


class VisibleUpdateMixin:
    def get_queryset(self):
        return update_detail_queryset().filter(pk__in=permissions.updates_visible_to(self.request.user))


class UpdateDetailView(VisibleUpdateMixin, DetailView):
    template_name = "updates/update_detail.html"
    context_object_name = "update"

    def get_context_data(self, **kwargs):
        user, update = self.request.user, self.object
        show_workflow = permissions.can(user, permissions.VIEW_WORKFLOW, update)
        return super().get_context_data(
            **kwargs,
            can_edit=permissions.can(user, permissions.EDIT, update),
            can_submit=permissions.can(user, permissions.SUBMIT, update),
            can_review=permissions.can(user, permissions.APPROVE, update),
            can_withdraw=permissions.can(user, permissions.WITHDRAW_APPROVAL, update),
            can_move=permissions.can(user, permissions.MOVE_TO_CURRENT_CYCLE, update),
            writers=permissions.writers(update) if show_workflow else [],  # four queries, for those shown them
            current_cycle=ReportingCycle.objects.current(),
            return_form=ReturnForm(),
            assessment_form=AssessmentForm(),
            show_workflow=show_workflow,
        )


class TransitionView(LoginRequiredMixin, VisibleUpdateMixin, View):
    """POST-only endpoints for submit, approve, return and withdraw; each calls one service."""

    verb = ""

    def post(self, request, pk):
        update = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            message = self.perform(request, update)
        except update_services.WorkflowError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(update.get_absolute_url())
        messages.success(request, message)
        return HttpResponseRedirect(self.success_url(update))

    def success_url(self, update):
        return update.get_absolute_url()


class SubmitView(TransitionView):
    def perform(self, request, update):
        # The version the author read: an update changed since is not submitted unread.
        expected = parse_id(request.POST.get("version"))
        if expected is None:
            raise update_services.WorkflowError(str(OUT_OF_DATE))
        update_services.submit_update(update=update, user=request.user, expected_version=expected)
        return _("Your update was submitted to the Secretariat.")


class MoveToCurrentCycleView(TransitionView):
    """One click: a draft or returned update left in a closed or published cycle joins the current one."""

    def perform(self, request, update):
        try:
            moved, removed = update_services.move_to_current_cycle(update=update, user=request.user)
        except update_services.UpdateInProgressError as error:
            raise update_services.WorkflowError(str(error)) from None
        message = _("The update now reports to cycle %(number)s (%(label)s), for %(start)s – %(end)s.") % {
            "number": moved.cycle.number,
            "label": moved.cycle.label,
            "start": date_format(moved.period_start),
            "end": date_format(moved.period_end),
        }
        if removed:
            message += " " + _("Removed, as they belonged to the old cycle: %(list)s.") % {"list": "; ".join(removed)}
        return message + " " + _("Check it, then submit it.")

    def success_url(self, update):
        return reverse("updates:update-edit", args=[update.pk])


class ApproveView(TransitionView):
    def perform(self, request, update):
        # The version the reviewer read on the update's page: a later change is not published unread.
        expected = parse_id(request.POST.get("version"))
        if expected is None:
            raise update_services.WorkflowError(str(OUT_OF_DATE))
        assessment = AssessmentForm(request.POST)
        if not assessment.is_valid():
            raise update_services.WorkflowError(" ".join(e for errors in assessment.errors.values() for e in errors))
        update_services.approve_update(
            update=update,
            reviewer=request.user,
            expected_version=expected,
            rating=assessment.cleaned_data["rating"],
            comment=assessment.cleaned_data["comment"],
        )
        return _("The update is approved and published.")

    def success_url(self, update):
        return reverse("updates:review-queue")


class ReturnView(LoadAfterLoginMixin, VisibleUpdateMixin, FormView):
    form_class = ReturnForm
    template_name = "updates/update_return.html"

    def load(self, request, pk):
        self.update = get_object_or_404(self.get_queryset(), pk=pk)
        permissions.require(request.user, permissions.REVIEW)

    def get_initial(self):
        # The version the reviewer read on the update's page (its "Return" link carries it).
        version = self.request.GET.get("version")
        return {"version": version if parse_id(version) is not None else self.update.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(update=self.update, **kwargs)

    def form_valid(self, form):
        try:
            message, url = self.perform(form.cleaned_data)
        except update_services.WorkflowError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, message)
        return HttpResponseRedirect(url)

    def perform(self, data):
        update_services.return_update(
            update=self.update, reviewer=self.request.user, reason=data["reason"], expected_version=data["version"]
        )
        return _("The update was returned to its author."), reverse("updates:review-queue")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WithdrawApprovalView(ReturnView):
    form_class = ReasonForm
    template_name = "updates/update_withdraw.html"

    def get_initial(self):
        return {}

    def perform(self, data):
        update_services.withdraw_approval(update=self.update, reviewer=self.request.user, reason=data["reason"])
        message = _("The approval was withdrawn; the update is back in the review queue.")
        return message, self.update.get_absolute_url()


def approved_before(project_id, period_end):
    """An initiative's approved updates whose period ends by ``period_end``, the latest first (values or
    ``OuterRef`` expressions): what an update is compared with."""
    return (
        ProgressUpdate.objects.published()
        .filter(project_id=project_id, period_end__lte=period_end)
        .order_by("-period_end", "-reviewed_at", "-pk")
    )


class ReviewQueueView(LoginRequiredMixin, FormView):
    """The Secretariat's queue: each submitted update with its cycle, period and an excerpt, approved or returned
    one by one or several at once (through the same services as the update's page)."""

    template_name = "updates/review_queue.html"
    form_class = ReviewQueueForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.require(request.user, permissions.REVIEW)
        return super().dispatch(request, *args, **kwargs)

    def queue(self):
        earlier = approved_before(OuterRef("project_id"), OuterRef("period_end"))
        return (
            permissions.review_queue(self.request.user)
            .select_related("project", "organisation", "author", "cycle")
            .annotate(has_previous=Exists(earlier))
            .order_by("submitted_at", "pk")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "queryset": self.queue()}

    def get_context_data(self, **kwargs):
        queue = list(self.queue())
        ticked = set(self.request.POST.getlist("updates"))  # kept ticked when the form comes back with an error
        for update in queue:
            update.selected = f"{update.pk}:{update.version}" in ticked
        return super().get_context_data(queue=queue, **kwargs)

    def form_valid(self, form):
        chosen = form.cleaned_data["updates"]  # (update, the version the reviewer saw in the queue)
        arguments = {
            "updates": [update for update, _version in chosen],
            "reviewer": self.request.user,
            "expected_versions": {update.pk: version for update, version in chosen},
        }
        if form.cleaned_data["decision"] == RETURN:
            done, problems = update_services.return_updates(**arguments, reason=form.cleaned_data["reason"])
            message = ngettext(
                "%(count)s update returned to its author.", "%(count)s updates returned to their authors.", len(done)
            )
        else:
            done, problems = update_services.approve_updates(**arguments)
            message = ngettext(
                "%(count)s update approved and published.", "%(count)s updates approved and published.", len(done)
            )
        if done:
            messages.success(self.request, message % {"count": len(done)})
        for problem in problems:
            messages.error(self.request, problem)
        return HttpResponseRedirect(reverse("updates:review-queue"))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CompareView(LoginRequiredMixin, VisibleUpdateMixin, DetailView):
    """An update beside the initiative's previous approved update, its text changes marked word by word."""

    template_name = "updates/update_compare.html"
    context_object_name = "update"

    def get_object(self, queryset=None):
        update = super().get_object(queryset)
        permissions.require(self.request.user, permissions.VIEW_WORKFLOW, update)
        return update

    def get_context_data(self, **kwargs):
        update = self.object
        earlier = approved_before(update.project_id, update.period_end).exclude(pk=update.pk)
        previous = update_detail_queryset().filter(pk__in=earlier.values("pk")[:1]).first()
        narrative = [
            (label, word_diff(getattr(previous, name, "") if previous else "", getattr(update, name)))
            for name, label in (
                ("achievements", _("Achievements")),
                ("challenges", _("Challenges")),
                ("next_steps", _("Next steps")),
            )
        ]
        return super().get_context_data(previous=previous, narrative=narrative, **kwargs)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``after`` against ``before`` word by word: (``"same"``, ``"removed"`` or ``"added"``, text) pieces."""
    old, new = before.split(), after.split()
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", " ".join(new[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", " ".join(new[j1:j2])))
    return pieces


class EvidenceDownloadView(VisibleUpdateMixin, View):
    """Evidence files: only to those who may see the update, as a download, never sniffed."""

    def get(self, request, pk, evidence_pk):
        update = get_object_or_404(self.get_queryset(), pk=pk)
        evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=evidence_pk, update=update)
        try:
            handle = evidence.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        filename = evidence.file.name.rsplit("/", 1)[-1]
        content_type = evidence.content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        # A file shown only to those who may see its update (a draft's, to its organisation): no cache keeps it,
        # shared or the browser's own, whoever asks (an approved update's file, too, may be withdrawn with it).
        response["Cache-Control"] = "private, no-store"
        return response
