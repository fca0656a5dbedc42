"""Serializers of the monitoring API: meetings, reporting cycles, published stocktaking reports, and progress
updates as the API shows them and takes them (checked as ``ProgressUpdateForm`` checks the web form, for the same
services)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from core.parsing import by_id_or_key
from core.serializers import WebUrlField
from projects.models import Indicator, Milestone, Project, ProjectStatus
from projects.serializers import DECIMAL_FIELD, InitiativeBriefSerializer
from stakeholders.models import Organisation
from stakeholders.serializers import OrganisationBriefSerializer

from . import permissions
from . import update_services as services
from .cycle_services import cycle_status_message
from .models import (
    CycleStatus,
    Document,
    IndicatorValue,
    Meeting,
    MilestoneOutcome,
    MilestoneReport,
    ProgressRating,
    ProgressUpdate,
    ReportingCycle,
    ReportStatus,
)
from .update_services import EvidenceLink, IndicatorValueData, MilestoneReportData, UpdateContent

#: A stored milestone report and indicator value, as they are sent (to keep those not sent again).
MILESTONE_REPORT_FIELDS = ["milestone", "outcome", "achieved_on", "new_date", "note"]
INDICATOR_VALUE_FIELDS = ["indicator", "value", "as_of"]


class MeetingDocumentSerializer(serializers.ModelSerializer):
    """A document of a meeting: its page in the repository and where to get it (the portal's download or a link)."""

    url = WebUrlField()
    download = serializers.SerializerMethodField(help_text="The file's download, or the link the Secretariat gave.")

    class Meta:
        model = Document
        fields = ["title", "kind", "date", "language", "url", "download"]

    def get_download(self, document: Document) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(document.download_url) if request is not None else document.download_url


class MeetingSerializer(serializers.ModelSerializer):
    # allow_null: both may be empty (null in the answer), and the OpenAPI schema says so.
    host_country = serializers.SlugRelatedField(
        slug_field="iso_code", read_only=True, allow_null=True, help_text="Its ISO code; null when not known."
    )
    cycle = serializers.SlugRelatedField(
        slug_field="number",
        read_only=True,
        allow_null=True,
        help_text="ISOM, SOM or other event: the number of its cycle; null when it has none (an ASEMME opens and "
        "closes cycles instead).",
    )
    url = WebUrlField()
    documents = MeetingDocumentSerializer(
        many=True, read_only=True, help_text="Its documents in the repository: agenda, papers, Chair's Conclusions."
    )

    class Meta:
        model = Meeting
        fields = [
            "id", "kind", "number", "title", "status", "year", "start_date", "end_date", "host_country", "city",
            "is_online", "cycle", "url", "documents",
        ]  # fmt: skip


class MeetingSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "kind", "number", "year", "status"]


class ReportingCycleSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=CycleStatus.choices,
        read_only=True,
        help_text="Today's state, from the dates: planned before the submission window opens, open during it, "
        "closed after it (late submissions may still be accepted until late_submissions_until), published once "
        "its report is (published_on).",
    )
    status_message = serializers.SerializerMethodField(help_text="The state in words, as the site says it.")
    opening_meeting = MeetingSummarySerializer(read_only=True)
    closing_meeting = MeetingSummarySerializer(read_only=True)
    report_published = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField(help_text="The published stocktaking report's data, when published.")

    class Meta:
        model = ReportingCycle
        fields = [
            "id", "number", "label", "status", "status_message", "period_start", "period_end", "submission_opens",
            "submission_closes", "late_submissions_until", "published_on", "opening_meeting", "closing_meeting",
            "report_published", "report",
        ]  # fmt: skip

    def get_status_message(self, cycle: ReportingCycle) -> str:
        return cycle_status_message(cycle)

    def get_report_published(self, cycle: ReportingCycle) -> bool:
        report = getattr(cycle, "stocktaking_report", None)
        return report is not None and report.status == ReportStatus.PUBLISHED

    def get_report(self, cycle: ReportingCycle) -> str | None:
        if not self.get_report_published(cycle):
            return None
        request = self.context.get("request")
        url = f"/api/v1/cycles/{cycle.number}/report/"
        return request.build_absolute_uri(url) if request else url


