"""Home page and ward directory: content, ward isolation, query counts."""

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

QUERIES_LIST_PAGE = 7
QUERIES_DETAIL_PAGE = 7


OVERVIEW = "/?overview=1"  # the home page without the redirect to the working page


def test_home_names_the_ward_and_the_role(client, home):
    client.force_login(home.secretary)
    page = client.get(OVERVIEW).content.decode()
    assert "Phường Phúc Đồng" in page
    assert "Cán bộ Đảng ủy phường" in page  # the ward staff badge
    assert "Bí thư – " in page  # the position label


def test_home_lists_the_units_a_cell_secretary_manages(client, home):
    client.force_login(home.cell_secretary)
    page = client.get(OVERVIEW).content.decode()
    assert home.cell.name in page
    assert home.other_cell.name not in page


def test_home_dates_use_day_month_year(client, home):
    client.force_login(home.secretary)
    page = client.get(
        reverse("directory:organization_detail", args=[home.committee.pk])
    ).content.decode()
    assert "01/07/2020" in page  # the position's start date


def test_organization_list_shows_only_own_ward(client, home, away):
    client.force_login(away.secretary)
    page = client.get(reverse("directory:organization_list")).content.decode()
    assert away.cell.name in page
    assert home.cell.name not in page
    assert "Phúc Đồng" not in page


def test_people_list_shows_only_own_ward_and_searches_without_accents(client, home, away):
    PersonFactory(ward=home.ward, full_name="Nguyễn Hữu Khanh")
    PersonFactory(ward=away.ward, full_name="Nguyễn Hữu Khánh")
    client.force_login(home.secretary)
    response = client.get(reverse("directory:person_list"), {"q": "huu khanh"})
    names = [p.full_name for p in response.context["page_obj"]]
    assert names == ["Nguyễn Hữu Khanh"]


def test_people_are_listed_in_vietnamese_order(client, home):
    client.force_login(home.secretary)
    names = [p.full_name for p in client.get(reverse("directory:person_list")).context["page_obj"]]
    assert names == [
        "Lê Thị Hà",
        "Trần Văn Hùng",
        "Phạm Thị Lan",
        "Vũ Văn Long",
        "Nguyễn Thị Ngọc",
        "Đỗ Thị Phương",
        "Hoàng Thị Trang",
    ]


@pytest.mark.parametrize("route", ["directory:organization_detail", "directory:person_detail"])
def test_another_wards_object_is_404(client, home, away, route):
    target = home.cell if "organization" in route else home.secretary.person
    client.force_login(away.secretary)
    assert client.get(reverse(route, args=[target.pk])).status_code == 404
    client.force_login(home.plain)
    assert client.get(reverse(route, args=[target.pk])).status_code == 200


def test_404_page_is_vietnamese(client, home):
    client.force_login(home.secretary)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_superuser_sees_every_ward(client, home, away, superuser):
    client.force_login(superuser)
    page = client.get(reverse("directory:organization_list"), {"q": "chi bo so 1"}).content.decode()
    assert home.cell.name in page
    assert away.cell.name in page


def test_organization_detail_lists_current_positions(client, home):
    client.force_login(home.plain)
    page = client.get(
        reverse("directory:organization_detail", args=[home.cell.pk])
    ).content.decode()
    assert "Trần Văn Hùng" in page
    assert "Bí thư chi bộ" in page


def _grow(ward, n):
    for i in range(n):
        org = OrganizationFactory(
            ward=ward, name=f"Tổ dân phố thêm {ward.pk}-{i}", kind="residential_group"
        )
        person = PersonFactory(ward=ward, organization=org)
        PositionFactory(person=person, organization=org, role="head")


@pytest.mark.parametrize("route", ["directory:organization_list", "directory:person_list"])
def test_list_query_count_does_not_grow_with_rows(client, home, django_assert_num_queries, route):
    client.force_login(home.secretary)
    url = reverse(route)
    client.get(url)  # warm up
    # session, user with person and ward (one join), the user's positions (roles), COUNT for
    # the paginator, the page's rows with their related unit/ward in one join, and the
    # request's savepoint pair (ATOMIC_REQUESTS); the session was refreshed by the warm-up
    # (wardwork/middleware_sessions.py), so this request does not write it.
    with django_assert_num_queries(QUERIES_LIST_PAGE):
        client.get(url)
    _grow(home.ward, 30)
    with django_assert_num_queries(QUERIES_LIST_PAGE):
        client.get(url)


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("directory:organization_detail", QUERIES_DETAIL_PAGE + 2),
        ("directory:person_detail", QUERIES_DETAIL_PAGE + 1),
    ],
)
def test_detail_query_count_does_not_grow_with_positions(
    client, home, django_assert_num_queries, route, expected
):
    client.force_login(home.secretary)
    target = home.committee if "organization" in route else home.secretary.person
    url = reverse(route, args=[target.pk])
    client.get(url)
    # session, user, roles, the object, its current positions (+ its sub-units for an
    # organisation), its change history, and the request's savepoints.
    with django_assert_num_queries(expected):
        client.get(url)
    for i in range(10):
        PositionFactory(
            person=PersonFactory(ward=home.ward, full_name=f"Người Thứ {i}")
            if "organization" in route
            else home.secretary.person,
            organization=home.committee
            if "organization" in route
            else OrganizationFactory(ward=home.ward),
            role="committee_member",
        )
    with django_assert_num_queries(expected):
        client.get(url)


def test_error_pages_are_vietnamese(rf):
    from wardwork import views

    request = rf.get("/")
    for view, status, text in [
        (views.permission_denied, 403, "Không có quyền truy cập"),
        (views.server_error, 500, "Đã xảy ra lỗi"),
        (views.bad_request, 400, "Yêu cầu không hợp lệ"),
    ]:
        response = view(request) if view is views.server_error else view(request, None)
        assert response.status_code == status
        assert text in response.content.decode(), view.__name__
