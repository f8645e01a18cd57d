"""E-mail syntax: email-validator's rules, intranet domains allowed, one function for all."""

import pytest

from forum.auth.services import check_email
from forum.core.emails import email_problem
from forum.core.errors import DomainError


@pytest.mark.parametrize(
    "address", ["lena@corp.local", "name@intranet", "a.b+tag@example.com", "josé@exämple.de"]
)
def test_real_and_intranet_addresses_are_accepted(address):
    assert email_problem(address) is None


@pytest.mark.parametrize(
    "address",
    ["nope", "a..b@example.com", "a b@example.com", "@example.com", "a@", "a@-x.com", "a@@b.com"],
)
def test_what_is_not_an_address_is_refused_with_a_reason(address):
    assert email_problem(address)


def test_the_reserved_test_domain_is_only_allowed_under_the_testing_configuration(app, make_app):
    assert email_problem("rep1@example.test")  # no app: production rules
    with app.app_context():
        assert email_problem("rep1@example.test") is None
    with make_app(TESTING=False).app_context():
        assert email_problem("rep1@example.test")


def test_an_invitation_to_a_malformed_address_is_refused(app):
    with app.app_context(), pytest.raises(DomainError):
        check_email("a..b@example.com")
