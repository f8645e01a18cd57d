"""Post pages: the feed, filing the three kinds of report, a post's page, comments, 'me too',
evidence files and revealing a shielded author."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import Account
from forum.auth.models import Team, TeamKind
from forum.auth.permissions import can, require, require_obj
from forum.catalog.models import Commitment
from forum.core.errors import Conflict, DomainError
from forum.core.params import to_int
from forum.extensions import db, limiter
from forum.feedback import attachments as files
from forum.feedback import queries, services
from forum.feedback.forms import (
    FORMS,
    AttachForm,
    CommentEditForm,
    CommentForm,
    CorroborateForm,
    RevealForm,
)
from forum.feedback.models import (
    Attachment,
    Comment,
    Corroboration,
    Follow,
    Post,
    PostKind,
    PostRevision,
    PostStatus,
)
from forum.feedback.shielding import author_label, can_see_author, person_label
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

bp = Blueprint("feedback", __name__, url_prefix="/posts")


def _user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anon"


write_limit = limiter.limit(
    lambda: current_app.config["WRITE_LIMIT_PER_USER"],
    key_func=_user_key,
    methods=["POST"],
    scope="writes",
)


def get_post_or_404(post_id: int) -> Post:
    """The post, or 404 — the same answer for a missing post and one the viewer may not see."""
    return queries.visible_post_or_404(post_id, current_user)


def _kind_from_slug(slug: str) -> PostKind:
    for kind in PostKind:
        if kind.slug == slug:
            return kind
    abort(404)


def _team_choices(form, kind: PostKind) -> None:
    if not hasattr(form, "team_id"):
        return
    query = sa.select(Team).order_by(Team.name)
    if kind == PostKind.BROKEN_PROMISE:
        query = query.where(Team.kind == TeamKind.OPERATIONS)
        blank = "— choose the team —"
    else:
        blank = "— any team —"
    form.team_id.choices = [("", blank)] + [(t.id, t.name) for t in db.session.scalars(query)]


def _term_choices(kind: TaxonomyKind):
    terms = db.session.scalars(
        sa.select(TaxonomyTerm)
        .where(TaxonomyTerm.kind == kind, TaxonomyTerm.active.is_(True))
        .order_by(TaxonomyTerm.branch, TaxonomyTerm.name)
    ).all()
    if kind == TaxonomyKind.REASON:
        return [(t.id, f"{t.branch_label}: {t.name}") for t in terms]
    return [(t.id, t.name) for t in terms]


def _prepare(form, kind: PostKind) -> None:
    """Fill the select boxes of ``form`` from the database."""
    _team_choices(form, kind)
    if kind == PostKind.WIN_LOSS:
        form.competitor_id.choices = [("", "— none named —")] + _term_choices(
            TaxonomyKind.COMPETITOR
        )
        reasons = _term_choices(TaxonomyKind.REASON)
        form.primary_reason_id.choices = [("", "— not given —")] + reasons
        form.secondary_reason_ids.choices = reasons
    if kind == PostKind.BROKEN_PROMISE:
        entries = db.session.execute(
            sa.select(Commitment.id, Commitment.title, Team.name)
            .join(Team, Commitment.team_id == Team.id)
            .where(Commitment.active.is_(True))
            .order_by(Team.name, Commitment.title)
        ).all()
        form.commitment_id.choices = [("", "— none —")] + [
            (i, f"{team}: {title}") for i, title, team in entries
        ]


def _account_names() -> list[str]:
    return db.session.scalars(sa.select(Account.name).order_by(Account.name).limit(2000)).all()


def _input(form, kind: PostKind) -> services.PostInput:
    data = services.PostInput(
        kind=kind,
        title=form.title.data,
        body=form.body.data,
        account=form.account.data or "",
        tags=form.tag_list(),
        shielded=form.shielded.data,
        submission_key=(form.submission_key.data or "")[:64] or None,
        team_id=getattr(form, "team_id", None) and form.team_id.data,
        evidence=[(upload.read(), upload.filename) for upload in _evidence(form)],
    )
    if kind == PostKind.WIN_LOSS:
        data.outcome = form.outcome.data
        data.deal_value = form.deal_value.data
        data.currency = form.currency.data
        data.stage = form.stage.data or None
        data.competitor_id = form.competitor_id.data
        data.primary_reason_id = form.primary_reason_id.data
        data.secondary_reason_ids = form.secondary_reason_ids.data or []
        data.crm_opportunity_id = form.crm_opportunity_id.data
    elif kind == PostKind.BROKEN_PROMISE:
        data.promised = form.promised.data
        data.contact_name = form.contact_name.data
        data.basis = form.basis.data or None
        data.basis_detail = form.basis_detail.data
        data.commitment_id = form.commitment_id.data
        data.promised_date = form.promised_date.data
        data.impact = int(form.impact.data) if form.impact.data else None
        data.revenue_at_risk = form.revenue_at_risk.data
        data.currency = form.currency.data
    return data


def _evidence(form) -> list:
    return [f for f in (form.evidence.data or []) if f and f.filename]


@bp.get("/")
@require("post.view")
def feed():
    """The feed: newest first, filterable, sortable, paged by cursor."""
    f = queries.FeedFilter.from_args(request.args)  # BadFilter: 400
    rows, next_cursor = queries.feed_page(f, current_user, request.args.get("after"))
    return render_template(
        "feedback/feed.html",
        rows=rows,
        f=f,
        next_cursor=next_cursor,
        filters=_filter_options(),
        sorts=queries.SORTS,
        is_first=not request.args.get("after"),
    )


def _filter_options() -> dict:
    teams = db.session.execute(sa.select(Team.id, Team.name, Team.kind).order_by(Team.name)).all()
    return {
        "kinds": PostKind,
        "statuses": PostStatus,
        "teams": [(i, n) for i, n, k in teams if k == TeamKind.OPERATIONS],
        "regions": [(i, n) for i, n, k in teams if k == TeamKind.SALES],
    }


@bp.get("/mine")
@require("post.create")
def mine():
    """My reports and where each one stands."""
    rows = db.session.execute(
        sa.select(Post, queries.fix_status().label("fix_status"))
        .where(Post.author_id == current_user.id)
        .options(joinedload(Post.account), joinedload(Post.duplicate_of))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(200)
    ).all()
    return render_template("feedback/mine.html", rows=rows)


@bp.get("/new")
@require("post.create")
def new():
    """Choose what to report."""
    return render_template("feedback/new.html", kinds=PostKind)


@bp.route("/new/<slug>", methods=["GET", "POST"])
@require("post.create")
@write_limit
def create(slug: str):
    """File a report of one kind (the form works without JavaScript)."""
    kind = _kind_from_slug(slug)
    form = FORMS[kind.value]()
    _prepare(form, kind)
    if request.method == "GET" and request.args.get("title"):
        form.title.data = request.args["title"][:200]
    if form.validate_on_submit():
        try:
            post = services.create_post(current_user, _input(form, kind))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                "Thank you — your report is filed. You will hear back when it is triaged.",
                "success",
            )
            return redirect(url_for("feedback.detail", post_id=post.id))
    return render_template(
        "feedback/form.html", form=form, kind=kind, accounts=_account_names(), editing=None
    )


@bp.get("/<int:post_id>")
@require("post.view")
def detail(post_id: int):
    """A post with its discussion, corroborations and evidence."""
    post = get_post_or_404(post_id)
    return _render_detail(post)


def _render_detail(post: Post, *, revealed=None, reveal_form=None, status=200):
    viewer = current_user
    comments_q = (
        sa.select(Comment)
        .where(Comment.post_id == post.id)
        .options(joinedload(Comment.author), selectinload(Comment.revisions))
        .order_by(Comment.id)
    )
    if not can(viewer, "post.internal_note"):
        comments_q = comments_q.where(Comment.internal.is_(False))
    comments = db.session.scalars(comments_q).unique().all()
    corroborations = db.session.scalars(
        sa.select(Corroboration)
        .where(Corroboration.post_id == post.id)
        .options(joinedload(Corroboration.user), joinedload(Corroboration.account))
        .order_by(Corroboration.id)
    ).all()
    revisions = db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    following = (
        db.session.scalar(
            sa.select(Follow.id).where(Follow.post_id == post.id, Follow.user_id == viewer.id)
        )
        is not None
    )
    mine = next((c for c in corroborations if c.user_id == viewer.id), None)
    # A merged duplicate's reporter counts as a "me too" here; if they shielded that report,
    # their name stays behind the shield (the note names the duplicate).
    moved = {c.moved_from_post_id for c in corroborations} - {None}
    sources = (
        {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(moved)))}
        if moved
        else {}
    )
    comment_form = CommentForm()
    if not can(viewer, "post.internal_note"):
        del comment_form.internal
    return render_template(
        "feedback/detail.html",
        post=post,
        comments=comments,
        corroborations=corroborations,
        revisions=revisions,
        following=following,
        my_corroboration=mine,
        author=author_label(viewer, post),
        sees_author=can_see_author(viewer, post),
        person=lambda pid, name: person_label(viewer, post, pid, name),
        corroborator=lambda c: _corroborator_label(viewer, c, sources.get(c.moved_from_post_id)),
        comment_form=comment_form,
        corroborate_form=CorroborateForm(),
        reveal_form=reveal_form or RevealForm(),
        attach_form=AttachForm(),
        revealed=revealed,
        accounts=_account_names(),
    ), status


def _corroborator_label(viewer, corroboration: Corroboration, source: Post | None) -> str:
    name = corroboration.user.display_name
    if source is None:
        return name
    return person_label(viewer, source, corroboration.user_id, name)


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@require("post.edit")
def edit(post_id: int):
    """The author edits an untriaged post; the previous text is kept."""
    post = get_post_or_404(post_id)
    require_obj("post.edit", post)
    kind = post.kind
    # The post fills the form only on GET: on POST a field the request leaves out (a crafted
    # request, or no checkbox ticked) must not fall back to the post's objects (tags, account).
    form = FORMS[kind.value](obj=post if request.method == "GET" else None)
    _prepare(form, kind)
    if request.method == "GET":
        form.account.data = post.account.name if post.account else ""
        form.tags.data = ", ".join(t.name for t in post.tags)
        if kind == PostKind.WIN_LOSS:
            form.secondary_reason_ids.data = [t.id for t in post.secondary_reasons]
        if kind == PostKind.BROKEN_PROMISE and post.impact:
            form.impact.data = str(post.impact)
    version = request.form.get("version", str(post.version))
    if form.validate_on_submit():
        try:
            base = to_int(version)
        except ValueError:
            abort(400, description="The form is damaged: reload the page and try again.")
        try:
            services.update_post(post, current_user, _input(form, kind), version=base)
        except Conflict:
            raise
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("feedback.detail", post_id=post.id))
    return render_template(
        "feedback/form.html",
        form=form,
        kind=kind,
        accounts=_account_names(),
        editing=post,
        version=version,
    )


@bp.post("/<int:post_id>/corroborate")
@require("post.corroborate")
@write_limit
def corroborate(post_id: int):
    """'Me too', optionally naming another affected account and amount."""
    post = get_post_or_404(post_id)
    require_obj("post.corroborate", post)
    form = CorroborateForm()
    if not form.validate():
        flash("Check the amount: " + " ".join(form.amount.errors or form.account.errors), "error")
        return redirect(url_for("feedback.detail", post_id=post.id))
    try:
        services.corroborate(
            post,
            current_user,
            account=form.account.data or "",
            amount=form.amount.data,
            note=form.note.data or "",
        )
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("feedback.detail", post_id=post.id)), 303
    db.session.commit()
    flash("Thanks — your “me too” is counted.", "success")
    return redirect(url_for("feedback.detail", post_id=post.id))


@bp.post("/<int:post_id>/corroborate/withdraw")
@require("post.corroborate")
def withdraw(post_id: int):
    """Take back one's 'me too'."""
    post = get_post_or_404(post_id)
    services.withdraw_corroboration(post, current_user)
    db.session.commit()
    flash("Your “me too” is withdrawn.", "info")
    return redirect(url_for("feedback.detail", post_id=post.id))


