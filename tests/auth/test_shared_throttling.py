"""With a shared store (redis) the sign-in limits hold across app instances and processes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis

LIMIT = "5 per 10 minutes"
EMAIL = "someone@example.test"
ROOT = Path(__file__).resolve().parents[2]

# Another worker process: its own interpreter, its own app, the same redis and database.
OTHER_WORKER = """
import json, sys
import config
from forum import create_app

settings = json.loads(sys.argv[1])
email, tries = settings.pop("EMAIL"), settings.pop("TRIES")
app = create_app(config.TestingConfig, WTF_CSRF_ENABLED=False, **settings)
client = app.test_client()
statuses = [
    client.post("/login", data={"email": email, "password": "wrong"}).status_code
    for _ in range(tries)
]
print(json.dumps(statuses))
"""


def fail_to_sign_in(client):
    return client.post("/login", data={"email": EMAIL, "password": "not the password"})


@pytest.fixture
def shared_app(make_app, redis_url):
    def _make():
        return make_app(RATELIMIT_STORAGE_URI=redis_url, LOGIN_LIMIT_PER_ACCOUNT=LIMIT)

    return _make


def test_two_app_instances_share_one_account_limit(shared_app, redis_url):
    first, second = shared_app().test_client(), shared_app().test_client()
    statuses = [fail_to_sign_in(client).status_code for client in [first, second] * 3]
    assert statuses == [200] * 5 + [429]
    # The count lives in redis, not in this process.
    assert redis.Redis.from_url(redis_url).keys("*login-account:someone@example.test*")


def test_failures_in_another_process_count_here(shared_app, redis_url, database_url, tmp_path):
    settings = dict(
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY="test-secret",
        INSTANCE_DIR=str(tmp_path),
        MAIL_DIR=str(tmp_path / "mail"),
        UPLOAD_DIR=str(tmp_path / "uploads"),
        RATELIMIT_STORAGE_URI=redis_url,
        LOGIN_LIMIT_PER_ACCOUNT=LIMIT,
        EMAIL=EMAIL,
        TRIES=3,
    )
    other = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, json.dumps(settings)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(other.stdout.splitlines()[-1]) == [200, 200, 200]
    here = shared_app().test_client()
    assert [fail_to_sign_in(here).status_code for _ in range(3)] == [200, 200, 429]
