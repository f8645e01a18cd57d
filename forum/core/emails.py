"""E-mail address syntax, checked by email-validator (one rule for invitations and the outbox)."""

import email_validator
from email_validator import EmailNotValidError, validate_email
from flask import current_app

# Intranet addresses (``name@corp.local``, ``name@intranet``) are real in the companies this runs
# in; email-validator refuses the special-use name "local" unless it is taken off its list
# (the list is documented as meant to be edited; it is edited in place, once, at import).
INTRANET_DOMAINS = ("local",)
for _name in INTRANET_DOMAINS:
    if _name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_name)


def email_problem(address: str) -> str | None:
    """Why ``address`` is not an e-mail address (email-validator's words), or None.

    Syntax only: no DNS lookup, single-label intranet domains allowed. Under the testing
    configuration the reserved ``.test`` domain is allowed too (the test suite's addresses).
    """
    test_environment = bool(current_app and current_app.testing)
    try:
        validate_email(
            address,
            check_deliverability=False,
            globally_deliverable=False,
            test_environment=test_environment,
        )
    except EmailNotValidError as exc:
        return str(exc)
    return None
