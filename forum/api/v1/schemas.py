"""The schemas of /api/v1: they validate what callers send, shape what they get, and are what
the OpenAPI document is generated from. Input schemas refuse unknown fields (marshmallow's
default), so a field a caller may not set (author, status, counters, role) is a 422 naming it."""

import marshmallow as ma
from marshmallow import fields, validate

from forum.core.params import MAX_INT
from forum.feedback.forms import MAX_AMOUNT, MAX_BODY
from forum.feedback.models import Outcome, PostKind, PostStatus, PromiseBasis
from forum.fixes.models import FixStatus, Priority


class Text(fields.String):
    """Text the database can store: no NUL byte, no lone surrogate (PostgreSQL refuses both)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ma.ValidationError("NUL bytes are not allowed.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("Not valid Unicode text.") from None
        return value


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads as a field type
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_INT), **kwargs)


def _amount_in_range(value) -> None:
    if not 0 <= value <= MAX_AMOUNT:
        raise ma.ValidationError(f"Must be from 0 to {MAX_AMOUNT}.")


def Amount(**kwargs) -> fields.Decimal:  # noqa: N802
    """An amount (a number, or its digits as text); documented as a number in its range
    (apispec would write Range's bounds as text, which is no JSON schema)."""
    return fields.Decimal(
        places=2,
        validate=_amount_in_range,
        allow_nan=False,
        metadata={"minimum": 0, "maximum": MAX_AMOUNT},
        **kwargs,
    )


def _values(enum) -> list[str]:
    return [m.value for m in enum]


# ---- errors


class ErrorBodySchema(ma.Schema):
    code = fields.String(required=True, metadata={"description": "A stable, machine-readable code"})
    message = fields.String(required=True, metadata={"description": "What went wrong, in words"})
    details = fields.Dict(
        required=True,
        metadata={"description": "More about it: the invalid fields, what changed since, ..."},
    )


class ErrorSchema(ma.Schema):
    """Every error, whatever its status."""

    error = fields.Nested(ErrorBodySchema, required=True)


# ---- people


class TeamRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TokenInfoSchema(ma.Schema):
    prefix = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(["read", "write"]))
    expires_at = fields.DateTime(required=True, allow_none=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    team = fields.Nested(TeamRefSchema, required=True, allow_none=True)
    token = fields.Nested(
        TokenInfoSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The token of this request; null with the session cookie"},
    )


# ---- posts


class AuthorSchema(ma.Schema):
    label = fields.String(required=True, metadata={"description": "A name or the shield label"})
    id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null when shielded from you"}
    )


class RefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class FixRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, allow_none=True)
    url = fields.String(required=True)


class PostSchema(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_values(PostKind)))
    status = fields.String(required=True, validate=validate.OneOf(_values(PostStatus)))
    version = fields.Integer(required=True, metadata={"description": "Send it back to edit"})
    title = fields.String(required=True)
    body = fields.String(required=True)
    author = fields.Nested(AuthorSchema, required=True)
    shielded = fields.Boolean(required=True)
    region = fields.String(required=True, allow_none=True)
    team = fields.Nested(RefSchema, required=True, allow_none=True)
    account = fields.Nested(RefSchema, required=True, allow_none=True)
    tags = fields.List(fields.String(), required=True)
    corroborations = fields.Integer(required=True)
    currency = fields.String(required=True, allow_none=True)
    at_risk_by_currency = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "With its “me too”s, each account once, per currency"},
    )
    comments = fields.Integer(required=True, allow_none=True)
    fix = fields.Nested(FixRefSchema, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    outcome = fields.String(required=True, allow_none=True)
    deal_value = fields.String(required=True, allow_none=True)
    stage = fields.String(required=True, allow_none=True)
    competitor = fields.String(required=True, allow_none=True)
    promised = fields.String(required=True, allow_none=True)
    impact = fields.Integer(required=True, allow_none=True)
    revenue_at_risk = fields.String(required=True, allow_none=True)
    promised_date = fields.Date(required=True, allow_none=True)


class PostPageSchema(ma.Schema):
    posts = fields.List(fields.Nested(PostSchema), required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "Pass as `after` for more"}
    )


