"""Template tags: ``{% load fragments %}``.

``{% per_language %}…{% endper_language %}`` renders its content once per language in each process and
serves that markup afterwards. The site's chrome (the head's links, the header's navigation, the footer)
is the same on every page in a language, yet its two dozen ``{% translate %}`` and ``{% url %}`` tags cost
about 0.6 ms on every page rendered. Put inside such a block only what is fixed while the release runs
(translations, URLs, static files), never the request, the visitor or the data: the first page's markup
would be shown on every other. URLs are those of the first request's script prefix: a process serves the
site under one prefix.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


class PerLanguageNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist
        self.rendered: dict[str | None, str] = {}

    def render(self, context) -> str:
        language = get_language()
        markup = self.rendered.get(language)
        if markup is None:
            markup = self.rendered[language] = self.nodelist.render(context)
        return markup


@register.tag
def per_language(parser, token) -> PerLanguageNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("'per_language' takes no arguments")
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)
