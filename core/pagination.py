"""A paginator that reads a list's first page and its total in one query.

A filtered list counts its matches, then reads its page: two queries over the same rows. On the first page,
where every new filter lands, ``CountedPagePaginator`` reads the rows with ``COUNT(*) OVER ()`` and takes the
total from them; other pages, and anything but a plain queryset, are counted first as by Django's paginator.
Use it where the matches are few (an organisation's initiatives): the window reads every match, where an
index would give a page without.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


class CountedPagePaginator(Paginator):
    def page(self, number):
        queryset = self.object_list
        first = str(number) == "1" and not self.orphans and "count" not in self.__dict__
        if not first or not isinstance(queryset, QuerySet) or queryset.query.distinct:
            return super().page(number)  # (a window counts the rows before DISTINCT)
        rows = list(queryset.annotate(counted_total=Window(Count("*")))[: self.per_page])
        self.count = rows[0].counted_total if rows else 0
        return Page(rows, self.validate_number(1), self)
