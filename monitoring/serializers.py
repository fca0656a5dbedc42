"""Serializers of the monitoring API: meetings, reporting cycles and published stocktaking reports."""

from __future__ import annotations

from rest_framework import serializers

from .models import Meeting, ReportingCycle, ReportStatus


class MeetingSerializer(serializers.ModelSerializer):
    host_country = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id", "kind", "number", "status", "year", "start_date", "end_date", "host_country", "city",
            "is_online", "conclusions_url",
        ]  # fmt: skip


class MeetingSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "kind", "number", "year", "status"]


class ReportingCycleSerializer(serializers.ModelSerializer):
    opening_meeting = MeetingSummarySerializer(read_only=True)
    closing_meeting = MeetingSummarySerializer(read_only=True)
    report_published = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField(help_text="The published stocktaking report's data, when published.")

    class Meta:
        model = ReportingCycle
        fields = [
            "id", "number", "label", "status", "period_start", "period_end", "submission_opens",
            "submission_closes", "opening_meeting", "closing_meeting", "report_published", "report",
        ]  # fmt: skip

    def get_report_published(self, cycle: ReportingCycle) -> bool:
        report = getattr(cycle, "stocktaking_report", None)
        return report is not None and report.status == ReportStatus.PUBLISHED

    def get_report(self, cycle: ReportingCycle) -> str | None:
        if not self.get_report_published(cycle):
            return None
        request = self.context.get("request")
        url = f"/api/v1/cycles/{cycle.number}/report/"
        return request.build_absolute_uri(url) if request else url
