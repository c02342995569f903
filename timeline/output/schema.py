"""`timeline schema` as text: each table's columns with their keys, then its
constraints and indexes, as a table or Markdown."""

from __future__ import annotations

from typing import Any, TextIO

from timeline.output.writers import write_rows


def write_schema(description: dict[str, Any], fmt: str, out: TextIO) -> None:
    markdown = fmt == "markdown"
    objects = [("table", t) for t in description["tables"]] + [
        ("view", v) for v in description["views"]
    ]
    for index, (kind, item) in enumerate(objects):
        if index:
            out.write("\n")
        out.write(f"{'### ' if markdown else ''}{item['name']} ({kind})\n\n")
        keys = _column_keys(item)
        rows = [
            [
                c["name"],
                c["type"] or "",
                "yes" if c["nullable"] else "no",
                _default(c),
                keys.get(c["name"], ""),
            ]
            for c in item["columns"]
        ]
        write_rows(["column", "type", "null", "default", "key"], rows, fmt, out)
        lines = _constraint_lines(item)
        if lines:
            out.write("\n")
        for line in lines:
            out.write(f"{'- ' if markdown else '  '}{line}\n")


def _column_keys(item: dict[str, Any]) -> dict[str, str]:
    keys: dict[str, list[str]] = {}
    for column in (item.get("primary_key") or {}).get("columns", []):
        keys.setdefault(column, []).append("PK")
    for fk in item.get("foreign_keys", []):
        target = fk["references"]
        for column, referred in zip(fk["columns"], target["columns"], strict=False):
            keys.setdefault(column, []).append(f"FK {target['table']}.{referred}")
    return {column: ", ".join(parts) for column, parts in keys.items()}


def _constraint_lines(item: dict[str, Any]) -> list[str]:
    def cols(columns: list[str]) -> str:
        return f"({', '.join(columns)})"

    lines = []
    pk = item.get("primary_key")
    if pk:
        lines.append(f"primary key {pk['name'] or ''} {cols(pk['columns'])}".replace("  ", " "))
    for fk in item.get("foreign_keys", []):
        target = fk["references"]
        on_delete = f" on delete {fk['on_delete']}" if fk["on_delete"] else ""
        lines.append(
            f"foreign key {fk['name']} {cols(fk['columns'])} -> "
            f"{target['table']} {cols(target['columns'])}{on_delete}"
        )
    for unique in item.get("unique", []):
        lines.append(f"unique {unique['name']} {cols(unique['columns'])}")
    for index in item.get("indexes", []):
        kind = "unique index" if index["unique"] else "index"
        lines.append(f"{kind} {index['name']} {cols(index['columns'])}")
    for check in item.get("checks", []):
        lines.append(f"check {check['name']}: {' '.join(check['sql'].split())}")
    return lines


def _default(column: dict[str, Any]) -> str:
    """A generated column says so; its expression is in `--format json`."""
    if column.get("generated") is not None:
        return "generated"
    return "" if column["default"] is None else str(column["default"])