class FeedArgsSchema(ma.Schema):
    """The feed's filters (the same as the page's)."""

    class Meta:
        unknown = ma.EXCLUDE

    kind = fields.String(metadata={"enum": ["", *_values(PostKind)]})
    outcome = fields.String(metadata={"enum": ["", *_values(Outcome)]})
    status = fields.String(metadata={"enum": ["", *_values(PostStatus)]})
    team = fields.String(metadata={"description": "A team id"})
    region = fields.String(metadata={"description": "A sales region's team id"})
    account = fields.String(metadata={"description": "An account id"})
    author = fields.String(metadata={"description": "An author's user id"})
    tag = fields.String()
    sort = fields.String(metadata={"enum": ["", "newest", "corroborated", "risk"]})
    after = fields.String(metadata={"description": "The cursor `next` of the previous page"})


class PostFieldsSchema(ma.Schema):
    """What a reporter may say in a post; each kind uses its own fields."""

    title = Text(required=True, validate=validate.Length(1, 200))
    body = Text(required=True, validate=validate.Length(1, MAX_BODY))
    account = Text(validate=validate.Length(max=120), load_default="")
    team_id = Id(allow_none=True, load_default=None)
    tags = fields.List(Text(validate=validate.Length(max=40)), validate=validate.Length(max=8))
    # win/loss
    outcome = fields.String(validate=validate.OneOf(_values(Outcome)), allow_none=True)
    deal_value = Amount(allow_none=True)
    currency = Text(validate=validate.Regexp(r"^[A-Za-z]{3}$"), allow_none=True)
    stage = Text(validate=validate.Length(max=120), allow_none=True)
    competitor_id = Id(allow_none=True)
    primary_reason_id = Id(allow_none=True)
    secondary_reason_ids = fields.List(Id(), validate=validate.Length(max=20))
    crm_opportunity_id = Text(validate=validate.Length(max=64), allow_none=True)
    cause_post_id = Id(allow_none=True)
    cause_fix_id = Id(allow_none=True)
    # broken promise
    promised = Text(validate=validate.Length(max=2000), allow_none=True)
    contact_name = Text(validate=validate.Length(max=120), allow_none=True)
    basis = fields.String(validate=validate.OneOf(_values(PromiseBasis)), allow_none=True)
    basis_detail = Text(validate=validate.Length(max=300), allow_none=True)
    commitment_id = Id(allow_none=True)
    promised_date = fields.Date(allow_none=True)
    impact = fields.Integer(strict=True, validate=validate.Range(1, 4), allow_none=True)
    revenue_at_risk = Amount(allow_none=True)


class PostCreateSchema(PostFieldsSchema):
    kind = fields.String(required=True, validate=validate.OneOf(_values(PostKind)))
    shielded = fields.Boolean(
        load_default=False, metadata={"description": "Reps only; ignored for others"}
    )
    submission_key = Text(
        validate=validate.Length(max=64),
        metadata={"description": "Send a unique key: a retried request files one post"},
    )


class PostEditSchema(PostFieldsSchema):
    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, MAX_INT),
        metadata={"description": "The post's version you edit; 409 if it changed since"},
    )


class CommentSchema(ma.Schema):
    id = fields.Integer(required=True)
    author = fields.String(required=True, metadata={"description": "A name or the shield label"})
    body = fields.String(required=True)
    internal = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class CommentListSchema(ma.Schema):
    comments = fields.List(fields.Nested(CommentSchema), required=True)


class CommentCreateSchema(ma.Schema):
    body = Text(required=True, validate=validate.Length(1, MAX_BODY))
    internal = fields.Boolean(
        load_default=False, metadata={"description": "An internal note: ops, leaders, admins"}
    )


class CorroborationCreateSchema(ma.Schema):
    account = Text(validate=validate.Length(max=120), load_default="")
    amount = Amount(allow_none=True, load_default=None)
    currency = Text(validate=validate.Regexp(r"^[A-Za-z]{3}$"), allow_none=True)
    note = Text(validate=validate.Length(max=500), load_default="")


class FollowSchema(ma.Schema):
    following = fields.Boolean(required=True)


# ---- fixes


class FixSchema(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    title = fields.String(required=True)
    problem = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(_values(FixStatus)))
    priority = fields.String(required=True, validate=validate.OneOf(_values(Priority)))
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with a transition"}
    )
    owner_team = fields.Nested(RefSchema, required=True)
    assignee = fields.String(required=True, allow_none=True)
    due_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(required=True, allow_none=True)
    moves = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The statuses you may move it to now"},
    )


