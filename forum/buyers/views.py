"""Buyer pages. Inside: a deal's buyer voice (survey links, answers, interviews) for its rep
and leaders. Outside (``survey``): the one page an outsider can write to, opened by a
single-use link, and its thank-you page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from forum.auth.permissions import can, require
from forum.buyers import queries, services, themes
from forum.buyers.forms import (
    AnswersForm,
    EvidenceForm,
    InterviewForm,
    MergeThemeForm,
    SurveyLinkForm,
    ThemeForm,
    interview_quotes,
    reason_choices,
)
from forum.buyers.services import token_hash
from forum.core import settings
from forum.core.errors import DomainError
from forum.core.params import to_id
from forum.core.time import utcnow
from forum.extensions import db, limiter

bp = Blueprint("buyers", __name__, url_prefix="/buyers")
survey_bp = Blueprint("survey", __name__, url_prefix="/survey")


def _deal_or_404(post_id: int, action: str = "buyer.view"):
    """The deal, for those who may see its buyers; anyone else gets what a missing one gets."""
    post = queries.deal(post_id)
    if post is None or post.kind != "win_loss" or not can(current_user, action, post):
        abort(404)
    return post


def _render_deal(post, *, form=None, created=None, status: int = 200):
    return (
        render_template(
            "buyers/deal.html",
            post=post,
            surveys=queries.surveys(post.id),
            responses=queries.responses(post.id),
            form=form or SurveyLinkForm(),
            created=created,
            now=utcnow(),
            may_ask=can(current_user, "buyer.ask", post),
        ),
        status,
    )


@bp.get("/deals/<int:post_id>")
@require("buyer.view")
def deal(post_id: int):
    """A deal's buyer voice: the survey links made, the buyers' answers, the interviews."""
    return _render_deal(_deal_or_404(post_id))


@bp.post("/deals/<int:post_id>/surveys")
@require("buyer.ask")
def create_survey(post_id: int):
    """Make a survey link for a named buyer contact; mail it, or show it once to copy."""
    post = _deal_or_404(post_id, "buyer.ask")
    form = SurveyLinkForm()
    if not form.validate():
        return _render_deal(post, form=form, status=400)
    try:
        created = services.create_survey(
            post,
            actor=current_user,
            contact_name=form.contact_name.data,
            contact_email=form.contact_email.data or "",
            product_area=form.product_area.data or "",
            send=form.send.data,
        )
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _render_deal(_deal_or_404(post_id, "buyer.ask"), form=form, status=exc.status)
    db.session.commit()
    return _render_deal(post, created=created)


def _interview_form(form=None) -> InterviewForm:
    form = form or InterviewForm()
    form.main_reason.choices = reason_choices(services.buyer_reasons())
    theme_choices = [(t.id, t.name) for t in queries.themes()]
    for name, field in form._fields.items():
        if name.startswith("themes_"):
            field.choices = theme_choices
    return form


@bp.route("/deals/<int:post_id>/interview", methods=["GET", "POST"])
@require("buyer.interview")
def interview(post_id: int):
    """Record a conversation with a buyer: the survey's questions, quotes and their themes."""
    post = _deal_or_404(post_id)
    form = _interview_form()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.record_interview(
                    post,
                    form.answers(),
                    actor=current_user,
                    contact_name=form.contact_name.data,
                    quotes=interview_quotes(form),
                )
            except DomainError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                flash("The interview is recorded.", "success")
                return redirect(url_for("buyers.deal", post_id=post_id))
        else:
            status = 400
    return render_template("buyers/interview.html", post=post, form=form), status


# The public survey. Whatever is wrong with a link, the answer is this one page.


def _token_key() -> str:
    return "buyer-token:" + token_hash(str((request.view_args or {}).get("token", "")))


def _unavailable():
    return render_template("buyers/unavailable.html"), 404


def _survey_page(survey, form: AnswersForm, status: int = 200):
    post = survey.post
    return (
        render_template(
            "buyers/survey.html",
            form=form,
            company=post.account.name if post.account else "",
            area=survey.product_area,
            org=current_app.config["ORGANISATION_NAME"],
            retention_months=settings.get("buyer_retention_months"),
        ),
        status,
    )


def _answers_form() -> AnswersForm:
    form = AnswersForm()
    form.main_reason.choices = reason_choices(services.buyer_reasons())
    return form


