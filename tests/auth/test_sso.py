"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider.py) on 127.0.0.1:
the whole code flow through the Flask test client, the provisioning and linking rules, and every
protocol fault giving a clear page and an audit entry, never a session."""

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from forum.auth import services as auth
from forum.auth.models import Role, TokenPurpose, User
from forum.auth.sso.models import UserIdentity
from forum.core.audit import AuditEntry
from forum.extensions import db
from tests import factories
from tests.oidc_provider import (
    DOMAIN,
    LABEL,
    OidcProvider,
    authorise,
    corp_provider,
    sign_in,
)
from tests.ports import reserve_port


@pytest.fixture
def north(app):
    with app.app_context():
        team = factories.team("sales", name="North")
        factories.team("operations", name="Billing")
        db.session.commit()
        return team.id


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_sign_in_page_offers_the_provider(app, client, sso):
    page = client.get("/login").get_data(as_text=True)
    assert f"Sign in with {LABEL}" in page
    assert 'href="/sso/corp/login"' in page


def test_the_authorisation_request_carries_state_nonce_and_a_pkce_challenge(app, client, sso):
    response = client.get("/sso/corp/login")
    assert response.status_code == 302
    url = urlsplit(response.headers["Location"])
    assert f"{url.scheme}://{url.netloc}" == sso.issuer
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == sso.client.client_id
    assert query["redirect_uri"] == "http://localhost/sso/corp/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) >= 43 and len(query["state"]) >= 20
    assert len(query["nonce"]) >= 20
    assert "openid" in query["scope"].split()


def test_a_new_user_of_an_allowed_domain_is_provisioned_with_the_mapped_role_and_team(
    app, client, sso, north
):
    response = sign_in(client, "/sso/corp/login?next=/feed")
    assert response.status_code == 302
    assert response.headers["Location"] == "/feed"
    assert _signed_in(client)
    with app.app_context():
        user = _user("new.rep@corp.example")
        assert (user.role, user.team_id, user.active) == (Role.REP, north, True)
        assert user.display_name == "Nora North" and user.password_hash is None
        [identity] = db.session.scalars(sa.select(UserIdentity)).all()
        assert (identity.provider, identity.subject, identity.user_id) == (
            "corp",
            "user-1",
            user.id,
        )
        [provisioned] = _audit("sso.provision")
        assert provisioned.target_id == user.id
        assert provisioned.details["group"] == "sales-north"
        assert len(_audit("sso.sign_in")) == 1


@pytest.mark.parametrize(
    ("groups", "role", "team"),
    [
        (["staff", "sales-leaders"], Role.LEADER, None),
        (["ops-billing"], Role.OPS, "Billing"),
        (["sales-north", "it-admins"], Role.ADMIN, None),  # the first row of the table wins
    ],
)
def test_the_groups_claim_picks_role_and_team_by_the_table(
    app, client, sso, north, groups, role, team
):
    sso.identity.groups = groups
    assert sign_in(client).status_code == 302
    with app.app_context():
        user = _user("new.rep@corp.example")
        assert user.role == role
        assert (user.team.name if user.team else None) == team


def test_a_second_sign_in_follows_the_identity_even_when_the_email_changed(app, client, sso, north):
    sign_in(client)
    client.post("/logout")
    sso.identity.email = "nora.renamed@corp.example"
    assert sign_in(client).status_code == 302
    assert _signed_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
        identity = db.session.scalars(sa.select(UserIdentity)).one()
        assert identity.email == "nora.renamed@corp.example"
        assert len(_audit("sso.sign_in")) == 2


def test_an_existing_user_is_linked_by_verified_email_and_keeps_their_role(
    app, client, sso, make_user
):
    who = make_user("leader", email=f"lee@{DOMAIN}")
    sso.identity.email = who.email
    sso.identity.groups = ["sales-north"]  # the table only applies to new users
    assert sign_in(client).status_code == 302
    with app.app_context():
        user = db.session.get(User, who.id)
        assert user.role == Role.LEADER
        assert db.session.scalars(sa.select(UserIdentity.user_id)).all() == [who.id]
        assert [e.target_id for e in _audit("sso.link")] == [who.id]


def test_an_invited_user_accepts_the_invitation_by_signing_in(app, client, sso):
    with app.test_request_context():
        admin = factories.user("admin")
        user, _ = auth.invite_user(f"ivy@{DOMAIN}", "Ivy", Role.LEADER, None, actor=admin)
        db.session.commit()
        user_id = user.id
    sso.identity.email = f"ivy@{DOMAIN}"
    assert sign_in(client).status_code == 302
    assert _signed_in(client)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.active
        assert auth.find_token("unknown", TokenPurpose.INVITE) is None
        assert all(t.used_at is not None for t in db.session.scalars(sa.select(auth.AuthToken)))


def _refused(app, client, response, status: int, reason: str, text: str):
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:800]
    assert text in body
    assert not _signed_in(client)
    with app.app_context():
        [failed] = _audit("sso.failed")
        assert failed.reason == reason
        assert failed.details["provider"] == "corp"
        assert db.session.scalars(sa.select(UserIdentity)).all() == []
        assert len(_audit("sso.sign_in")) == 0
    return failed


def test_a_deactivated_user_is_refused_even_with_a_linked_identity(app, client, sso, north):
    sign_in(client)
    client.post("/logout")
    with app.app_context():
        user = _user("new.rep@corp.example")
        user.active = False
        db.session.commit()
    response = sign_in(client)
    assert response.status_code == 403
    assert "Ask your administrator" in response.get_data(as_text=True)
    assert not _signed_in(client)
    with app.app_context():
        assert [e.reason for e in _audit("sso.failed")] == ["user_inactive"]


def test_an_unverified_email_neither_links_nor_provisions(app, client, sso, make_user):
    make_user("leader", email=f"lee@{DOMAIN}")
    sso.identity.email = f"lee@{DOMAIN}"
    sso.identity.email_verified = False
    response = sign_in(client)
    _refused(app, client, response, 403, "email_unverified", "did not confirm your e-mail")


def test_a_disallowed_domain_is_asked_to_see_the_administrator(app, client, sso, north):
    sso.identity.email = "someone@elsewhere.example"
    response = sign_in(client)
    failed = _refused(app, client, response, 403, "domain_not_allowed", "Ask your administrator")
    assert failed.details["detail"] == "someone@elsewhere.example"
    with app.app_context():
        assert _user("someone@elsewhere.example") is None


def test_a_person_in_no_mapped_group_is_asked_to_see_the_administrator(app, client, sso, north):
    sso.identity.groups = ["marketing"]
    response = sign_in(client)
    _refused(app, client, response, 403, "no_mapped_group", "None of your groups")
    with app.app_context():
        assert _user("new.rep@corp.example") is None


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("tamper", "id_token_bad_signature"),
        ("nonce", "id_token_wrong_nonce"),
        ("expired", "id_token_expired"),
        ("audience", "id_token_wrong_audience"),
        ("issuer", "id_token_wrong_issuer"),
        ("no_id_token", "id_token_missing"),
    ],
)
def test_a_faulty_id_token_gives_a_clear_page_an_audit_entry_and_no_session(
    app, client, sso, north, fault, reason
):
    sso.misbehave = {fault}
    response = sign_in(client)
    _refused(app, client, response, 400, reason, "could not be verified")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_replayed_callback_is_refused_in_the_same_and_in_another_browser(app, client, sso, north):
    _, callback = authorise(client)
    assert client.get(callback).status_code == 302
    client.post("/logout")
    again = client.get(callback)
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)
    other = app.test_client()
    stolen = other.get(callback)
    assert stolen.status_code == 400
    assert not _signed_in(other)
    with app.app_context():
        assert [e.reason for e in _audit("sso.failed")] == ["state_mismatch", "state_mismatch"]
        assert len(_audit("sso.sign_in")) == 1


@pytest.mark.parametrize("query", ["", "?code=abc", "?code=abc&state=forged", "?state=&code="])
def test_a_callback_without_the_state_this_browser_was_given_is_refused(app, client, sso, query):
    client.get("/sso/corp/login")  # this browser holds a state, not the one sent
    requests_before = sso.token_requests
    response = client.get(f"/sso/corp/callback{query}")
    _refused(app, client, response, 400, "state_mismatch", "Start again")
    assert sso.token_requests == requests_before  # no code was traded without its state


def test_a_provider_error_answer_is_shown_and_audited(app, client, sso):
    url, _ = authorise(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(f"/sso/corp/callback?error=access_denied&state={state}")
    _refused(app, client, response, 400, "provider_refused", "access_denied")


def test_a_provider_that_is_down_gives_a_clear_page(app, client, sso):
    with reserve_port() as closed:  # bound, not listening: connections are refused
        port = closed.getsockname()[1]
        app.config["SSO_PROVIDERS"] = [corp_provider(sso, issuer=f"http://127.0.0.1:{port}")]
        response = client.get("/sso/corp/login")
    _refused(app, client, response, 502, "provider_unreachable", "could not be reached")


def test_a_provider_going_down_between_redirect_and_callback_gives_a_clear_page(app, client, north):
    fleeting = OidcProvider().start()
    try:
        app.config["SSO_PROVIDERS"] = [corp_provider(fleeting)]
        _, callback = authorise(client)
    finally:
        fleeting.stop()  # discovery is cached: the token endpoint is what fails
    response = client.get(callback)
    _refused(app, client, response, 502, "provider_unreachable", "could not be reached")


def test_an_unknown_provider_is_not_found(app, client, sso):
    assert client.get("/sso/nobody/login").status_code == 404
    assert client.get("/sso/nobody/callback?code=x&state=y").status_code == 404
    assert client.get("/sso/" + "x" * 300 + "/login").status_code == 404


def test_signing_out_offers_the_providers_end_session_url(app, client, sso, north):
    sign_in(client)
    client.refresh_csrf("/")
    response = client.post("/logout")
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert f"Sign out of {LABEL} too" in page
    href = page.split(f"{sso.issuer}/logout?", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = {k: v[0] for k, v in parse_qs(href).items()}
    assert query["post_logout_redirect_uri"] == "http://localhost/login"
    assert query["client_id"] == sso.client.client_id
    assert query["id_token_hint"].count(".") == 2
    assert not _signed_in(client)
    # the offer is made once
    assert f"Sign out of {LABEL} too" not in client.get("/login").get_data(as_text=True)


def test_a_password_session_is_offered_no_end_session(app, client, sso, login):
    login("rep", via_form=True)
    client.post("/logout")
    assert "too</a>" not in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3", "1e30", "-1", "", "%00", "x" * 5000])
@pytest.mark.parametrize("name", ["code", "state", "error", "next"])
def test_odd_callback_parameters_get_a_clear_answer_never_a_500(app, client, sso, name, value):
    client.get("/sso/corp/login")
    response = client.get(f"/sso/corp/callback?{name}={value}&{name}={value}")
    assert response.status_code == 400
    assert not _signed_in(client)


@pytest.mark.parametrize("value", ["//evil.example", "/\\\\evil", "https:evil", "javascript:x"])
def test_next_after_single_sign_on_stays_on_this_site(app, client, sso, north, value):
    from urllib.parse import quote

    response = sign_in(client, f"/sso/corp/login?next={quote(value)}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_persons_identities_are_in_their_export_and_gone_when_they_are_erased(
    app, client, sso, north
):
    import json

    from forum.privacy.erasure import erase
    from forum.privacy.export import document

    sign_in(client)
    with app.test_request_context():
        user = _user("new.rep@corp.example")
        user_id = user.id
        doc = json.loads("".join(document(user.id)))
        [identity] = doc["sso_identities"]
        assert (identity["provider"], identity["subject"]) == ("corp", "user-1")
        admin = factories.user("admin")
        done = erase(user, actor=admin, confirm="new.rep@corp.example")
        assert done.removed["sso_identities"] == 1
        db.session.commit()
        assert db.session.scalars(sa.select(UserIdentity)).all() == []
    client.post("/logout")
    # the erased person's subject signs in no one: the e-mail is theirs no more, so a new
    # account is provisioned only if the table says so (here, it does)
    assert sign_in(client).status_code == 302
    with app.app_context():
        assert _user("new.rep@corp.example").id != user_id


def test_a_discovery_document_naming_another_issuer_is_refused(app, client, sso):
    sso.misbehave = {"discovery_issuer"}
    # another label: a client of its own, whose discovery is not cached yet
    app.config["SSO_PROVIDERS"] = [corp_provider(sso, label="Corp ID (discovery)")]
    response = client.get("/sso/corp/login")
    _refused(app, client, response, 400, "issuer_mismatch", "could not be verified")


def test_failed_callbacks_are_throttled_per_address(app, client, sso):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "2 per 10 minutes"
    answers = [client.get("/sso/corp/callback?code=x&state=y").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_an_error_code_the_protocol_does_not_know_is_not_shown(app, client, sso):
    url, _ = authorise(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(f"/sso/corp/callback?error=Call+555-0100+now&state={state}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "555-0100" not in body and "(error)" in body


def test_a_large_id_token_is_not_kept_in_the_session_cookie(app, client, sso, north):
    sso.identity.groups = ["sales-north"] + [f"group-{n:04}" for n in range(200)]
    assert sign_in(client).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 3000
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert f"Sign out of {LABEL} too" in page and "id_token_hint" not in page
