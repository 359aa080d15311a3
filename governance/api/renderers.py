"""The browsable API (the HTML pages DRF shows a person who opens /api/v1/ in a browser)."""

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's own, whose template (rest_framework/base.html) positions a few buttons with style
    attributes. The Content-Security-Policy allows style attributes on these pages only, and nothing
    else inline: no <style> element, no script. Copying DRF's template to remove them would leave us a
    fork of it to keep up with at every DRF release.

    Where Pygments is installed DRF also puts its colours for code in descriptions in a <style>
    element; those go (code is then shown uncoloured)."""

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        return context

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src-attr": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
