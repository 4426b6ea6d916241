"""`--help` and usage errors in the reader's language (docs/language.md).

The help texts stay in the code in English, as written: they are the message ids. They are
translated when help is rendered, so the language `--lang` or AZWA_LANG chose applies, also
to a command built before `--lang` was read. `HelpCommand` and `HelpGroup` render a
command's help, its short help in a group's list, each parameter's help, the headings and
the usage line through `_()`; a group hands out its sub-commands as these classes
(`localised`), so every command Typer builds, lazy ones included, renders this way. Typer's
own texts (`default: ...`, `required`, `No such command ...`) go through its gettext `_`,
which reads our catalogue here; the usage errors Click writes in English (`Missing option
'--as'.`) are said again from their parts (`said_error`).

Nothing here imports more than Typer itself has already loaded.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer.core
from typer._click import exceptions as click_errors
from typer._click._compat import get_text_stderr
from typer._click.utils import echo, make_default_short_help
from typer.core import TyperCommand, TyperGroup

from workflow.core.i18n import _

# Typer's own texts (`required`, `default: ...`, `No such command ...`, `Aborted!`) are looked
# up through its module's gettext `_` when shown: ours, from importing the command line on.
typer.core._ = _  # type: ignore[attr-defined]


def help_text(text: str | None) -> str:
    """A command's help in the reader's language: each paragraph is a message id, its
    whitespace made single (a paragraph Click must not rewrap, `\\b`, as written)."""
    if not text:
        return ""
    paragraphs = inspect.cleandoc(text).partition("\f")[0].split("\n\n")
    return "\n\n".join(_(p) if p.startswith("\b") else _(" ".join(p.split()))
                       for p in paragraphs)


def _record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """A parameter's help line with its own help translated (Typer's `[default: x;
    required]` after it is translated by Typer's `_`)."""
    record: tuple[str, str] | None = param.get_help_record(ctx)
    if record is None or not param.help:
        return record
    names, line = record
    said = _(" ".join(param.help.split()))  # looked up even if Typer wrote it otherwise
    if line.startswith(param.help):
        line = said + line[len(param.help):]
    return names, line


def localised(command: Any) -> Any:
    """`command` rendering its help through the catalogue: a plain Typer command or group
    becomes a HelpCommand or HelpGroup (the same object; its own subclasses of Typer's are
    written on these already)."""
    if type(command) is TyperCommand:
        command.__class__ = HelpCommand
    elif type(command) is TyperGroup:
        command.__class__ = HelpGroup
    return command


# What HelpCommand and HelpGroup render alike: functions both classes take as methods (a
# mixin class would change the object layout, and a command's class is set to these).


def _format_usage(self: Any, ctx: Any, formatter: Any) -> None:
    pieces = self.collect_usage_pieces(ctx)
    if pieces and pieces[0] == self.options_metavar:
        pieces[0] = _(pieces[0])
    if getattr(self, "subcommand_metavar", None) and pieces[-1] == self.subcommand_metavar:
        pieces[-1] = _(pieces[-1])
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))


def _format_help_text(self: Any, ctx: Any, formatter: Any) -> None:
    text = help_text(self.help)
    if text:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


def _get_short_help_str(self: Any, limit: int = 45) -> str:
    if self.short_help:
        return help_text(self.short_help).strip()
    return make_default_short_help(help_text(self.help), limit).strip()


def _format_options(self: Any, ctx: Any, formatter: Any) -> None:
    rows: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in self.get_params(ctx):
        record = _record(param, ctx)
        if record is not None and param.param_type_name in rows:
            rows[param.param_type_name].append(record)
    for kind, heading in (("argument", "Arguments"), ("option", "Options")):
        if rows[kind]:
            with formatter.section(_(heading)):
                formatter.write_dl(rows[kind])
    if isinstance(self, TyperGroup):
        self.format_commands(ctx, formatter)


class HelpCommand(TyperCommand):
    """A Typer command whose help reads in the reader's language."""

    __slots__ = ()  # as Typer's: a command Typer built may become one (`localised`)
    format_usage = _format_usage
    format_help_text = _format_help_text
    get_short_help_str = _get_short_help_str
    format_options = _format_options


class HelpGroup(TyperGroup):
    """A Typer group whose help reads in the reader's language, handing out its commands
    so that theirs does too."""

    __slots__ = ()
    format_usage = _format_usage
    format_help_text = _format_help_text
    get_short_help_str = _get_short_help_str
    format_options = _format_options

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return localised(super().get_command(ctx, cmd_name))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        for name in names:
            line = self.short_help_of(ctx, name, limit)
            if line is not None:
                rows.append((name, line))
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def short_help_of(self, ctx: Any, name: str, limit: int) -> str | None:
        """A command's line in the list (None: hidden or unknown)."""
        command = self.get_command(ctx, name)
        if command is None or command.hidden:
            return None
        return str(command.get_short_help_str(limit))


ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Missing option (?P<name>.+)\.$", re.S), "Missing option {name}."),
    (re.compile(r"Missing argument (?P<name>.+)\.$", re.S), "Missing argument {name}."),
    (re.compile(r"No such option: (?P<name>.+)$", re.S), "No such option: {name}"),
    (re.compile(r"Got unexpected extra argument\(s\) \((?P<extra>.*)\)$", re.S),
     "Got unexpected extra argument(s) ({extra})"),
    (re.compile(r"Option (?P<name>'.+') requires an argument\.$", re.S),
     "Option {name} requires an argument."),
    (re.compile(r"Option (?P<name>'.+') does not take a value\.$", re.S),
     "Option {name} does not take a value."),
    (re.compile(r"Invalid value for (?P<name>[^:]+): (?P<problem>.*)$", re.S),
     "Invalid value for {name}: {problem}"),
)
"""The usage errors Click composes in English, as the catalogue's templates; what a
template's values hold (an option's name, the value given, a converter's message) is shown
as given."""
SUGGESTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?P<said>.+?)\.? Did you mean (?P<options>.+)\?$", re.S),
     "Did you mean {options}?"),
    (re.compile(r"(?P<said>.+?) \(Possible options: (?P<options>.+)\)$", re.S),
     "(Possible options: {options})"),
)
"""What Click and Typer add after an unknown command or option."""


def said_error(message: str) -> str:
    """A usage error's message in the reader's language: a known template translated with
    its parts, any other as given; a suggestion after it as well."""
    for pattern, template in SUGGESTIONS:
        found = pattern.match(message)
        if found is not None:
            said = said_error(found["said"])
            joiner = ". " if template.startswith("Did") and not said.endswith(".") else " "
            return said + joiner + _(template).format(options=found["options"])
    for pattern, template in ERRORS:
        found = pattern.match(message)
        if found is not None:
            return _(template).format(**found.groupdict())
    return message


def _show(error: Any, file: Any = None) -> None:
    """UsageError.show in the reader's language: the usage line, the hint, the error."""
    stream = file if file is not None else get_text_stderr()
    ctx = getattr(error, "ctx", None)
    color = getattr(error, "show_color", None)
    if ctx is not None:
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
        echo(f"{ctx.get_usage()}\n{hint}", file=stream, color=color)
    echo(_("Error: {message}").format(message=said_error(error.format_message())),
         file=stream, color=color)


def in_reader_language(error: BaseException) -> None:
    """Let a usage error Click will show say itself in the reader's language (the help
    shown for a command given no arguments is help already)."""
    if (isinstance(error, click_errors.ClickException)
            and not isinstance(error, click_errors.NoArgsIsHelpError)):
        error.show = lambda file=None: _show(error, file)  # type: ignore[method-assign]

