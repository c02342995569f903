"""Read-only access for `timeline sql` and `timeline schema`: the statement check
(`statement`), the runner that enforces it in layers (`runner`), the PostgreSQL reader
role (`roles`), result values as printed (`values`) and the schema description
(`describe`)."""
