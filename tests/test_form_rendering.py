"""The one layout of every form (core.forms, templates/forms/), the error summary's lines, and the site's one
format for dates and times."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.forms import FilterForm, PortalFormRenderer, error_links
from monitoring.profile_views import LinkFormSet, MilestoneFormSet
from monitoring.update_forms import DateInput
from tests.conftest import draft


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your passport.")
    nickname = forms.CharField(label="Nickname", required=False)
    agree = forms.BooleanField(label="I agree", required=False, help_text="You can change your mind.")


def render(bound_field) -> str:
    return bound_field.as_field_group()


def test_the_project_renderer_draws_every_form():
    form = SampleForm()
    assert isinstance(form.renderer, PortalFormRenderer)
    assert form.renderer.field_template_name == "forms/field.html"


def test_a_field_is_label_hint_error_then_field():
    form = SampleForm(data={"name": ""})
    html = render(form["name"])
    label, hint, error, field = (
        html.index('<label class="field-label" for="id_name">Name</label>'),
        html.index('<div class="helptext" id="id_name_helptext">As on your passport.</div>'),
        html.index('<div class="field-errors" id="id_name_error">'),
        html.index('<input type="text" name="name"'),
    )
    assert label < hint < error < field
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert "(optional)" not in html  # required: said by nothing


def test_an_optional_field_says_so_and_a_filter_form_does_not():
    assert '<span class="field-optional"> (optional)</span>' in render(SampleForm()["nickname"])

    class Filters(FilterForm):
        q = forms.CharField(label="Search", required=False)

    assert "(optional)" not in render(Filters()["q"])


def test_a_checkbox_sits_left_of_its_label_with_its_hint_below():
    html = render(SampleForm()["agree"])
    box, label, hint = (
        html.index('<input type="checkbox" name="agree"'),
        html.index('<label class="field-label" for="id_agree">I agree</label>'),
        html.index('id="id_agree_helptext"'),
    )
    assert box < label < hint and "(optional)" not in html


def test_the_form_template_puts_the_error_summary_first():
    form = SampleForm(data={"name": ""})
    html = str(form)
    assert html.index("There is a problem") < html.index('for="id_name"')
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "data-error-summary" in html
    assert "There is a problem" not in str(SampleForm())  # nothing before a submit


@pytest.mark.django_db
def test_summary_lines_of_formsets_name_the_row_and_link_its_field_or_fieldset(world):
    data = {
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "1",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-id": str(world.milestone.pk),
        "milestones-0-title": "",
        "milestones-1-title": "Closing conference",
        "milestones-1-planned_start": "2026-09-01",
        "milestones-1-planned_end": "2026-08-01",
    }
    formset = MilestoneFormSet(data, instance=world.project, prefix="milestones")
    links = error_links(formset, LinkFormSet(instance=world.project, prefix="links"))  # an unbound one: nothing
    by_href = {link.href: (link.label, link.message) for link in links}
    assert by_href["#id_milestones-0-title"] == ("Alumni meeting, Title", "This field is required.")
    # A row's own error (a database constraint across two fields) links to the row's fieldset.
    assert by_href["#milestones-1"][0] == "New milestone"


@pytest.mark.django_db
def test_a_form_error_without_a_field_links_to_the_first_field_or_the_anchor_given():
    class SignIn(forms.Form):
        username = forms.CharField()

        def clean(self):
            raise forms.ValidationError("Wrong.")

    form = SignIn(data={"username": "x"})
    assert [link.href for link in error_links(form)] == ["#id_username"]
    assert [link.href for link in error_links(form, anchor="narrative")] == ["#narrative"]


# --- Dates and times: one format ---------------------------------------------------------------------------------


def test_dates_read_as_7_december_2026_and_times_name_their_zone(settings):
    day = datetime.date(2026, 12, 7)
    moment = datetime.datetime(2026, 12, 7, 14, 5, tzinfo=datetime.UTC)
    assert date_format(day) == "7 December 2026"
    page = Template("{{ day|date }} · {{ day }} · {{ moment }} · {{ moment|date:'DATETIME_FORMAT' }}").render(
        Context({"day": day, "moment": moment})
    )
    assert page == "7 December 2026 · 7 December 2026 · 7 December 2026, 14:05 UTC · 7 December 2026, 14:05 UTC"
    with timezone.override("Asia/Seoul"):
        assert Template("{{ moment }}").render(Context({"moment": moment})) == "7 December 2026, 23:05 KST"
    # A native date picker still gets ISO dates.
    assert DateInput().format_value(day) == "2026-12-07"


@pytest.mark.django_db
def test_an_update_is_named_with_its_dates_in_words(world):
    update = draft(world)
    assert str(update) == "DUO Fellowship, 1 January 2026 – 30 June 2026"


@pytest.mark.django_db
def test_histories_in_the_admin_show_times_with_their_zone(secretariat_client, world):
    world.milestone.title = "Alumni meeting in Seoul"
    world.milestone.save()
    page = secretariat_client.get(reverse("admin:projects_milestone_history", args=[world.milestone.pk]))
    assert page.status_code == 200
    assert " UTC</td>" in page.content.decode()
