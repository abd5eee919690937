"""The quarterly review pages, under /quarters/ (namespace ``quarters``).

A quarter is written in the URL as its slug, "2021-Q1". A superuser picks the ward with
``?ward=<id>``; everyone else works on their own ward.
"""

from django.urls import path, register_converter

from meetings import review_report_views, review_unit_views, review_views
from wardwork.quarters import Quarter


class QuarterConverter:
    regex = r"[0-9]{4}-Q[1-4]"

    def to_python(self, value: str) -> Quarter:
        try:
            return Quarter.parse(value)
        except ValueError as exc:  # a year out of range
            raise ValueError(str(exc)) from exc

    def to_url(self, value) -> str:
        return value.slug if isinstance(value, Quarter) else str(value)


register_converter(QuarterConverter, "quarter")

app_name = "quarters"

urlpatterns = [
    path("", review_views.current, name="current"),
    path("<quarter:quarter>/", review_views.page, name="page"),
    path("<quarter:quarter>/start/", review_views.start, name="start"),
    path("<quarter:quarter>/meeting/", review_views.meeting_create, name="meeting_create"),
    path("<quarter:quarter>/text/", review_report_views.text_edit, name="text_edit"),
    path("<quarter:quarter>/report.docx", review_report_views.report_docx, name="report_docx"),
    path("<quarter:quarter>/annex.xlsx", review_report_views.annex_xlsx, name="annex_xlsx"),
    path("<quarter:quarter>/finalize/", review_report_views.finalize, name="finalize"),
    path("<quarter:quarter>/reopen/", review_report_views.reopen, name="reopen"),
    path("<quarter:quarter>/remind/", review_views.remind, name="remind"),
    path("my-unit/", review_unit_views.my_unit, name="my_unit"),
    path("my-unit/<quarter:quarter>/", review_unit_views.my_unit, name="my_unit_quarter"),
    path("city/", review_unit_views.city, name="city"),
    path("city/<quarter:quarter>/", review_unit_views.city, name="city_quarter"),
]