@bp.post("/<int:post_id>/comments")
@require("post.comment")
@write_limit
def comment(post_id: int):
    """Add a comment (or, for leaders, ops and admins, an internal note)."""
    post = get_post_or_404(post_id)
    form = CommentForm()
    if not can(current_user, "post.internal_note"):
        del form.internal
    if not form.validate():
        flash("Write something before posting a comment (at most 20,000 characters).", "error")
        return redirect(url_for("feedback.detail", post_id=post.id))
    internal = bool(getattr(form, "internal", None) and form.internal.data)
    created = services.add_comment(post, current_user, form.body.data, internal=internal)
    db.session.commit()
    return redirect(url_for("feedback.detail", post_id=post.id, _anchor=f"comment-{created.id}"))


def _get_comment_or_404(post: Post, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.post_id != post.id:
        abort(404)
    if comment.internal and not can(current_user, "post.internal_note"):
        abort(404)
    return comment


@bp.route("/<int:post_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@require("comment.edit")
def edit_comment(post_id: int, comment_id: int):
    """The author edits their comment; earlier versions stay visible."""
    post = get_post_or_404(post_id)
    comment = _get_comment_or_404(post, comment_id)
    require_obj("comment.edit", comment)
    form = CommentEditForm(obj=comment)
    if form.validate_on_submit():
        services.edit_comment(comment, current_user, form.body.data)
        db.session.commit()
        flash("Your comment is updated.", "success")
        return redirect(
            url_for("feedback.detail", post_id=post.id, _anchor=f"comment-{comment.id}")
        )
    return render_template("feedback/comment_edit.html", form=form, post=post, comment=comment)


@bp.post("/<int:post_id>/attachments")
@require("post.attach")
@write_limit
def attach(post_id: int):
    """The author adds evidence to their post."""
    post = get_post_or_404(post_id)
    require_obj("post.attach", post)
    form = AttachForm()
    uploads = _evidence(form) if form.validate() else []
    if not uploads:
        flash("Choose a file to attach.", "error")
        return redirect(url_for("feedback.detail", post_id=post.id))
    try:
        for upload in uploads:
            services.add_attachment(post, current_user, upload.read(), upload.filename)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("feedback.detail", post_id=post.id))
    db.session.commit()
    flash("The evidence is attached.", "success")
    return redirect(url_for("feedback.detail", post_id=post.id, _anchor="evidence-files"))


def download_name(attachment: Attachment, post: Post) -> str:
    """Only the author sees the file's own name; others get a neutral one (names can identify)."""
    if current_user.id == post.author_id:
        return attachment.original_name
    return f"evidence-{post.id}-{attachment.id}.{attachment.extension}"


@bp.get("/<int:post_id>/attachments/<int:attachment_id>")
@require("post.view")
def download(post_id: int, attachment_id: int):
    """Serve evidence as a download, only to those who may see the post."""
    post = get_post_or_404(post_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.post_id != post.id:
        abort(404)
    path = files.path_for(attachment.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=download_name(attachment, post),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<int:post_id>/reveal")
@require("post.reveal")
def reveal(post_id: int):
    """A leader or admin reveals a shielded author, giving a reason (audited)."""
    post = get_post_or_404(post_id)
    if not post.shielded:
        abort(404)
    form = RevealForm()
    if not form.validate():
        db.session.rollback()
        return _render_detail(post, reveal_form=form, status=400)
    author = services.reveal_author(post, current_user, form.reason.data, request.remote_addr or "")
    db.session.commit()
    return _render_detail(post, revealed=author)


@bp.post("/<int:post_id>/follow")
@require("post.follow")
def follow(post_id: int):
    """Follow or stop following a post."""
    post = get_post_or_404(post_id)
    on = request.form.get("follow") == "1"
    services.set_following(current_user, post, on)
    db.session.commit()
    flash("You follow this post." if on else "You no longer follow this post.", "info")
    return redirect(url_for("feedback.detail", post_id=post.id))


@bp.get("/similar")
@require("post.view")
def similar():
    """Posts whose titles resemble ``title`` (JSON), so reps corroborate instead of duplicating."""
    from forum.feedback.similar import similar_posts

    title = request.args.get("title", "")[:200]
    posts = similar_posts(title, limit=5, typing=True)
    return jsonify(
        posts=[
            {
                "id": p.id,
                "title": p.title,
                "kind": p.kind.label,
                "status": p.status.label,
                "corroborations": p.corroboration_count,
                "url": url_for("feedback.detail", post_id=p.id),
            }
            for p in posts
        ]
    )


@bp.app_template_global()
def post_author(post: Post) -> str:
    """The author as the current viewer may see them."""
    return author_label(current_user, post)
