"""Admin building blocks shared by every app: ward scoping, superuser-only deletion and
accent-insensitive search.

A staff account that is not a superuser only ever sees and picks rows of its own ward in
the admin, exactly as in the pages; a superuser sees every ward.

Records are archived, not deleted: only a superuser deletes in the admin (one object, the
"delete selected" action or an inline row's "delete" box), whatever permissions a ward
administrator's group holds. The deletion is audited twice: django-simple-history keeps a
"-" record with the superuser as ``history_user`` (``HistoryRequestMiddleware``) and the
admin writes its ``LogEntry``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404

from wardwork.text import fold


def _ward_id(request):
    user = request.user
    return None if user.is_superuser else user.ward_id


def _scoped_related_queryset(related, ward_id):
    if related._meta.label == "wardwork.Ward":
        return related._default_manager.filter(pk=ward_id)
    if any(f.name == "ward" for f in related._meta.get_fields()):
        # Bodies above the ward (Quận ủy) are the ward's own rows too (its copy of them).
        return related._default_manager.filter(ward_id=ward_id)
    return None


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A sidebar filter on a foreign key that offers only the user's ward's rows."""

    def field_choices(self, field, request, model_admin):
        ward_id = _ward_id(request)
        qs = _scoped_related_queryset(field.related_model, ward_id) if ward_id else None
        if qs is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in qs]


class SuperuserDeletionMixin:
    """Only a superuser deletes, in a model admin or an inline (its "delete" box).

    Stricter rules of an admin (a finalised quarter, a read-only log) are written in its own
    ``has_delete_permission`` and call ``super()``, so they are added to this one. Without
    the delete permission Django also drops the "delete selected" action and answers 403 on
    the delete page.
    """

    def has_delete_permission(self, request, obj=None):
        if not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class WardScopedAdminMixin(SuperuserDeletionMixin):
    """Limit changelists, change pages and foreign-key choices to the user's ward; only a
    superuser deletes (``SuperuserDeletionMixin``).

    ``ward_field`` is the lookup from the model to its ward ("ward", "task__ward", ...).
    """

    ward_field = "ward"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ward_id = _ward_id(request)
        if ward_id is None and request.user.is_superuser:
            return qs
        return qs.filter(**{self.ward_field: ward_id}) if ward_id else qs.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limit_choices(self, db_field, request, kwargs):
        ward_id = _ward_id(request)
        if ward_id is None:
            return
        qs = _scoped_related_queryset(db_field.related_model, ward_id)
        if qs is not None:
            kwargs["queryset"] = qs

    def get_list_filter(self, request):
        """Foreign-key filters in the sidebar list only the user's ward's rows."""
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation and field.many_to_one:
                    entry = (entry, ScopedRelatedFieldListFilter)
            scoped.append(entry)
        return scoped

    def _require_in_scope(self, request, object_id):
        # simple_history falls back to historical rows when the object is not in the
        # queryset; that would show another ward's history, so check first.
        if (
            not request.user.is_superuser
            and not self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, unquote(object_id))
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

    def save_model(self, request, obj, form, change):
        ward_id = _ward_id(request)
        if ward_id is not None and self.ward_field == "ward" and not getattr(obj, "ward_id", None):
            obj.ward_id = ward_id
        super().save_model(request, obj, form, change)


class FoldedSearchAdminMixin:
    """Admin search through the folded ``search_key``: "phuc dong" finds "Phúc Đồng"."""

    search_fields = ["search_key"]  # makes the admin show its search box

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        for word in fold(search_term).split():
            queryset = queryset.filter(search_key__contains=word)
        return queryset, False


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False


admin.site.empty_value_display = "–"
