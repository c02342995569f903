"""Fixed-width columns written row by row, in the look of the rich tables the other views
print. Rich lays a table out as a whole, which for `timeline events` on 100,000 events
took 73 s and 957 MB; this writes each row as it comes, with rich's own line breaking
and styles, so memory stays flat and time near the NDJSON output's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TextIO

from timeline.output.writers import escaped

GAP = "   "  # rich's SIMPLE_HEAD look: one space of padding each side of a blank rule

# A cell is its paragraphs, each a text and a style ("" for none): "title\nslug" with
# the slug dimmed is [("title", ""), ("slug", "dim")].
Cell = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    right: bool = False


class Grid:
    """Rows under a bold header and a rule, each cell wrapped at word boundaries (long
    words folded) to its column's width; colour only where `console` has it."""

    def __init__(self, columns: Sequence[Column], out: TextIO, console: Any) -> None:
        from rich._wrap import divide_line  # rich's line breaking: cells wrap as in its tables
        from rich.cells import cell_len
        from rich.color import ColorSystem

        self.divide_line, self.cell_len = divide_line, cell_len

        self.columns = columns
        self.out = out
        system = console.color_system
        self.colours = (
            None
            if system is None
            else {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT}.get(
                system, ColorSystem.TRUECOLOR
            )
        )
        self.styles: dict[str, Any] = {}
        self.no_color = console.no_color  # NO_COLOR keeps bold and dim, as rich does
        self.row([[(c.header, "bold")] for c in columns])
        width = sum(c.width for c in columns) + len(GAP) * (len(columns) - 1)
        self.out.write("─" * width + "\n")

    def row(self, cells: Sequence[Cell]) -> None:
        """One row; missing cells at the end are empty, an empty row a blank line."""
        columns = [
            self.lines(cell, column.width)
            for cell, column in zip(cells, self.columns, strict=False)
        ]
        columns += [[] for _ in self.columns[len(columns) :]]
        height = max(max(len(lines) for lines in columns), 1)
        for index in range(height):
            parts = []
            for lines, column in zip(columns, self.columns, strict=True):
                text, style, size = lines[index] if index < len(lines) else ("", "", 0)
                pad = " " * (column.width - size)
                if style and self.colours is not None and text:
                    text = self.style(text, style)
                parts.append(pad + text if column.right else text + pad)
            self.out.write(GAP.join(parts).rstrip() + "\n")

    def lines(self, cell: Cell, width: int) -> list[tuple[str, str, int]]:
        """A cell's lines with their style and width in terminal cells, its text with
        terminal controls escaped."""
        lines = []
        for paragraph, style in cell:
            for text in escaped(paragraph.replace("\t", " ")).split("\n"):
                size = len(text) if text.isascii() else self.cell_len(text)
                if size <= width:
                    lines.append((text, style, size))
                    continue
                breaks = [0, *self.divide_line(text, width), len(text)]
                for start, end in pairwise(breaks):
                    piece = text[start:end].rstrip()
                    lines.append((piece, style, self.cell_len(piece)))
        return lines

    def style(self, text: str, style: str) -> str:
        if style not in self.styles:
            from rich.style import Style

            parsed = Style.parse(style)
            self.styles[style] = parsed.without_color if self.no_color else parsed
        rendered: str = self.styles[style].render(text, color_system=self.colours)
        return rendered
