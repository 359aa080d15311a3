"""The admin toolkit every app's admin builds on: the admin is one more caller of the services.

- `ServiceAdmin`: add and change forms that write through a service, showing its refusal on the field.
- `EndWithReasonAdmin`: rows that end with a reason and are never deleted (roster stays, role terms).
- `ReadOnlyMixin`: records that change only through the services, or never.
- `acting_member`, `null_filter`, `adopt`: the actor of a change, an "is it ended?" filter, and the
  saved row taking the admin's object's place.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured

from .errors import DomainError
from .models import Member
from .services.events import site_admin_acting


def acting_member(request, organisation_id) -> Member | None:
    """The admin user's membership of the organisation, recorded as the actor of the change (None when
    a site admin acts in an organisation they are not a member of)."""
    return (
        Member.objects.filter(organisation_id=organisation_id, user=request.user, status=Member.Status.ACTIVE)
        .select_related("user")
        .first()
    )


def adopt(obj, saved):
    """Make the admin's object the row a service saved, so the admin's log and redirect use it."""
    obj.__dict__.update(saved.__dict__)
    return obj


def null_filter(field: str, title: str, set_label: str, unset_label: str) -> type[admin.SimpleListFilter]:
    """A list filter on whether a date that ends something (left_at, archived_at…) is set."""

    class NullFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [("unset", unset_label), ("set", set_label)]

        def queryset(self, request, queryset):
            if self.value() in ("set", "unset"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "unset"})
            return queryset

    NullFilter.title = title
    return NullFilter


class ReadOnlyMixin:
    """For records that change only through the services (or never): the admin shows them, nothing more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose add and change forms write through a service.

    Subclasses implement `service_save(request, form, change)`, which calls the service and returns
    the saved object. When the service refuses (a DomainError), nothing is saved and the form is shown
    again with the service's message, on the field it names."""

    save_as = False

    def service_save(self, request, form, change):
        # Every subclass names its service; an admin that forgot would otherwise save behind its back.
        raise ImproperlyConfigured(f"{type(self).__name__} must say which service saves it (service_save).")

    def save_model(self, request, obj, form, change):
        adopt(obj, self.service_save(request, form, change))

    def save_related(self, request, form, formsets, change):
        """Inlines here are read-only and the models have no many-to-many fields: nothing to save. The
        admin's change message still reads what each formset saved, so say it saved nothing."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A site admin who is not a member of the organisation is named in the events the save records.
        with site_admin_acting(request.user):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except DomainError as error:
                # The transaction around the view has rolled back; show the same form with the reason.
                request._service_error = error
                return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                self.add_error(error.field if error.field in self.fields else None, error.message)
                return cleaned

        return RefusedForm

    def changed(self, form, fields) -> dict:
        return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}

    def run_action(self, request, queryset, call, *, done: str) -> None:
        """Apply a service to each selected object; report what worked and, one by one, what was refused."""
        succeeded = 0
        for obj in queryset:
            try:
                with site_admin_acting(request.user):
                    call(obj)
            except DomainError as error:
                self.message_user(request, f"{obj}: {error.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)


class EndWithReasonAdmin(ServiceAdmin):
    """Rows that end with a reason and are never deleted (a stay on a roster, a term in a role).

    The add form creates the row through `add_row`; an open row's change form offers only
    `reason_field`, and saving it with a reason ends the row through `end_row`; an ended row is
    history and read-only. Subclasses name `add_fields`, `row_fields` (what an existing row shows),
    `reason_field` with its `reason_label` and `reason_help`, `row_related` (for reloading the row),
    and implement `add_row(request, data)` and `end_row(request, row, reason)`."""

    add_fields: tuple = ()
    row_fields: tuple = ()
    reason_field = ""
    reason_label = ""
    reason_help = ""
    row_related: tuple = ()

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.row_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else tuple(f for f in self.row_fields if f != self.reason_field)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs.setdefault("labels", {self.reason_field: self.reason_label})
            kwargs.setdefault("help_texts", {self.reason_field: self.reason_help})
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_current)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, change):
        if not change:
            return self.add_row(request, form.cleaned_data)
        row = self.model._default_manager.select_related(*self.row_related).get(pk=form.instance.pk)
        reason = form.cleaned_data.get(self.reason_field)
        return self.end_row(request, row, reason) if reason else row

    def add_row(self, request, data):
        raise ImproperlyConfigured(f"{type(self).__name__} must say which service adds a row (add_row).")

    def end_row(self, request, row, reason):
        raise ImproperlyConfigured(f"{type(self).__name__} must say which service ends a row (end_row).")