class MilestoneReportSerializer(serializers.ModelSerializer):
    milestone_title = serializers.CharField(source="milestone.title", read_only=True)

    class Meta:
        model = MilestoneReport
        fields = ["milestone", "milestone_title", "outcome", "achieved_on", "new_date", "note"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "indicator_name", "unit", "value", "as_of"]


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField(allow_null=True, help_text="A link given as evidence.")
    file = serializers.SerializerMethodField(help_text="Where to download a file given as evidence.")
    size = serializers.IntegerField(allow_null=True, help_text="The file's size in bytes.")

    def to_representation(self, evidence):
        data = super().to_representation(evidence)
        data["url"] = evidence.url or None
        return data

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, evidence) -> str | None:
        if not evidence.file:
            return None
        url = reverse("updates:evidence-download", args=[evidence.update_id, evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


#: What a user may do with an update (``allowed``): each permission, under its own name.
ALLOWED = (permissions.EDIT, permissions.SUBMIT, permissions.APPROVE, permissions.RETURN, permissions.WITHDRAW_APPROVAL)
AllowedSerializer = inline_serializer(name="Allowed", fields={key: serializers.BooleanField() for key in ALLOWED})


class ProgressUpdateSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:update-detail", lookup_field="pk")
    initiative = InitiativeBriefSerializer(source="project", read_only=True)
    organisation = OrganisationBriefSerializer(read_only=True)
    author = serializers.SerializerMethodField(
        help_text="Who created it. Shown to the reporting organisation's members and the Secretariat only."
    )
    writers = serializers.SerializerMethodField(
        help_text="Everyone who wrote it: who created, edited or submitted it, by name (none of them may approve "
        "it). Shown to the reporting organisation's members and the Secretariat only."
    )
    milestone_reports = MilestoneReportSerializer(many=True, read_only=True)
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    allowed = serializers.SerializerMethodField(help_text="What you may do with this update now.")
    web_url = WebUrlField()

    class Meta:
        model = ProgressUpdate
        fields = (
            "id url initiative organisation author writers status version period_start period_end achievements "
            "challenges next_steps initiative_status nothing_to_report nothing_to_report_reason self_assessment "
            "secretariat_rating secretariat_comment milestone_reports indicator_values evidence return_reason "
            "submitted_at reviewed_at created_at updated_at allowed web_url"
        ).split()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_author(self, update: ProgressUpdate) -> str | None:
        if not permissions.can(self.context["request"].user, permissions.VIEW_WORKFLOW, update):
            return None
        return update.author.get_full_name() or update.author.get_username()

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "nullable": True})
    def get_writers(self, update: ProgressUpdate) -> list[str] | None:
        if not permissions.can(self.context["request"].user, permissions.VIEW_WORKFLOW, update):
            return None
        return [person["name"] for person in permissions.writers(update)]

    @extend_schema_field(AllowedSerializer)
    def get_allowed(self, update: ProgressUpdate) -> dict[str, bool]:
        user = self.context["request"].user
        return {permission: permissions.can(user, permission, update) for permission in ALLOWED}


