"""What the posting pages look like to assistive technology: one current nav entry, labelled
required fields."""

import pytest

from tests.feedback.conftest import text


@pytest.mark.parametrize(
    "url, current",
    [
        ("/posts/", "Feed"),
        ("/posts/new", "New report"),
        ("/posts/new/broken-promise", "New report"),
        ("/posts/mine", "My reports"),
    ],
)
def test_exactly_one_navigation_entry_is_current(client, login, url, current):
    login("rep")
    page = text(client.get(url))
    assert page.count('aria-current="page"') == 1
    assert f'aria-current="page">{current}</a>' in page


def test_a_required_fields_asterisk_follows_its_label_without_joining_its_name(client, login):
    login("rep")
    page = text(client.get("/posts/new/broken-promise"))
    # The label alone is the field's accessible name; the asterisk is decoration beside it.
    assert '<label for="title">Title</label> <span class="req" aria-hidden="true">*</span>' in page


def test_each_kind_of_report_has_one_h1(client, login):
    login("rep")
    for slug in ("field-feedback", "win-loss", "broken-promise"):
        assert text(client.get(f"/posts/new/{slug}")).count("<h1") == 1
