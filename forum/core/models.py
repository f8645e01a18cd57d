"""Declarative base with a naming convention, and the UTC timestamp column type."""

import enum
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from forum.core.time import as_utc, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC; always hands back aware UTC datetimes.

    PostgreSQL keeps the zone (timestamptz); SQLite has none, so values are written as naive UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use forum.core.time.utcnow()")
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return as_utc(value)


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


def enum_type(enum_class: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A column holding members of ``enum_class``, stored as their values in a VARCHAR(length):
    no database enum type and no CHECK constraint, so adding a member needs no migration."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=_enum_values,
        validate_strings=True,
    )


class LabelledEnum(StrEnum):
    """A string enum whose members carry a human label (``Priority.P1.label``)."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Base(DeclarativeBase):
    """Base for every model."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        # ``Mapped[FixStatus]`` and every other enum: its members, stored as values (VARCHAR(20)).
        type_annotation_map={datetime: UTCDateTime(), enum.Enum: enum_type(enum.Enum)},
    )


class TimestampMixin:
    """``created_at`` set once, in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