class MilestoneReportInputSerializer(serializers.Serializer):
    milestone = serializers.IntegerField(min_value=1, help_text="The id of one of the initiative's milestones.")
    outcome = serializers.ChoiceField(choices=MilestoneOutcome.choices)
    achieved_on = serializers.DateField(required=False, allow_null=True, help_text="Required when achieved.")
    new_date = serializers.DateField(required=False, allow_null=True, help_text="Required when delayed.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class IndicatorValueInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1, help_text="The id of one of the initiative's indicators.")
    # Not negative: validate_content says so, in the same words as the web form.
    value = serializers.DecimalField(**DECIMAL_FIELD, help_text="Not negative.")
    as_of = serializers.DateField(
        allow_null=True, default=None, help_text="The date the value was measured on (required: a null is refused)."
    )


class EvidenceLinkInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    url = serializers.URLField(max_length=500, help_text="An http:// or https:// address.")

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError(_("Give a web address (http:// or https://)."))
        return value


#: What an edit or a transition sent without ``version`` is told (a 400).
NO_VERSION = gettext_lazy("Send the version you read: it guards against overwriting someone else's work.")


def _narrative(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=settings.NARRATIVE_MAX_CHARS, help_text=help_text
    )


class ProgressUpdateWriteSerializer(serializers.Serializer):
    """A draft's content. On create, ``initiative`` is required; on edit, ``version`` is.

    Lists (milestone reports, indicator values, links) replace the update's when given and are kept when
    left out. Evidence files are uploaded through the web form.
    """

    initiative = serializers.CharField(
        required=False, max_length=120, help_text="Slug or id of the initiative (on create; required there)."
    )
    organisation = serializers.SlugField(
        required=False,
        max_length=100,
        help_text="Slug of the organisation reporting: one of yours that takes part in the initiative "
        "(on create; may be left out when you have only one).",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you read (on edit; required there)."
    )
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    achievements = _narrative("What was done in the period.")
    challenges = _narrative()
    next_steps = _narrative()
    nothing_to_report = serializers.BooleanField(
        required=False, help_text="Nothing to report this cycle (counts as reported); give the reason."
    )
    nothing_to_report_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=services.NOTHING_TO_REPORT_REASON_MAX_CHARS
    )
    self_assessment = serializers.ChoiceField(
        choices=ProgressRating.choices, required=False, allow_blank=True, help_text="Your rating of progress."
    )
    initiative_status = serializers.ChoiceField(
        choices=ProjectStatus.choices,
        required=False,
        allow_null=True,
        help_text="The initiative's status as of the end of the period: needed to submit; once the update is "
        "approved, the initiative shows it.",
    )
    milestone_reports = MilestoneReportInputSerializer(many=True, required=False, max_length=200)
    indicator_values = IndicatorValueInputSerializer(many=True, required=False, max_length=200)
    links = EvidenceLinkInputSerializer(many=True, required=False, max_length=20)

    def __init__(self, *args, project: Project | None = None, update: ProgressUpdate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.update = update

    def validate_initiative(self, value: str) -> Project:
        project = by_id_or_key(Project.objects.all(), value, "slug")
        if project is None:
            raise serializers.ValidationError(_("There is no initiative with this slug or id."))
        return project

    def validate(self, data):
        if self.update is None:
            for name in ("initiative", "period_start", "period_end"):
                if name not in data:
                    raise serializers.ValidationError({name: _("This field is required.")})
            self.project = data["initiative"]
        else:
            if "version" not in data:
                raise serializers.ValidationError({"version": str(NO_VERSION)})
            if "initiative" in data and data["initiative"].pk != self.update.project_id:
                raise serializers.ValidationError({"initiative": _("An update's initiative cannot change.")})
            if "organisation" in data and data["organisation"] != self.update.organisation.slug:
                raise serializers.ValidationError({"organisation": _("An update's organisation cannot change.")})
        # The update's content rules, checked where the services check them; their errors by this body's fields.
        self._content = self._content_of(data)
        try:
            services.validate_content(
                project=self.project, cycle=services.cycle_for(self.update), content=self._content
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_by_field(error)) from None
        return data

    def reporting_organisation(self, user) -> Organisation:
        """The organisation the new draft reports for: named, or the user's only one on the initiative."""
        mine = permissions.reporting_organisations(user, self.project)
        slug = self.validated_data.get("organisation")
        candidates = list(mine.filter(slug=slug) if slug else mine[:2])
        if len(candidates) != 1:
            if slug:
                message = _("Choose one of your organisations that takes part in the initiative.")
            else:
                message = _("Say which of your organisations reports (its slug).")
            raise serializers.ValidationError({"organisation": [message]})
        return candidates[0]

    def content(self) -> UpdateContent:
        """The whole content for the services: what was sent, and the update's current values for the rest."""
        return self._content

    def _content_of(self, data: dict) -> UpdateContent:
        update = self.update

        def current(name: str, stored=None):
            """What was sent for ``name``, else the update's value (``stored(update)`` for a list)."""
            if name in data:
                return data[name]
            if stored is None:
                return getattr(update, name, "")
            return stored(update) if update is not None else []

        milestones = {m.pk: m for m in self.project.milestones.all()}
        indicators = {i.pk: i for i in self.project.indicators.all()}

        def own(objects: dict, model, pk: int):
            """The initiative's object with id ``pk``; for any other id an unsaved stand-in, which belongs to no
            initiative (validate_content says so, by its field)."""
            return objects.get(pk) or model(pk=pk)

        reports = current(
            "milestone_reports",
            lambda u: [model_to_dict(r, fields=MILESTONE_REPORT_FIELDS) for r in u.milestone_reports.all()],
        )
        values = current(
            "indicator_values",
            lambda u: [model_to_dict(v, fields=INDICATOR_VALUE_FIELDS) for v in u.indicator_values.all()],
        )
        links = current("links", lambda u: [{"title": e.title, "url": e.url} for e in u.evidence.all() if e.url])
        return UpdateContent(
            period_start=current("period_start"),
            period_end=current("period_end"),
            achievements=current("achievements") or "",
            challenges=current("challenges") or "",
            next_steps=current("next_steps") or "",
            nothing_to_report=bool(current("nothing_to_report")),
            nothing_to_report_reason=current("nothing_to_report_reason") or "",
            self_assessment=current("self_assessment") or "",
            initiative_status=current("initiative_status") or None,
            milestone_reports=tuple(
                MilestoneReportData(
                    **{**item, "milestone": milestones.get(item["milestone"]) or Milestone(pk=item["milestone"])}
                )
                for item in reports
            ),
            indicator_values=tuple(
                IndicatorValueData(
                    **{**item, "indicator": indicators.get(item["indicator"]) or Indicator(pk=item["indicator"])}
                )
                for item in values
            ),
            links=tuple(EvidenceLink(title=item.get("title", ""), url=item["url"]) for item in links),
        )


def _by_field(error: DjangoValidationError) -> dict:
    """validate_content's errors (keyed ``milestone_reports.0.achieved_on``) as this API shows errors: by field,
    and inside a list by the item's index (``{"milestone_reports": {0: {"achieved_on": [...]}}}``)."""
    nested: dict = {}
    for path, errors in error.message_dict.items():
        *parents, field = [int(part) if part.isdigit() else part for part in path.split(".")]
        level = nested
        for parent in parents:
            level = level.setdefault(parent, {})
        level[field] = errors
    return nested


def _version(doing: str) -> serializers.IntegerField:
    help_text = f"The version you read (required): {doing} an update that changed since is refused (409)."
    return serializers.IntegerField(min_value=1, help_text=help_text, error_messages={"required": NO_VERSION})


class SubmitSerializer(serializers.Serializer):
    version = _version("submitting")


class ApproveSerializer(serializers.Serializer):
    version = _version("approving")
    rating = serializers.ChoiceField(
        choices=ProgressRating.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The Secretariat's own rating of progress, published with the update.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why: the author receives it by e-mail.")


class ReturnSerializer(ReasonSerializer):
    version = _version("returning")
