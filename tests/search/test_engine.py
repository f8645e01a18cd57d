"""The engine's own interface, below any domain: documents in, ranked hits out."""

import ast

from forum import search
from forum.extensions import db
from forum.search import Document
from tests.conftest import ROOT

ANY_POST = {"post": None}
ALLOWED_IMPORTS = ("forum.search", "forum.extensions", "forum.core")


def _doc(source_id, target_id, title="", body="", **fields):
    return Document(
        kind="note",
        source_id=source_id,
        target="post",
        target_id=target_id,
        title=title,
        body=body,
        **fields,
    )


def _targets(typed, scopes=ANY_POST, **options):
    return [h.target_id for h in search.search(typed, scopes, **options).hits]


def test_indexing_a_source_again_replaces_its_document(app):
    with app.app_context():
        search.index_document(_doc(1, 10, title="alpha"))
        search.index_document(_doc(1, 10, title="beta"))
        assert _targets("alpha") == []
        assert _targets("beta") == [10]


def test_a_removed_source_is_no_longer_found(app):
    with app.app_context():
        search.write([_doc(1, 10, title="alpha"), _doc(2, 20, title="alpha")])
        search.remove("note", [1])
        assert _targets("alpha") == [20]


def test_a_restricted_document_matches_only_when_restricted_text_is_allowed(app):
    with app.app_context():
        search.write([_doc(1, 10, body="confidential staffing gap", restricted=True)])
        assert _targets("staffing") == []
        assert _targets("staffing", include_restricted=True) == [10]


def test_a_target_matched_by_several_documents_is_one_hit(app):
    with app.app_context():
        search.write([_doc(1, 10, title="pallets"), _doc(2, 10, body="more pallets")])
        results = search.search("pallets", ANY_POST)
        assert [h.target_id for h in results.hits] == [10]
        assert results.total == 1


def test_scopes_keep_only_the_targets_they_allow(app):
    with app.app_context():
        search.write([_doc(1, 10, title="pallets"), _doc(2, 20, title="pallets")])
        assert _targets("pallets", {"post": lambda ident: ident == 20}) == [20]
        assert _targets("pallets", {"fix": None}) == []


def test_a_title_match_ranks_above_a_body_match(app):
    with app.app_context():
        search.write(
            [
                _doc(1, 10, title="Forklift", body="The warehouse crane broke down."),
                _doc(2, 20, title="Crane broken", body="The warehouse forklift is fine."),
            ]
        )
        assert _targets("crane") == [20, 10]


def test_a_phrase_never_spans_the_title_and_the_body(app):
    with app.app_context():
        search.write([_doc(1, 10, title="Shipped late", body="delivery was a mess")])
        assert _targets('"late delivery"') == []
        assert _targets("late delivery") == [10]


def test_results_are_paged_with_the_total_of_all_pages(app):
    with app.app_context():
        search.write([_doc(i, i, title=f"pallets {i}") for i in range(1, 8)])
        first = search.search("pallets", ANY_POST, per_page=5)
        second = search.search("pallets", ANY_POST, per_page=5, page=2)
        assert (len(first.hits), len(second.hits), first.total) == (5, 2, 7)
        assert {h.target_id for h in first.hits + second.hits} == set(range(1, 8))
        db.session.rollback()


def test_the_reindex_command_rebuilds_the_index(app):
    from forum.feedback import services
    from forum.feedback.models import PostKind
    from tests import factories

    with app.app_context():
        services.create_post(
            factories.user("rep"),
            services.PostInput(kind=PostKind.FIELD_FEEDBACK, title="Pallets late", body="Yes."),
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "post 1," in result.output
    with app.app_context():
        assert len(_targets("pallets")) == 1


def test_the_engine_imports_no_domain():
    for path in (ROOT / "forum" / "search").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("forum"):
                assert node.module.startswith(ALLOWED_IMPORTS), f"{path.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("forum") or alias.name.startswith(
                        ALLOWED_IMPORTS
                    ), f"{path.name}: {alias.name}"
