"""Login, logout, password change, and the safety of ``next``."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def login(client, username, password=PASSWORD, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def test_every_page_requires_login(client, home):
    for url in ["/", "/directory/organizations/", "/directory/people/", reverse("password_change")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in content
    assert "Đăng nhập" in content
    assert "Tên đăng nhập" in content


def test_login_and_land_on_home(client, home):
    response = login(client, home.secretary.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # The home page of ward staff is their ward's working quarter ...
    assert client.get("/")["Location"] == reverse("quarters:current")
    # ... and the overview of their roles stays one click away.
    page = client.get("/", {"overview": 1}).content.decode()
    assert "Phường Phúc Đồng" in page


def test_wrong_password_says_so_in_vietnamese(client, home):
    response = login(client, home.secretary.username, password="sai-mat-khau")
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()  # Django's vi message
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("next_url", ["/directory/people/", "/directory/organizations/?q=chi"])
def test_next_on_this_host_is_followed(client, home, next_url):
    response = login(client, home.secretary.username, next_url=next_url)
    assert response["Location"] == next_url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_to_another_host_is_ignored(client, home, next_url):
    response = login(client, home.secretary.username, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_is_a_post_and_ends_the_session(client, home):
    client.force_login(home.secretary)
    assert client.get(reverse("logout")).status_code == 405  # no logout by a link or an image
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_password_change(client, home):
    client.force_login(home.secretary)
    page = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Phuc-Dong-2021-an-toan",
            "new_password2": "Phuc-Dong-2021-an-toan",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    home.secretary.refresh_from_db()
    assert home.secretary.check_password("Phuc-Dong-2021-an-toan")


def test_password_change_rejects_weak_password_at_the_field(client, home):
    client.force_login(home.secretary)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    home.secretary.refresh_from_db()
    assert home.secretary.check_password(PASSWORD)


def test_language_switch_to_english_and_back(client, home):
    client.force_login(home.secretary)
    overview = "/?overview=1"
    response = client.post(reverse("set_language"), {"language": "en", "next": overview})
    assert response["Location"] == overview
    page = client.get(overview).content.decode()
    assert '<html lang="en">' in page
    assert "Your roles" in page
    client.post(reverse("set_language"), {"language": "vi", "next": overview})
    assert "Vai trò của bạn" in client.get(overview).content.decode()


def test_language_switch_works_before_login(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_vietnamese_even_for_an_english_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
