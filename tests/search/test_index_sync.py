"""The index follows the tables inside the same transaction: what is committed is findable,
what is rolled back never was, and edits, deletions and renames are reflected at once."""

import sqlalchemy as sa

from forum import search
from forum.accounts.services import save_account
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Post, PostKind
from forum.fixes.models import Fix
from forum.search.models import SearchDocument
from forum.search.sync import rebuild
from tests import factories

POSTS = {"post": None}


def _file(author, title="Pallets arrived late", body="Three weeks late.", **fields):
    return services.create_post(
        author,
        services.PostInput(kind=PostKind.FIELD_FEEDBACK, title=title, body=body, **fields),
    )


def _found(typed, scopes=None) -> set[int]:
    return {h.target_id for h in search.search(typed, scopes or POSTS).hits}


def test_a_new_post_is_findable_inside_its_own_transaction(app):
    with app.app_context():
        post = _file(factories.user("rep"))
        assert _found("pallets") == {post.id}


def test_a_committed_post_is_findable_from_another_session(app):
    with app.app_context():
        post_id = _file(factories.user("rep")).id
        db.session.commit()
    with app.app_context():
        assert _found("pallets") == {post_id}


def test_a_rolled_back_post_is_not_findable(app):
    with app.app_context():
        _file(factories.user("rep"))
        db.session.rollback()
        assert _found("pallets") == set()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) == 0


def test_an_edited_post_is_found_by_its_new_words_and_not_its_old_ones(app):
    with app.app_context():
        rep = factories.user("rep")
        post = _file(rep)
        db.session.commit()
        services.update_post(
            post,
            rep,
            services.PostInput(
                kind=PostKind.FIELD_FEEDBACK, title="Invoices were wrong", body="Twice."
            ),
            version=post.version,
        )
        db.session.commit()
        assert _found("pallets") == set()
        assert _found("invoices") == {post.id}


def test_a_deleted_post_takes_its_comments_out_of_the_index(app):
    with app.app_context():
        rep = factories.user("rep")
        post = _file(rep)
        services.add_comment(post, rep, "Customers noticed the pallets too.")
        db.session.commit()
        db.session.delete(post)
        db.session.commit()
        assert _found("pallets") == set()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) == 0


def test_an_edited_comment_is_found_by_its_new_words(app):
    with app.app_context():
        rep = factories.user("rep")
        post = _file(rep)
        comment = services.add_comment(post, rep, "Forklift broke.")
        db.session.commit()
        services.edit_comment(comment, rep, "The crane broke.")
        db.session.commit()
        assert _found("forklift") == set()
        assert _found("crane") == {post.id}


def test_renaming_an_account_makes_its_posts_findable_by_the_new_name(app):
    with app.app_context():
        leader = factories.user("leader")
        post = _file(factories.user("rep"), account=factories.named_account("Initech"))
        db.session.commit()
        save_account(
            post.account,
            name="Initrode",
            segment="",
            region_id=None,
            arr=None,
            crm_id="CRM-777",
            actor=leader,
        )
        db.session.commit()
        assert _found("initech") == set()
        assert _found("initrode") == {post.id}
        assert _found("CRM-777") == {post.id}


def test_a_renamed_author_is_found_on_open_posts_but_never_on_shielded_ones(app):
    with app.app_context():
        rep = factories.user("rep", display_name="Sam Lee")
        open_post = _file(rep)
        _file(rep, title="Shielded pallets", shielded=True)
        db.session.commit()
        rep.display_name = "Sam Okafor"
        db.session.commit()
        assert _found("okafor") == {open_post.id}
        assert _found("lee") == set()


def test_a_retitled_fix_is_found_by_its_new_title(app):
    from forum.fixes.creation import create_fix

    with app.app_context():
        team = factories.team("operations")
        fix = create_fix(
            title="Carrier capacity",
            problem="One carrier only.",
            owner_team_id=team.id,
            priority="P3",
            actor=factories.user("leader"),
        )
        db.session.commit()
        fix.title = "Warehouse capacity"
        db.session.commit()
        assert _found("carrier", {"fix": None}) == {fix.id}  # still in its problem statement
        assert _found("warehouse", {"fix": None}) == {fix.id}
        assert _found("warehouse carrier", {"fix": None}) == {fix.id}
        assert db.session.get(Fix, fix.id).title == "Warehouse capacity"


def test_a_change_to_an_unindexed_field_leaves_the_document_alone(app):
    with app.app_context():
        post = _file(factories.user("rep"))
        db.session.commit()
        before = db.session.scalar(
            sa.select(SearchDocument.id).where(SearchDocument.kind == "post")
        )
        db.session.get(Post, post.id).corroboration_count = 5
        db.session.commit()
        after = db.session.scalar(sa.select(SearchDocument.id).where(SearchDocument.kind == "post"))
        assert before == after


def test_a_rebuild_indexes_everything_again(app):
    with app.app_context():
        rep = factories.user("rep")
        post = _file(rep)
        services.add_comment(post, rep, "Forklift broke.")
        db.session.commit()
        db.session.execute(sa.delete(SearchDocument))
        assert _found("forklift") == set()
        counts = rebuild(db.session.connection())
        db.session.commit()
        assert counts["post"] == 1 and counts["comment"] == 1
        assert _found("forklift") == {post.id}
        assert _found("pallets") == {post.id}
