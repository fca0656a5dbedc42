"""Every admin list exports to CSV and XLSX: two actions of the whole admin site (``PortalAdminSite``).

An export holds what the list shows: its columns (``list_display``) and the rows chosen (every row of a filtered
list with "Select all"), as the list reads them, through the list's own queryset (so what a list hides, such as
other organisations' drafts, stays hidden). Files are written by django-import-export's formats; every text cell
goes through ``core.csvutil.csv_safe`` first, in XLSX too (a spreadsheet runs a text starting with "=" as a formula).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import tablib
from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import CSV, XLSX

from core.csvutil import csv_safe


def cell(value):
    """One value of a list as a spreadsheet cell: numbers as numbers, dates in the site's format, yes or no, and
    text (a link's text for the links a list shows) kept from running as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value)
    text = strip_tags(value) if isinstance(value, SafeData) else str(value)
    return csv_safe(text)


def listed_rows(modeladmin, request, queryset) -> tablib.Dataset:
    """The list's columns and the rows of ``queryset``, as the list shows them."""
    columns = [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]
    headers = [capfirst(str(label_for_field(name, modeladmin.model, modeladmin))) for name in columns]
    dataset = tablib.Dataset(headers=headers)
    for obj in queryset:
        row = []
        for name in columns:
            field, _attr, value = lookup_field(name, obj, modeladmin)
            if field is not None and getattr(field, "flatchoices", None):
                value = dict(field.flatchoices).get(value, value)
            row.append(cell(value))
        dataset.append(row)
    return dataset


def _export(modeladmin, request, queryset, file_format) -> HttpResponse:
    data = file_format.export_data(listed_rows(modeladmin, request, queryset))
    name = f"{slugify(str(modeladmin.model._meta.verbose_name_plural))}-{datetime.date.today().isoformat()}"
    response = HttpResponse(data, content_type=file_format.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format.get_extension()}"'
    return response


@admin.action(description=gettext_lazy("Export the selected rows as CSV"))
def export_csv(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, CSV(encoding="utf-8"))


@admin.action(description=gettext_lazy("Export the selected rows as XLSX (Excel)"))
def export_xlsx(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, XLSX())
