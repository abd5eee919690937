from django.urls import path

from meetings import record_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("<int:pk>/conclude/", views.meeting_conclude, name="meeting_conclude"),
    path("<int:pk>/reopen/", views.meeting_reopen, name="meeting_reopen"),
    path("<int:pk>/invite/", record_views.meeting_invite, name="meeting_invite"),
    path("attendance/<int:pk>/", record_views.attendance_mark, name="attendance_mark"),
    path("<int:pk>/contributions/", record_views.contribution_add, name="contribution_add"),
    path(
        "contributions/<int:pk>/delete/",
        record_views.contribution_delete,
        name="contribution_delete",
    ),
    path(
        "contributions/<int:pk>/restore/",
        record_views.contribution_restore,
        name="contribution_restore",
    ),
    path("<int:pk>/conclusions/", record_views.conclusion_create, name="conclusion_create"),
    path("conclusions/<int:pk>/edit/", record_views.conclusion_update, name="conclusion_update"),
    path("conclusions/<int:pk>/delete/", record_views.conclusion_delete, name="conclusion_delete"),
    path(
        "conclusions/<int:pk>/restore/",
        record_views.conclusion_restore,
        name="conclusion_restore",
    ),
    path("<int:pk>/minutes/", views.minutes_print, name="minutes_print"),
    path("<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path(
        "<int:pk>/conclusion-notice.docx",
        views.conclusion_notice_docx,
        name="conclusion_notice_docx",
    ),
]
