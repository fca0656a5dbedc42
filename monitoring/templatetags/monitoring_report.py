"""Template helpers for the stocktaking report: its charts as SVG, and their data tables."""

from django import template

from monitoring.report.charts import render_svg, table_rows

register = template.Library()
register.simple_tag(render_svg, name="chart_svg")
register.filter("chart_table", table_rows)
