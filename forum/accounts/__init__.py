"""Customer accounts and their promise ledger."""
