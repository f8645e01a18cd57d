"""The SSO settings read from the environment: every provider's variables, the mapping table,
and a clear refusal of a setting that cannot work."""

import pytest

import config
from forum.auth.models import Role
from forum.auth.sso.providers import RoleRule, SsoConfigError, load, parse_provider

ENV = {
    "SSO_PROVIDERS": "corp, partners",
    "SSO_CORP_ISSUER": "https://id.corp.example/",
    "SSO_CORP_CLIENT_ID": "vos",
    "SSO_CORP_CLIENT_SECRET": "shh",
    "SSO_CORP_LABEL": "Corp ID",
    "SSO_CORP_ALLOWED_DOMAINS": "corp.example, @Sub.Corp.Example",
    "SSO_CORP_ROLE_MAP": "it-admins=admin; sales-north=rep:North\nops-billing = ops : Billing",
    "SSO_PARTNERS_ISSUER": "https://login.partner.example",
    "SSO_PARTNERS_CLIENT_ID": "p",
    "SSO_PARTNERS_CLIENT_SECRET": "q",
    "SSO_PARTNERS_ALLOWED_DOMAINS": "partner.example",
}


def test_every_named_provider_is_read_from_its_variables():
    providers = load({"SSO_PROVIDERS": config.sso_providers(ENV)})
    assert list(providers) == ["corp", "partners"]
    corp = providers["corp"]
    assert corp.issuer == "https://id.corp.example"
    assert corp.discovery_url == "https://id.corp.example/.well-known/openid-configuration"
    assert corp.allowed_domains == ("corp.example", "sub.corp.example")
    assert corp.role_map == (
        RoleRule("it-admins", Role.ADMIN),
        RoleRule("sales-north", Role.REP, "North"),
        RoleRule("ops-billing", Role.OPS, "Billing"),
    )
    partners = providers["partners"]
    assert (partners.label, partners.role_map, partners.groups_claim) == ("Partners", (), "groups")


def test_no_variable_means_no_provider():
    assert config.sso_providers({}) == []


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"SSO_CORP_ISSUER": ""}, "SSO_CORP_ISSUER"),
        ({"SSO_CORP_ISSUER": "http://id.corp.example"}, "SSO_CORP_ISSUER"),
        ({"SSO_CORP_CLIENT_SECRET": ""}, "SSO_CORP_CLIENT_SECRET"),
        ({"SSO_CORP_ALLOWED_DOMAINS": ""}, "SSO_CORP_ALLOWED_DOMAINS"),
        ({"SSO_CORP_ROLE_MAP": "it-admins=superuser"}, "SSO_CORP_ROLE_MAP"),
        ({"SSO_CORP_ROLE_MAP": "just-a-group"}, "SSO_CORP_ROLE_MAP"),
    ],
)
def test_an_unusable_setting_is_refused_naming_the_variable(change, variable):
    [raw] = config.sso_providers({**ENV, "SSO_PROVIDERS": "corp", **change})
    with pytest.raises(SsoConfigError, match=variable):
        parse_provider(raw)


def test_the_app_refuses_to_start_with_an_unusable_provider(make_app):
    raw = config.sso_providers({**ENV, "SSO_PROVIDERS": "corp", "SSO_CORP_ISSUER": ""})
    with pytest.raises(SsoConfigError, match="SSO_CORP_ISSUER"):
        make_app(SSO_PROVIDERS=raw)


def test_a_provider_vouches_only_for_its_domains():
    corp = parse_provider(config.sso_providers({**ENV, "SSO_PROVIDERS": "corp"})[0])
    assert corp.vouches_for("Nora@CORP.example")
    assert corp.vouches_for("x@sub.corp.example")
    assert not corp.vouches_for("x@evilcorp.example")
    assert not corp.vouches_for("x@corp.example.evil")
    assert not corp.vouches_for("corp.example")


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["sales-north"], Role.REP),
        ("it-admins", Role.ADMIN),  # a single group as a string
        (["nobody", 7, None], None),
        (None, None),
        ({"it-admins": True}, None),  # not a list: no group at all
    ],
)
def test_the_mapping_table_reads_the_groups_claim_defensively(groups, role):
    corp = parse_provider(config.sso_providers({**ENV, "SSO_PROVIDERS": "corp"})[0])
    rule = corp.rule_for(groups)
    assert (rule.role if rule else None) == role
