"""The theme taxonomy that tags buyer quotes, curated by admins: created, renamed and merged,
every change kept in its history (``buyer_theme_events``). Flushes; the caller commits."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.buyers.models import BuyerTheme, BuyerThemeEvent, quote_themes
from forum.core.errors import DomainError
from forum.core.mail import one_line
from forum.extensions import db
from forum.taxonomy.services import term_key


def _key(name: str) -> str:
    return term_key(name)[:80]


def _free(name: str, theme: BuyerTheme | None = None) -> str:
    name = one_line(name or "", 80)
    if not name:
        raise DomainError("Name the theme.")
    clash = db.session.scalar(sa.select(BuyerTheme).where(BuyerTheme.name_key == _key(name)))
    if clash is not None and clash is not theme:
        raise DomainError("There is a theme of that name already.")
    return name


def create_theme(name: str, *, actor: User | None) -> BuyerTheme:
    name = _free(name)
    theme = BuyerTheme(name=name, name_key=_key(name))
    db.session.add(theme)
    db.session.flush()
    db.session.add(
        BuyerThemeEvent(
            theme_id=theme.id, actor_id=actor.id if actor else None, kind="created", to_name=name
        )
    )
    db.session.flush()
    return theme


def rename_theme(theme: BuyerTheme, name: str, *, actor: User) -> BuyerTheme:
    if not theme.active:
        raise DomainError("A merged theme cannot be renamed.")
    name = _free(name, theme)
    if name != theme.name:
        db.session.add(
            BuyerThemeEvent(
                theme_id=theme.id,
                actor_id=actor.id,
                kind="renamed",
                from_name=theme.name,
                to_name=name,
            )
        )
        theme.name, theme.name_key = name, _key(name)
    db.session.flush()
    return theme


def merge_theme(theme: BuyerTheme, into: BuyerTheme, *, actor: User) -> BuyerTheme:
    """Move every quote of ``theme`` to ``into`` and retire ``theme`` (it keeps its history)."""
    if theme.id == into.id or not theme.active or not into.active:
        raise DomainError("Merge an active theme into another active theme.")
    tagged = set(
        db.session.scalars(
            sa.select(quote_themes.c.quote_id).where(quote_themes.c.theme_id == into.id)
        )
    )
    moving = list(
        db.session.scalars(
            sa.select(quote_themes.c.quote_id).where(quote_themes.c.theme_id == theme.id)
        )
    )
    db.session.execute(sa.delete(quote_themes).where(quote_themes.c.theme_id == theme.id))
    new = [q for q in moving if q not in tagged]
    if new:
        db.session.execute(
            sa.insert(quote_themes), [{"quote_id": q, "theme_id": into.id} for q in new]
        )
    theme.active, theme.merged_into_id = False, into.id
    db.session.add(
        BuyerThemeEvent(
            theme_id=theme.id,
            actor_id=actor.id,
            kind="merged",
            from_name=theme.name,
            to_name=into.name,
            into_id=into.id,
        )
    )
    db.session.flush()
    db.session.expire_all()
    return into


def history() -> list[BuyerThemeEvent]:
    return list(
        db.session.scalars(
            sa.select(BuyerThemeEvent).order_by(
                BuyerThemeEvent.at.desc(), BuyerThemeEvent.id.desc()
            )
        )
    )
