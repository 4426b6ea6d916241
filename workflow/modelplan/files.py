"""Modelplan files: reading them (bounded), for either version of the process.

The checks themselves live in `states.modelplan` (`transformation@1`) and
`states.modelplan_v2` (`transformation@2`), so the engine's guard, the command line and an
assessor reading the report all judge a plan by the same rules (MP BE1–BE14). The empty
template is `workflow.modelplan.template`, the readable overview `workflow.modelplan.report`;
both are named here too, where the command line and older callers find them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeVar

import yaml

from states.modelplan import Modelplan, ModelplanError, parse_modelplan
from states.modelplan_v2_doc import ModelplanV2, parse_modelplan_v2
from workflow.core.phrase import Phrase, reader_problem
from workflow.modelplan.report import report
from workflow.modelplan.template import template

__all__ = ["DEFAULT_VERSION", "MAX_DEPTH", "MAX_FILE_BYTES", "VERSIONS", "ModelplanFileError",
           "Version", "load_data", "read_modelplan", "read_modelplan_v2", "report", "template"]

Version = Literal[1, 2]
VERSIONS: tuple[Version, ...] = (1, 2)
DEFAULT_VERSION: Version = 2
"""The version in force: `transformation@2` holds for plans registered from 2026-01-01, so a
modelplan written today is checked by its rules unless `--version 1` is asked."""
_Doc = TypeVar("_Doc")

MAX_FILE_BYTES = 1 << 20
"""The largest modelplan file read, in bytes: a filled-in modelplan is tens of kilobytes, and
one submitted travels in one event, which must fit in a log line (AZWA_MAX_LINE_BYTES, 1 MiB
by default). A larger file (or /dev/zero) is refused after this many bytes are read."""
MAX_DEPTH = 64
"""The deepest nesting of mappings and lists read, as for an event's payload (AZWA_MAX_DEPTH's
default; a modelplan needs three levels). Deeper input would exhaust the parser's recursion."""


class ModelplanFileError(Exception):
    """A modelplan file that cannot be read: the file, the line if known, the field if known.
    `message` is a `Phrase` (the command line says it in the reader's language)."""

    def __init__(self, file: str, message: str, *, line: int | None = None,
                 path: str = "") -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(": ".join(p for p in (where, path, message) if p))
        self.file, self.line, self.path, self.message = file, line, path, message


def _too_deep() -> str:
    return Phrase("nested deeper than {depth} levels", depth=MAX_DEPTH)


def _deepest_ok(data: object) -> bool:
    """Whether no mapping or list in `data` lies deeper than MAX_DEPTH (no recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        inner = (list(item.values()) if isinstance(item, dict)
                 else item if isinstance(item, list) else None)
        if inner is None:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((x, depth + 1) for x in inner)
    return True


def _load_json(text: str, file: str) -> object:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelplanFileError(file, Phrase("not valid JSON: {problem} (column {column})",
                                              problem=reader_problem(error.msg),
                                              column=error.colno), line=error.lineno) from None
    except RecursionError:
        raise ModelplanFileError(file, _too_deep()) from None
    if not _deepest_ok(data):
        raise ModelplanFileError(file, _too_deep())
    return data


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Alias(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping or list deeper than MAX_DEPTH before composing it
    (PyYAML composes nodes recursively: 5,000 levels would end in a RecursionError), and
    refusing aliases (`*name`): a modelplan needs none, and aliases of aliases ("billion
    laughs") make a few lines stand for more data than any check could walk."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Alias(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooDeep(mark.line + 1)
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1


def _load_yaml(text: str, file: str) -> object:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _TooDeep as deep:
        raise ModelplanFileError(file, _too_deep(), line=deep.line) from None
    except _Alias as alias:
        raise ModelplanFileError(file, Phrase("YAML aliases (*name) are not read in a "
                                              "modelplan: write the value out"),
                                 line=alias.line) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        detail = reader_problem(" ".join(str(problem).split()))
        if mark is not None:
            raise ModelplanFileError(file, Phrase("not valid YAML: {problem} (column {column})",
                                                  problem=detail, column=mark.column + 1),
                                     line=mark.line + 1) from None
        raise ModelplanFileError(file, Phrase("not valid YAML: {problem}",
                                              problem=detail)) from None


def load_data(file: str | Path) -> object:
    """The file's content as plain data: JSON or YAML by extension, else JSON and then YAML.

    At most MAX_FILE_BYTES are read, nesting at most MAX_DEPTH deep."""
    name = str(file)
    try:
        with Path(file).open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ModelplanFileError(name, Phrase("larger than {limit:,} bytes, the most a "
                                                  "modelplan file may hold",
                                                  limit=MAX_FILE_BYTES))
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ModelplanFileError(name, Phrase("cannot read the file: {reason}",
                                              reason=reason)) from None
    suffix = Path(file).suffix.lower()
    if suffix == ".json":
        return _load_json(text, name)
    if suffix in (".yaml", ".yml"):
        return _load_yaml(text, name)
    try:
        return _load_json(text, name)
    except ModelplanFileError as json_error:
        try:
            return _load_yaml(text, name)
        except ModelplanFileError:
            if text.lstrip().startswith(("{", "[")):
                raise json_error from None
            raise


def _read(file: str | Path, parse: Callable[[object], _Doc]) -> _Doc:
    data = load_data(file)
    try:
        return parse(data)
    except ModelplanError as error:
        raise ModelplanFileError(str(file), error.message, path=error.path) from None


def read_modelplan(file: str | Path) -> Modelplan:
    """Read and parse one modelplan file as `transformation@1` reads it; any problem is a
    `ModelplanFileError`."""
    return _read(file, parse_modelplan)


def read_modelplan_v2(file: str | Path) -> ModelplanV2:
    """Read one modelplan file as `transformation@2` reads it (v1's fields and
    `business_case`, `data_conditions`, `kpis`); any problem is a `ModelplanFileError`."""
    return _read(file, parse_modelplan_v2)

