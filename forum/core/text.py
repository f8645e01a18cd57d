"""Small text helpers shared by queries."""


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (use with ``escape='\\\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