@survey_bp.route("/<path:token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["BUYER_LIMIT_PER_ADDRESS"])
@limiter.limit(
    lambda: current_app.config["BUYER_LIMIT_PER_TOKEN"], key_func=_token_key, methods=["POST"]
)
def answer(token: str):
    """The buyer's survey: no account, one use, one neutral page for every unusable link."""
    survey = services.open_survey(token)
    if survey is None:
        return _unavailable()
    form = _answers_form()
    if request.method == "GET":
        return _survey_page(survey, form)
    if not form.validate():
        return _survey_page(survey, form, 400)
    try:
        response = services.submit(token, form.answers())
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _survey_page(survey, form, exc.status)
    if response is None:
        db.session.rollback()
        return _unavailable()
    db.session.commit()
    return redirect(url_for("survey.thanks"))


@survey_bp.get("/thanks")
def thanks():
    """Thank you: nothing else is reachable from here."""
    return render_template("buyers/thanks.html")


@bp.route("/answers/<int:response_id>/evidence", methods=["GET", "POST"])
@require("buyer.evidence")
def evidence(response_id: int):
    """Turn a buyer's answer into a report filed for the rep, or evidence on a report or fix."""
    response = queries.response(response_id)
    if response is None or not can(current_user, "buyer.view", response.post):
        abort(404)
    form = EvidenceForm()
    form.quote.choices = [("", "The whole answer")] + [
        (str(q.id), q.text[:80]) for q in response.quotes
    ]
    status = 200
    if request.method == "POST":
        if form.validate():
            quote = next((q for q in response.quotes if str(q.id) == form.quote.data), None)
            try:
                target_id = to_id(form.target_id.data) if form.target_id.data else None
            except ValueError:
                target_id = 0  # no such report or fix: refused below like a missing one
            try:
                made = services.add_evidence(
                    response,
                    actor=current_user,
                    target=form.target.data,
                    target_id=target_id,
                    quote=quote,
                )
            except DomainError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                if made.fix_id:
                    flash("The buyer's answer is evidence on the fix.", "success")
                    return redirect(url_for("fixes.detail", fix_id=made.fix_id))
                flash("The buyer's answer is on the report.", "success")
                return redirect(url_for("feedback.detail", post_id=made.post_id))
        else:
            status = 400
    return render_template(
        "buyers/evidence.html", response=response, post=response.post, form=form
    ), status


# The theme taxonomy (admins): create, rename, merge; the history shows every change.


def _themes_page(form=None, status: int = 200, error: str = ""):
    return (
        render_template(
            "buyers/themes.html",
            themes=queries.themes(active_only=False),
            history=themes.history(),
            form=form or ThemeForm(),
            error=error,
        ),
        status,
    )


@bp.get("/themes")
@require("admin.buyer_themes")
def theme_list():
    """The themes that tag buyer quotes, and their history."""
    return _themes_page()


@bp.post("/themes")
@require("admin.buyer_themes")
def theme_create():
    """Add a theme."""
    form = ThemeForm()
    if not form.validate():
        return _themes_page(form, 400)
    try:
        themes.create_theme(form.name.data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return _themes_page(form, exc.status, exc.message)
    db.session.commit()
    flash("Theme added.", "success")
    return redirect(url_for("buyers.theme_list"))


def _theme_or_404(theme_id: int):
    theme = queries.theme(theme_id)
    if theme is None:
        abort(404)
    return theme


@bp.post("/themes/<int:theme_id>/rename")
@require("admin.buyer_themes")
def theme_rename(theme_id: int):
    """Rename a theme (the old name stays in the history)."""
    theme = _theme_or_404(theme_id)
    form = ThemeForm()
    if not form.validate():
        return _themes_page(status=400, error="Give the theme a name of up to 80 characters.")
    try:
        themes.rename_theme(theme, form.name.data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return _themes_page(status=exc.status, error=exc.message)
    db.session.commit()
    flash("Theme renamed.", "success")
    return redirect(url_for("buyers.theme_list"))


@bp.post("/themes/<int:theme_id>/merge")
@require("admin.buyer_themes")
def theme_merge(theme_id: int):
    """Merge a theme into another: its quotes move, it is retired, the history says so."""
    theme = _theme_or_404(theme_id)
    form = MergeThemeForm()
    form.into.choices = [(t.id, t.name) for t in queries.themes()]
    if not form.validate():
        return _themes_page(status=400, error="Choose the theme to merge into.")
    try:
        themes.merge_theme(theme, _theme_or_404(form.into.data), actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return _themes_page(status=exc.status, error=exc.message)
    db.session.commit()
    flash("Themes merged.", "success")
    return redirect(url_for("buyers.theme_list"))


@survey_bp.after_request
def _private(response):
    """The survey's pages carry a live link in their address: never cached, never referred."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
