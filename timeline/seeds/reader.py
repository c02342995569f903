"""YAML as people write it, read from ruamel.yaml's event stream into plain data with
the line of every value.

Composing the events here, rather than with a YAML constructor, is what lets every
check be cheap and bounded: plain scalars stay text (YAML 1.2 has no `NO`/`yes`
booleans; `0123` stays `0123`) and the seed models convert numbers and dates, so a bad
one is a located error; nesting is capped before it can exhaust the stack; aliases
are shared, never copied, and their expanded size is counted as they are met, so a
billion-laughs file is refused at once; merge keys (`<<`) work. The C parser
(ruamel.yaml.clib) is used when it is installed: the pure-Python one is 20x slower.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from timeline.errors import FileInputError
from timeline.validation import location

try:
    from ruamel.yaml import cyaml

    _CParser = getattr(cyaml, "CParser", None)
except ImportError:  # pragma: no cover - no compiler and no wheel for this platform
    _CParser = None

MAX_DEPTH = 64
MAX_ALIAS_VALUES = 100_000  # values that aliases may add, in all
SHARED_LENGTH = 64  # values up to this long are kept once however often they occur
NULLS = frozenset(("", "~", "null", "Null", "NULL"))
CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)

# The usual remedy for what the parser reports, by the start of its message.
REMEDIES = {
    "mapping values are not allowed": "a value that contains ': ' must be quoted, "
    'as in title: "Tusk: x"',
    "found character that cannot start any token": "indent with spaces, not tabs; quote a "
    "value that starts with @ or `",
    "found character '\\t'": "indent with spaces, not tabs",
    "could not find expected ':'": "each entry is `key: value`; quote a value that spans "
    "lines or contains ': '",
    "did not find expected key": "check the indentation: the entries of a mapping line up",
    "did not find expected '-' indicator": "check the indentation: the items of a list line up",
    "did not find expected ',' or ']'": "a list in brackets must end with ]",
    "did not find expected ',' or '}'": "a mapping in braces must end with }",
    "found unexpected end of stream": "a quoted value is not closed",
    "found unknown escape character": "in double quotes a backslash starts an escape: "
    "use single quotes, or write \\\\",
}


@dataclass
class Tree:
    """A parsed file: its data, and the line of each value, by container."""

    data: Any
    lines: dict[int, dict[Any, int]] = field(default_factory=dict)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # id(mapping) -> quote
    problems: list[FileInputError] = field(default_factory=list)

    def line(self, path: tuple[int | str, ...]) -> int | None:
        """The line of the value at `path`, or of its nearest container that exists."""
        node, found = self.data, None
        for part in path:
            lines = self.lines.get(id(node))
            if lines is None or part not in lines:
                break
            found = lines[part]
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return found if found is not None else self.lines.get(id(self.data), {}).get(None, 1)


class _Frame:
    __slots__ = ("anchor", "key", "key_line", "lines", "merges", "node", "size")

    def __init__(self, node: Any, anchor: str | None, line: int) -> None:
        self.node = node
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_line = line
        self.lines: dict[Any, int] = {None: line}
        self.merges: list[tuple[Any, int]] = []
        self.size = 1


_NO_KEY = object()


def _parser(content: str | bytes) -> Any:
    if _CParser is not None:
        return _CParser(content)
    from ruamel.yaml.main import YAML  # pragma: no cover

    return iter(YAML(typ="safe", pure=True).parse(content))  # pragma: no cover


def _events(content: str | bytes) -> Any:
    parser = _parser(content)
    if _CParser is None:  # pragma: no cover
        yield from parser
        return
    while parser.check_event():
        yield parser.get_event()


Hook = Callable[[str, int, Any], bool]


def read_tree(
    content: str | bytes, name: str, *, track: bool = True, on_item: Hook | None = None
) -> Tree:
    """Compose the one document of `content` (UTF-8 bytes, or text); a syntax error is
    raised, other problems (duplicate keys, NUL characters) are collected in `problems`.
    Without `track`, the lines and quote spans are not kept (a file without errors never
    needs them: a third less time and half the memory); a duplicate key then reads the
    file again with them.

    `on_item(section, index, value)` is given each item of a top-level list as soon as
    it is complete; when it returns True (it kept what it needed), the item is not kept
    in the tree, so a large file is never held whole twice."""
    if not track:
        tree = _compose(content, name, False, on_item)
        return tree if not tree.problems else _compose(content, name, True, on_item)
    return _compose(content, name, True, on_item)


def _compose(content: str | bytes, name: str, track: bool, on_item: Hook | None) -> Tree:
    tree = Tree(None)
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    alias_values = 0
    documents = 0
    shared: dict[str, str] = {}  # short values repeat (slugs, roles, types): one copy each

    def where(line: int) -> tuple[str, int]:
        path: list[int | str] = []
        for frame in stack:
            if isinstance(frame.node, list):
                path.append(len(frame.node))
            elif frame.key is not _NO_KEY and isinstance(frame.key, str | int):
                path.append(frame.key)
        if len(path) > 8:  # a place nested deeper than any seed goes: its start is enough
            return location(tuple(path[:4])) + "…", line
        return location(tuple(path)), line

    def fail(line: int, message: str) -> FileInputError:
        place, line = where(line)
        return FileInputError(name, place or None, message, line=line)

    def add(value: Any, size: int, line: int) -> None:
        if not stack:
            tree.data = value
            tree.lines[id(value)] = tree.lines.get(id(value), {None: line})
            return
        frame = stack[-1]
        frame.size += size
        if (
            on_item is not None
            and len(stack) == 2
            and isinstance(frame.node, list)
            and isinstance(stack[0].key, str)
            and on_item(stack[0].key, len(frame.node), value)
        ):
            value = None
        if isinstance(frame.node, list):
            if track:
                frame.lines[len(frame.node)] = line
            frame.node.append(value)
        elif frame.key is _NO_KEY:
            if isinstance(value, list | dict):
                raise fail(line, "a key must be plain text, not a list or mapping")
            frame.key, frame.key_line = value, line
        else:
            key, frame.key = frame.key, _NO_KEY
            if key == "<<":
                frame.merges.append((value, line))
            elif key in frame.node:
                first = frame.lines.get(key, "?")
                frame.key = key  # so that the place names it
                tree.problems.append(
                    fail(frame.key_line, f"duplicate key {key!r} (first on line {first})")
                )
                frame.key = _NO_KEY
            else:
                frame.node[key] = value
                if track:
                    frame.lines[key] = frame.key_line

    try:
        for event in _events(content):
            kind = type(event)
            if kind is ev.ScalarEvent:
                line = event.start_mark.line + 1
                value = event.value
                if event.tag not in (None, "!") and event.tag not in CORE_TAGS:
                    raise fail(line, f"YAML tag {event.tag} is not supported here")
                if event.implicit[0] and event.style in (None, "") and value in NULLS:
                    value = None
                elif "\x00" in value:
                    tree.problems.append(fail(line, "NUL characters are not allowed"))
                elif len(value) <= SHARED_LENGTH:
                    value = shared.setdefault(value, value)
                if (
                    track
                    and stack
                    and isinstance(stack[-1].node, dict)
                    and stack[-1].key == "quote"
                    and isinstance(value, str)
                    and event.style not in ("|", ">")
                ):
                    tree.spans[id(stack[-1].node)] = (event.start_mark.index, event.end_mark.index)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                add(value, 1, line)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                line = event.start_mark.line + 1
                if len(stack) >= MAX_DEPTH:
                    raise fail(line, f"nested more than {MAX_DEPTH} levels deep")
                node: Any = {} if kind is ev.MappingStartEvent else []
                stack.append(_Frame(node, event.anchor, line))
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                frame = stack.pop()
                if frame.merges:
                    _merge(frame, fail)
                if track:
                    tree.lines[id(frame.node)] = frame.lines
                if frame.anchor:
                    anchors[frame.anchor] = (frame.node, frame.size)
                add(frame.node, frame.size, frame.lines[None])
            elif kind is ev.AliasEvent:
                line = event.start_mark.line + 1
                if event.anchor not in anchors:
                    name_ = event.anchor
                    raise fail(line, f"unknown alias *{name_} (no &{name_} before it)")
                value, size = anchors[event.anchor]
                alias_values += size
                if alias_values > MAX_ALIAS_VALUES:
                    raise fail(
                        line,
                        f"aliases expand to more than {MAX_ALIAS_VALUES} values; "
                        "write the repeated parts out",
                    )
                add(value, size, line)
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    line = event.start_mark.line + 1
                    raise FileInputError(
                        name, None, "more than one YAML document (a second ---)", line=line
                    )
    except MarkedYAMLError as exc:
        raise syntax_error(exc, name) from None
    except YAMLError as exc:
        raise FileInputError(name, None, f"invalid YAML: {exc}") from None
    return tree


def _merge(frame: _Frame, fail: Any) -> None:
    """`<<: *defaults` (or a list of them): their entries, unless the mapping has its own."""
    node: dict[Any, Any] = frame.node
    for value, line in frame.merges:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise fail(line, "`<<` merges a mapping (or a list of them), like <<: *defaults")
            for key, item in source.items():
                if key not in node:
                    node[key] = item
                    frame.lines[key] = line


def syntax_error(exc: MarkedYAMLError, name: str) -> FileInputError:
    """A parser error with its line and column, and the usual remedy."""
    mark = exc.problem_mark or exc.context_mark
    problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
    remedy = next((text for start, text in REMEDIES.items() if problem.startswith(start)), None)
    message = f"{problem}: {remedy}" if remedy else problem
    if mark is None:
        return FileInputError(name, None, f"invalid YAML: {message}")
    return FileInputError(
        name, f"column {mark.column + 1}", f"invalid YAML: {message}", line=mark.line + 1
    )
