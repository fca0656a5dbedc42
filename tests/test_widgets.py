"""FastSelect renders the same markup as Django's Select, without a template per option."""

from django import forms
from django.test.html import parse_html

from asem_portal.widgets import FastSelect

CHOICES = [("", "Any"), ("a&b", "A & B <i>"), ("2", "Two"), ("3", "Three"), ("2", "Two again")]


def test_same_markup_as_djangos_select():
    for value in ("", "2", "a&b", "missing", None, 3, ["3", "2"], []):
        attrs = {"id": "id_x", "aria-describedby": "x_help", "aria-invalid": "true"}
        ours = FastSelect(choices=CHOICES).render("x", value, attrs)
        django = forms.Select(choices=CHOICES).render("x", value, attrs)
        assert parse_html(ours) == parse_html(django), value
    assert "A &amp; B &lt;i&gt;" in FastSelect(choices=CHOICES).render("x", "")


def test_model_options_are_read_once_per_content_version(client, db, django_assert_max_num_queries):
    from django.urls import reverse

    from stakeholders.models import Organisation
    from tests.factories import build_plan

    build_plan(5)
    url = reverse("projects:project-list")
    first = client.get(url, {"q": "first"}).content.decode()  # fills the options' cache
    # The same version: the option lists come from the cache (no organisation query).
    with django_assert_max_num_queries(5):
        client.get(url, {"q": "second"})
    organisation = Organisation.objects.filter(participations__role="lead").first()
    organisation.name = "Renamed Organisation"
    organisation.save()  # raises the version (at once in tests)
    assert "Renamed Organisation" in client.get(url, {"q": "third"}).content.decode()
    assert "Renamed Organisation" not in first


def test_search_input_same_markup_as_djangos():
    from asem_portal.widgets import FastSearchInput

    for value in ("", None, 'a "quoted" <b> & c', "exchange"):
        attrs = {"id": "id_q", "maxlength": "200", "aria-describedby": "id_q_helptext", "required": True}
        ours = FastSearchInput().render("q", value, attrs)
        django = forms.SearchInput().render("q", value, attrs)
        assert ours == django, value


def test_field_groups_same_markup_as_djangos_field_groups():
    from asem_portal.widgets import FastSearchInput, FieldGroupsForm

    class Ours(FieldGroupsForm):
        q = forms.CharField(label="Search", help_text="Words to look for", max_length=5, widget=FastSearchInput)
        kind = forms.ChoiceField(label="Kind & sort", choices=CHOICES, widget=FastSelect)

    class Theirs(forms.Form):
        q = forms.CharField(label="Search", help_text="Words to look for", max_length=5, widget=forms.SearchInput)
        kind = forms.ChoiceField(label="Kind & sort", choices=CHOICES)

    for data in ({"q": "ok", "kind": "2"}, {"q": "too long", "kind": "nope"}, {}):
        ours, theirs = Ours(data), Theirs(data)
        assert ours.is_valid() == theirs.is_valid()
        expected = "".join(f'<div class="field">{field.as_field_group()}</div>' for field in theirs)
        assert parse_html(ours.field_groups()) == parse_html(expected), data


def test_cached_field_groups_mark_each_requests_choice_as_djangos_do(db):
    """A select with cached options renders its whole group once per content version and language; each
    form then marks its own choice (or shows its own error) in the same markup as Django's."""
    from asem_portal.cache import request_content_version
    from asem_portal.widgets import FieldGroupsForm

    class Ours(FieldGroupsForm):
        kind = forms.ChoiceField(
            label="Kind & sort", help_text="Pick one", required=False, choices=CHOICES,
            widget=FastSelect(cache_as="test:kind"),
        )  # fmt: skip

    class Theirs(forms.Form):
        kind = forms.ChoiceField(label="Kind & sort", help_text="Pick one", required=False, choices=CHOICES)

    token = request_content_version.set(424242)
    try:
        for data in ({"kind": "2"}, {"kind": "a&b"}, {}, {"kind": "3"}, {"kind": "nope"}, {"kind": "2"}):
            ours, theirs = Ours(data), Theirs(data)
            assert ours.is_valid() == theirs.is_valid()
            expected = "".join(f'<div class="field">{field.as_field_group()}</div>' for field in theirs)
            assert parse_html(ours.field_groups()) == parse_html(expected), data
    finally:
        request_content_version.reset(token)
