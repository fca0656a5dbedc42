"""``{% cycle_status cycle %}``: a reporting cycle's state in words, today (``cycle_services``)."""

from django import template

from monitoring.cycle_services import cycle_status_message

register = template.Library()


@register.simple_tag
def cycle_status(cycle) -> str:
    return cycle_status_message(cycle)
