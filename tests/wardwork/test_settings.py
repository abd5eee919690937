"""Settings from the environment: production refuses to start without a secret, and the
documented production environment passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _run(env_overrides, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests allow async-unsafe ORM calls; a deployment never would.
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def no_dotenv(tmp_path):
    """Hide a developer's .env so the subprocess sees only the environment we give it."""
    dotenv = ROOT / ".env"
    hidden = tmp_path / "dotenv"
    if dotenv.exists():
        dotenv.rename(hidden)
    yield
    if hidden.exists():
        hidden.rename(dotenv)


def test_production_refuses_to_start_without_secret_key(no_dotenv):
    result = _run({"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_checklist_is_clean_with_production_settings(no_dotenv):
    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x7" * 30 + "-production-like-secret",
            "ALLOWED_HOSTS": "wardwork.example.gov.vn",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_safe_defaults():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.AUTH_USER_MODEL == "wardwork.User"


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# --- Settings read from the environment (the module run again under a given environment) ------

SETTINGS_FILE = ROOT / "wardwork" / "settings.py"
STORAGE_VARIABLES = (
    "STORAGE_BACKEND",
    "STORAGE_OPTIONS",
    "MEDIA_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION_NAME",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_LOCATION",
    "TRUSTED_PROXY_COUNT",
    "DEBUG",
)


def settings_under(monkeypatch, **env) -> dict:
    """The settings module's names as a fresh process with this environment would see them."""
    import runpy

    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_uploads_go_to_the_local_disk_unless_the_environment_says_otherwise(monkeypatch):
    production = settings_under(monkeypatch, DEBUG="false")
    assert production["STORAGES"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
    assert production["STORAGES"]["default"]["OPTIONS"] == {}  # MEDIA_ROOT, MEDIA_URL


def test_storage_backend_s3_puts_uploads_in_a_private_bucket(monkeypatch):
    production = settings_under(
        monkeypatch,
        DEBUG="false",
        STORAGE_BACKEND="s3",
        MEDIA_BUCKET="wardwork-media",
        S3_ENDPOINT_URL="https://s3.example.test",
        S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        S3_SECRET_ACCESS_KEY="secret-example",
    )
    default = production["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "wardwork-media"
    assert options["endpoint_url"] == "https://s3.example.test"
    assert options["access_key"] == "AKIAEXAMPLE" and options["secret_key"] == "secret-example"
    assert options["region_name"] is None  # unset: the library's default, not ""
    assert options["file_overwrite"] is False  # same name: a new key, never a replacement
    assert options["default_acl"] is None  # the bucket's (private) policy
    assert options["querystring_auth"] is True  # no public URL to a Party document
    # Static files stay with whitenoise, served by every app server from its own copy.
    plain = settings_under(monkeypatch, DEBUG="false")
    assert production["STORAGES"]["staticfiles"] == plain["STORAGES"]["staticfiles"]


def test_storage_backend_s3_without_a_bucket_refuses_to_start(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="MEDIA_BUCKET"):
        settings_under(monkeypatch, STORAGE_BACKEND="s3")


def test_any_storage_class_with_json_options(monkeypatch):
    configured = settings_under(
        monkeypatch,
        STORAGE_BACKEND="storages.backends.azure_storage.AzureStorage",
        STORAGE_OPTIONS='{"azure_container": "media", "expiration_secs": 300}',
    )
    assert configured["STORAGES"]["default"] == {
        "BACKEND": "storages.backends.azure_storage.AzureStorage",
        "OPTIONS": {"azure_container": "media", "expiration_secs": 300},
    }
    # Options also adjust the S3 defaults.
    s3 = settings_under(
        monkeypatch,
        STORAGE_BACKEND="s3",
        MEDIA_BUCKET="b",
        STORAGE_OPTIONS='{"querystring_expire": 60}',
    )
    assert s3["STORAGES"]["default"]["OPTIONS"]["querystring_expire"] == 60
    assert s3["STORAGES"]["default"]["OPTIONS"]["file_overwrite"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "bucket"}, "filesystem, s3 or a dotted class path"),
        ({"STORAGE_OPTIONS": "{bucket: 1}"}, "not valid JSON"),
        ({"STORAGE_OPTIONS": "[1, 2]"}, "must be a JSON object"),
    ],
)
def test_a_wrong_storage_setting_refuses_to_start(monkeypatch, env, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=message):
        settings_under(monkeypatch, **env)


def test_a_storage_chosen_by_the_environment_is_the_one_uploads_use(monkeypatch, settings):
    """The dotted path really reaches Django's storage handler (no local disk involved)."""
    from django.core.files.storage import InMemoryStorage, storages

    configured = settings_under(
        monkeypatch,
        STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        STORAGE_OPTIONS='{"base_url": "/files/"}',
    )
    settings.STORAGES = configured["STORAGES"]
    storage = storages["default"]
    assert isinstance(storage, InMemoryStorage)
    assert storage.url("plans/a.pdf") == "/files/plans/a.pdf"


def test_trusted_proxy_count_comes_from_the_environment(monkeypatch):
    assert settings_under(monkeypatch, DEBUG="false")["TRUSTED_PROXY_COUNT"] == 1
    assert settings_under(monkeypatch, DEBUG="true")["TRUSTED_PROXY_COUNT"] == 0
    behind_a_load_balancer = settings_under(monkeypatch, DEBUG="false", TRUSTED_PROXY_COUNT="2")
    assert behind_a_load_balancer["TRUSTED_PROXY_COUNT"] == 2