class FixPageSchema(ma.Schema):
    fixes = fields.List(fields.Nested(FixSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class FixArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    status = fields.String(
        metadata={
            "enum": ["", "active", "any", *_values(FixStatus)],
            "description": "`active` (the default): every open status",
        },
    )
    team = fields.String(metadata={"description": "The owner team's id"})
    priority = fields.String(metadata={"enum": ["", *_values(Priority)]})
    overdue = fields.String(metadata={"enum": ["", "0", "1"]})
    page = fields.String(metadata={"description": "1, 2, ..."})


class EntrySchema(ma.Schema):
    at = fields.DateTime(required=True)
    who = fields.String(required=True, metadata={"description": "As the fix page names them"})
    kind = fields.String(required=True)
    from_value = fields.String(required=True)
    to_value = fields.String(required=True)
    note = fields.String(required=True)


class ChainSchema(ma.Schema):
    intact = fields.Boolean(required=True)
    entries = fields.Integer(required=True)


class HistorySchema(ma.Schema):
    entries = fields.List(fields.Nested(EntrySchema), required=True)
    chain = fields.Nested(ChainSchema, required=True)


class TransitionSchema(ma.Schema):
    to = fields.String(required=True, validate=validate.OneOf(_values(FixStatus)))
    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, MAX_INT),
        metadata={"description": "The fix's version your move is based on; 409 if stale"},
    )
    note = Text(validate=validate.Length(max=MAX_BODY), load_default="")
    resolution_note = Text(validate=validate.Length(max=MAX_BODY), load_default="")
    root_cause_id = Id(allow_none=True, load_default=None)
    prevention = Text(validate=validate.Length(max=MAX_BODY), load_default="")


class FixCommentCreateSchema(ma.Schema):
    body = Text(required=True, validate=validate.Length(1, MAX_BODY))


# ---- notifications


class NotificationSchema(ma.Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    url = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


class NotificationPageSchema(ma.Schema):
    notifications = fields.List(fields.Nested(NotificationSchema), required=True)
    unread = fields.Integer(required=True)


class PageArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    page = fields.String(metadata={"description": "1, 2, ..."})


# ---- accounts


class AccountSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    segment = fields.String(required=True)
    region = fields.String(required=True, allow_none=True)
    arr = fields.String(required=True, allow_none=True)
    arr_currency = fields.String(required=True)
    crm_id = fields.String(required=True, allow_none=True)


class AccountPageSchema(ma.Schema):
    accounts = fields.List(fields.Nested(AccountSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class AccountArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    q = fields.String(metadata={"description": "Part of the name or the CRM id"})
    segment = fields.String()
    region = fields.String(metadata={"description": "A sales region's team id"})
    page = fields.String(metadata={"description": "1, 2, ..."})


class LedgerEntrySchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class LedgerSchema(ma.Schema):
    account = fields.Nested(AccountSchema, required=True)
    entries = fields.List(fields.Nested(LedgerEntrySchema), required=True)


# ---- triage


class TriageSchema(ma.Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(["decline", "needs_info", "note", "duplicate", "attach"]),
    )
    text = Text(
        validate=validate.Length(max=MAX_BODY),
        load_default="",
        metadata={"description": "decline: the reason; needs_info: the question; note: a remark"},
    )
    original_id = Id(metadata={"description": "duplicate: the report it repeats"})
    fix_id = Id(metadata={"description": "attach: the fix to link it to"})


# ---- the accountability board


class BoardRowSchema(ma.Schema):
    team = fields.Nested(
        RefSchema, required=True, allow_none=True, metadata={"description": "null: all teams"}
    )
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    median_age_days = fields.Float(required=True, allow_none=True)
    ttr_median_days = fields.Float(required=True, allow_none=True)
    ttr_p90_days = fields.Float(required=True, allow_none=True)
    on_time_rate = fields.Float(required=True, allow_none=True)
    reopen_rate = fields.Float(required=True, allow_none=True)
    recurrence_rate = fields.Float(required=True, allow_none=True)


class BoardSchema(ma.Schema):
    period = fields.String(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True, metadata={"description": "The last day included"})
    teams = fields.List(fields.Nested(BoardRowSchema), required=True)
    total = fields.Nested(BoardRowSchema, required=True)


class BoardArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    period = fields.String(metadata={"enum": ["month", "quarter", "half", "year", "custom"]})
    on = fields.String(metadata={"description": "YYYY-MM-DD: the period containing that day"})
    from_ = fields.String(data_key="from", metadata={"description": "YYYY-MM-DD, the first day"})
    to = fields.String(metadata={"description": "YYYY-MM-DD, with `from`: a custom period"})
    region = fields.String(metadata={"description": "A sales region's team id"})
    team = fields.String(metadata={"description": "An operations team's id"})
    segment = fields.String()
