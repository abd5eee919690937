from django.urls import path

from models_registry import views

app_name = "models_registry"

urlpatterns = [
    path("", views.registry_list, name="list"),
    path("export.xlsx", views.registry_export, name="export"),
    path("exemplary/", views.exemplary, name="exemplary"),
    path("mine/", views.unit_list, name="unit_list"),
    path("review/", views.review_queue, name="review_queue"),
    path("new/", views.create, name="create"),
    path("import/", views.import_registrations, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_for_changes, name="return"),
    path("<int:pk>/recognise/", views.recognize, name="recognize"),
    path("<int:pk>/not-achieved/", views.not_achieved, name="not_achieved"),
    path("<int:pk>/adjust/", views.adjust, name="adjust"),
    path("<int:pk>/update/", views.update, name="update"),
    path("updates/<int:pk>/evidence/", views.update_evidence, name="update_evidence"),
]
