"""`{% shared_part organisation "name" value… %}…{% endshared_part %}`: a part of a page that every
member of the organisation is shown alike (a proposal's discussion, who responded), rendered once
and kept in the response cache under the organisation's version (governance.response_cache), so that
any write to the organisation's governance data makes the next page render it afresh.

Only what is the same for every viewer with the same key goes inside: no csrf token, no permission
test, no "you". The values after the name say what else the part depends on (the proposal's id, a
query parameter, the rights that decide which links show); the language and the time zone are always
part of the key. A part that shows a viewer's own values names them in its key, so that nobody else
ever reads it (the position form's fields: the viewer's position's id, which only they hold; never a
bound form). Without a shared cache the part is rendered on every request, as if the tag were not
there, and so it is when any value after `unless` is true (a form sent back with its errors, a viewer
who may edit what the part shows):

    {% shared_part organisation "comment-fields" unless comment_form.is_bound %}…{% endshared_part %}"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from governance import response_cache

register = template.Library()


class SharedPartNode(template.Node):
    def __init__(self, nodelist, organisation, name, values, unless=()):
        self.nodelist, self.organisation, self.name, self.values = nodelist, organisation, name, values
        self.unless = unless

    def render(self, context):
        if any(condition.resolve(context) for condition in self.unless):
            return self.nodelist.render(context)
        organisation = self.organisation.resolve(context)
        versions = _versions(context, organisation.pk)
        if versions is None:
            return self.nodelist.render(context)
        key = response_cache.key(
            f"part:{self.name.resolve(context)}",
            versions,
            [value.resolve(context) for value in self.values],
            get_language(),
            timezone.get_current_timezone_name(),
            getattr(organisation, "time_zone", ""),
        )
        html = response_cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            response_cache.put(key, str(html))
        return mark_safe(html)  # noqa: S308 -- our own template's output, escaped when it was rendered


def _versions(context, organisation_id: int):
    """The organisation's version, asked of the cache once per page however many parts it has."""
    holder = context.get("request")
    memo = (holder.__dict__ if holder is not None else context.render_context).setdefault("_shared_part_versions", {})
    if organisation_id not in memo:
        memo[organisation_id] = response_cache.versions([organisation_id])
    return memo[organisation_id]


@register.tag
def shared_part(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes an organisation and a name, then any values.")
    bits, unless = (bits[: bits.index("unless")], bits[bits.index("unless") + 1 :]) if "unless" in bits else (bits, [])
    nodelist = parser.parse(("endshared_part",))
    parser.delete_first_token()
    organisation, name, *values = (parser.compile_filter(bit) for bit in bits[1:])
    return SharedPartNode(nodelist, organisation, name, values, [parser.compile_filter(bit) for bit in unless])
