"""A paginator that reads a page and the total in one query.

Django's paginator counts first (one pass over the filtered set) and then reads
the page (a second pass). With ``COUNT(*) OVER ()`` the database counts while it
reads the page, so a filtered directory costs one pass. Only when a page is
empty (past the end) does it fall back to counting, to tell "no results" from
"no such page".
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Window


class WindowCountPaginator(Paginator):
    def page(self, number):
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        if bottom > 10**9:  # beyond any real result set (and any database's offset): count, then 404
            number = self.validate_number(number)
        rows = list(self.object_list.annotate(_window_total=Window(Count("pk")))[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0]._window_total
        elif number > 1:
            # Past the end: count to raise the same EmptyPage as Django's paginator.
            number = self.validate_number(number)
        else:
            self.__dict__["count"] = 0
        return self._get_page(rows, number, self)

    def validate_number_format(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            from django.core.paginator import PageNotAnInteger

            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number
