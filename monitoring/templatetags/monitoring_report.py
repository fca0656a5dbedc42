"""Template helpers for the stocktaking report: its charts as SVG, and their data tables."""

from django import template

from monitoring.charts import render_svg, table_rows

register = template.Library()


@register.simple_tag
def chart_svg(chart):
    return render_svg(chart)


@register.filter
def chart_table(chart):
    return table_rows(chart)
