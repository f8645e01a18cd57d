"""What the search migration makes by hand, kept out of autogenerate comparisons."""


def include_name(name, type_, parent_names) -> bool:
    """Leave out what the search migration (0006_search) makes by hand.

    On SQLite: the FTS5 table search_index and its shadow tables (search_index_data, ...).
    On PostgreSQL: the tsvector columns search_documents.tsv and .tsv_title, their GIN indexes.
    """
    if type_ == "table":
        return not (name or "").startswith("search_index")
    if type_ == "column":
        return not (
            parent_names.get("table_name") == "search_documents" and name in ("tsv", "tsv_title")
        )
    if type_ == "index":
        return name not in ("ix_search_documents_tsv", "ix_search_documents_tsv_title")
    return True
