"""The tests compare whole pages with their CSRF tokens blanked (tests/pagecheck.py): the
blanking must reach every place a page writes its token, or such a comparison fails whenever
the two requests straddle a second."""

import re

from tests.pagecheck import blank_tokens, without_tokens


def test_a_page_keeps_no_token_once_blanked(client, login):
    login("rep")  # no time zone of their own yet: the page carries data-csrf for the script
    response = client.get("/posts/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)
    assert html.count(token) >= 2, "the form and the <body> both carry the token"
    assert token not in without_tokens(response)


def test_blanking_changes_nothing_but_the_tokens():
    html = (
        '<body data-csrf="abc.def"><input name="csrf_token" type="hidden" value="x.y.z">'
        "<p>x.y.z</p>"
    )
    assert blank_tokens(html) == (
        '<body data-csrf="…"><input name="csrf_token" type="hidden" value="…"><p>x.y.z</p>'
    )
