"""FastSelect renders the same markup as Django's Select, without a template per option."""

from django import forms
from django.test.html import parse_html

from asem_portal.widgets import FastSelect

CHOICES = [("", "Any"), ("a&b", "A & B <i>"), ("2", "Two"), ("3", "Three")]


def test_same_markup_as_djangos_select():
    for value in ("", "2", "a&b", "missing", None):
        attrs = {"id": "id_x", "aria-describedby": "x_help", "aria-invalid": "true"}
        ours = FastSelect(choices=CHOICES).render("x", value, attrs)
        django = forms.Select(choices=CHOICES).render("x", value, attrs)
        assert parse_html(ours) == parse_html(django), value
    assert "A &amp; B &lt;i&gt;" in FastSelect(choices=CHOICES).render("x", "")
