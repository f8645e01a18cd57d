"""Taxonomy services, called directly: keys, branches and the commit contract."""

import pytest

from forum.core.errors import DomainError
from forum.extensions import db
from forum.taxonomy import services
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from tests import factories


@pytest.fixture
def admin(app):
    with app.app_context():
        yield factories.user("admin")


def test_the_key_ignores_case_and_spacing():
    assert services.term_key("  Globex   SUITE ") == services.term_key("globex suite")


def test_a_term_added_as_a_competitor_has_no_branch(admin):
    term = services.add_term(TaxonomyKind.COMPETITOR, "Globex", branch="price", actor=admin)
    assert term.branch == ""


def test_an_unknown_branch_is_refused(admin):
    with pytest.raises(DomainError):
        services.add_term(TaxonomyKind.REASON, "Odd", branch="weather", actor=admin)


def test_an_empty_name_is_refused(admin):
    with pytest.raises(DomainError):
        services.add_term(TaxonomyKind.ROOT_CAUSE, "   ", actor=admin)


def test_a_delivery_reason_is_an_operations_reason(admin):
    term = services.add_term(TaxonomyKind.REASON, "Late delivery", branch="delivery", actor=admin)
    assert term.is_operations


def test_services_flush_but_do_not_commit(admin):
    services.add_term(TaxonomyKind.COMPETITOR, "Uncommitted", actor=admin)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(TaxonomyTerm.id))) == 0
