"""Post pages: the feed, filing the three kinds of report, a post's page, comments, 'me too',
evidence files and revealing a shielded author."""

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

from forum.accounts.services import UnknownAccount
from forum.auth.permissions import can, require, require_obj
from forum.core.errors import Conflict, DomainError
from forum.core.params import arg_int, page_arg, to_int
from forum.extensions import db, limiter
from forum.feedback import attachments as files
from forum.feedback import forms, queries, services
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
    Post,
    PostKind,
)
from forum.feedback.shielding import author_label, can_see_author, person_label
from forum.feedback.similar import similar_posts

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
        filters=queries.filter_options(),
        sorts=queries.SORTS,
        is_first=not request.args.get("after"),
    )


@bp.get("/mine")
@require("post.create")
def mine():
    """My reports and where each one stands."""
    rows = queries.my_reports(current_user)
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
    forms.fill_choices(form, kind)
    if request.method == "GET" and request.args.get("title"):
        form.title.data = request.args["title"][:200]
    suggestions = []
    if form.validate_on_submit():
        try:
            post = services.create_post(current_user, forms.post_input(form, kind))
        except UnknownAccount as exc:
            db.session.rollback()
            form.account.errors = [exc.message]
            suggestions = exc.suggestions
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
        "feedback/form.html", form=form, kind=kind, suggestions=suggestions, editing=None
    )


@bp.get("/<int:post_id>")
@require("post.view")
def detail(post_id: int):
    """A post with its discussion (a page of it), corroborations and evidence."""
    post = queries.visible_post_or_404(post_id, current_user, whole=True)
    return _render_detail(post)


def _render_detail(post: Post, *, revealed=None, reveal_form=None, status=200):
    viewer = current_user
    data = queries.post_page(
        post,
        viewer,
        page=page_arg() if request.args.get("page") else None,
        comment_id=arg_int("comment", min=1),
    )
    comment_form = CommentForm()
    if not can(viewer, "post.internal_note"):
        del comment_form.internal
    return render_template(
        "feedback/detail.html",
        post=post,
        comments=data.comments,
        comment_page=data.comment_page,
        corroborations=data.corroborations,
        revisions=data.revisions,
        following=data.following,
        my_corroboration=data.mine,
        author=author_label(viewer, post),
        sees_author=can_see_author(viewer, post),
        person=lambda pid, name: person_label(viewer, post, pid, name),
        corroborator=lambda c: queries.corroborator_label(
            viewer, c, data.sources.get(c.moved_from_post_id)
        ),
        comment_form=comment_form,
        corroborate_form=CorroborateForm(),
        reveal_form=reveal_form or RevealForm(),
        attach_form=AttachForm(),
        revealed=revealed,
    ), status


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
    forms.fill_choices(form, kind)
    if request.method == "GET":
        form.account.data = post.account.name if post.account else ""
        form.account_id.data = post.account_id
        form.tags.data = ", ".join(t.name for t in post.tags)
        if kind == PostKind.WIN_LOSS:
            form.secondary_reason_ids.data = [t.id for t in post.secondary_reasons]
        if kind == PostKind.BROKEN_PROMISE and post.impact:
            form.impact.data = str(post.impact)
    version = request.form.get("version", str(post.version))
    suggestions = []
    if form.validate_on_submit():
        try:
            base = to_int(version)
        except ValueError:
            abort(400, description="The form is damaged: reload the page and try again.")
        try:
            services.update_post(post, current_user, forms.post_input(form, kind), version=base)
        except Conflict:
            raise
        except UnknownAccount as exc:
            db.session.rollback()
            form.account.errors = [exc.message]
            suggestions = exc.suggestions
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
        suggestions=suggestions,
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
        errors = form.amount.errors or form.currency.errors or form.account.errors
        flash("Check the amount: " + " ".join(errors), "error")
        return redirect(url_for("feedback.detail", post_id=post.id))
    try:
        services.corroborate(
            post,
            current_user,
            account=form.account.data or "",
            amount=form.amount.data,
            currency=form.currency.data or None,
            note=form.note.data or "",
            account_id=form.account_id.data,
        )
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("feedback.detail", post_id=post.id)), 303
    except UnknownAccount as exc:
        db.session.rollback()
        flash(exc.message, "error")  # it names the likeliest accounts ("Did you mean …?")
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
    return redirect(
        url_for(
            "feedback.detail", post_id=post.id, comment=created.id, _anchor=f"comment-{created.id}"
        )
    )


@bp.route("/<int:post_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@require("comment.edit")
def edit_comment(post_id: int, comment_id: int):
    """The author edits their comment; earlier versions stay visible."""
    post = get_post_or_404(post_id)
    comment = queries.visible_comment_or_404(post, comment_id, current_user)
    require_obj("comment.edit", comment)
    form = CommentEditForm(obj=comment)
    if form.validate_on_submit():
        services.edit_comment(comment, current_user, form.body.data)
        db.session.commit()
        flash("Your comment is updated.", "success")
        return redirect(
            url_for(
                "feedback.detail",
                post_id=post.id,
                comment=comment.id,
                _anchor=f"comment-{comment.id}",
            )
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
    uploads = forms.evidence_files(form) if form.validate() else []
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
