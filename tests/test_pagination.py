"""The counting paginator: the same pages and totals as Django's, in two queries per page (keys and count, then rows)."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from asem_portal.pagination import WindowCountPaginator
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_same_pages_as_djangos_paginator_in_two_queries(django_assert_num_queries):
    for _ in range(7):
        ProjectFactory()
    queryset = Project.objects.order_by("slug")
    for number in (1, 2, 3):
        ours = WindowCountPaginator(queryset, 3)
        with django_assert_num_queries(2):
            page = ours.page(number)
        theirs = Paginator(queryset, 3).page(number)
        assert [p.pk for p in page] == [p.pk for p in theirs]
        assert (ours.count, ours.num_pages, page.has_next()) == (7, 3, theirs.has_next())
    for bad, error in (("x", PageNotAnInteger), (0, EmptyPage), (4, EmptyPage), (10**20, EmptyPage)):
        with pytest.raises(error):
            WindowCountPaginator(queryset, 3).page(bad)
    empty = WindowCountPaginator(Project.objects.none(), 3).page(1)
    assert list(empty) == [] and empty.paginator.count == 0
