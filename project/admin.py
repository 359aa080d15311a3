"""The admin, where it needs more than one app: an organisation added here is founded whole."""

from django.contrib import admin

from governance.admin import OrganisationAdmin
from governance.models import Organisation

from .workflows import organisation_found


class FoundingOrganisationAdmin(OrganisationAdmin):
    def organisation_add(self, **data) -> Organisation:
        return organisation_found(**data)


admin.site.unregister(Organisation)
admin.site.register(Organisation, FoundingOrganisationAdmin)
