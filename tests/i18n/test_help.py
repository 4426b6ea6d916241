"""`azwa --help` in Dutch by default: every command's help, short help, option and argument
help, the headings and Typer's and Click's own texts, and the usage errors; English with
`--lang en` or AZWA_LANG=en (docs/language.md, workflow/cli/helptext.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import typer
from typer._click import Context
from typer.testing import CliRunner

from workflow.cli.helptext import ERRORS, SUGGESTIONS, HelpCommand, HelpGroup, said_error
from workflow.cli.main import LAZY, app
from workflow.core import i18n


def azwa(*args: str, lang: str | None = "nl", cli: Any = app) -> tuple[int, str]:
    """Exit status and everything printed (stdout and stderr) of `azwa args`, with
    AZWA_LANG=lang (None: unset)."""
    result = CliRunner().invoke(cli, list(args), env={"AZWA_LANG": lang, "COLUMNS": "100"})
    return result.exit_code, result.output


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of `command` and of every command under it, lazy ones loaded."""
    yield path
    if isinstance(command, typer.core.TyperGroup):
        ctx = Context(command, info_name="azwa")
        for name in command.list_commands(ctx):
            yield from command_paths(command.get_command(ctx, name), (*path, name))


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    if isinstance(command, typer.core.TyperGroup):
        ctx = Context(command, info_name="azwa")
        for name in command.list_commands(ctx):
            yield from commands(command.get_command(ctx, name), (*path, name))


def untranslated_help(cli: Any) -> set[str]:
    """The help texts of every command of `cli` that the Dutch catalogue lacks (each
    command's `--help` rendered in Dutch)."""
    i18n.forget_missing()
    for path in command_paths(typer.main.get_command(cli)):
        status, output = azwa(*path, "--help", cli=cli)
        assert status == 0, (path, output)
    return {message for language, _context, message in i18n.missing() if language == "nl"}


def test_every_help_text_has_its_dutch() -> None:
    """`--help` of `azwa`, of every group and of every command, the lazy ones included, in
    Dutch: any help text, heading or Typer/Click text the catalogue lacks fails here."""
    assert sorted(untranslated_help(app)) == []


def test_every_command_renders_its_help_through_the_catalogue() -> None:
    """No command escapes the translation: each is a HelpCommand or HelpGroup once its group
    hands it out (a plain Typer command would print its English help, and miss nothing)."""
    plain = [" ".join(path) for path, command in commands(typer.main.get_command(app))
             if not isinstance(command, HelpCommand | HelpGroup)]
    assert plain == []
    assert {p[0] for p, _c in commands(typer.main.get_command(app)) if p} >= set(LAZY)


def test_an_untranslated_help_text_is_caught() -> None:
    """The refused case: a command whose help (or an option's) has no Dutch is named."""
    fixture = typer.Typer(cls=HelpGroup, rich_markup_mode=None, add_completion=False,
                          help="Run IZA/AZWA transformation-fund plans through the process: "
                          "register, fire triggers, expire deadlines, and show where each "
                          "plan stands.")

    @fixture.callback()
    def group() -> None:
        pass

    @fixture.command("frobnicate")
    def frobnicate(widgets: Annotated[int, typer.Option(
            help="How many widgets to frobnicate.")] = 1) -> None:
        """Frobnicate the widgets, in a language nobody reads."""

    assert untranslated_help(fixture) == {"Frobnicate the widgets, in a language nobody reads.",
                                          "How many widgets to frobnicate."}


@pytest.mark.parametrize(("args", "lang", "expected", "absent"), [
    (("plan", "fire", "--help"), "nl", ["Gebruik: azwa plan fire [OPTIES]", "Argumenten:",
                                        "Opties:", "--as", "De rol waarin u handelt",
                                        "[verplicht]", "Toon deze hulptekst en stop."],
     ["Usage:", "The role you act in", "Show this message"]),
    (("plan", "fire", "--help"), None, ["Gebruik:", "De rol waarin u handelt"], ["Usage:"]),
    (("--lang", "en", "plan", "fire", "--help"), "nl",
     ["Usage: azwa plan fire [OPTIONS]", "Arguments:", "Options:",
      "The role you act in, e.g. plan_maker.", "[required]", "Show this message and exit."],
     ["Gebruik", "De rol"]),
    (("plan", "fire", "--help"), "en", ["Usage:", "The role you act in"], ["Gebruik", "De rol"]),
    (("--help",), "nl", ["Opdrachten:", "plan        Registreer plannen",
                         "replay      Speel een logboek opnieuw af"], ["Commands:"]),
    (("--lang", "en", "--help"), "nl", ["Commands:", "replay      Replay an event log"],
     ["Opdrachten"]),
])
def test_help_reads_in_the_chosen_language(args: tuple[str, ...], lang: str | None,
                                           expected: list[str], absent: list[str]) -> None:
    """Dutch by default (AZWA_LANG unset or nl), English with `--lang en` (read before
    the help, though `--lang` comes after the group is built) or AZWA_LANG=en."""
    status, output = azwa(*args, lang=lang)
    assert status == 0, output
    for text in expected:
        assert text in output
    for text in absent:
        assert text not in output


@pytest.mark.parametrize(("args", "lang", "expected"), [
    (("plan", "fire", "P1"), "nl", ["Probeer 'azwa plan fire --help' voor hulp.",
                                    "Fout: Argument 'trigger' ontbreekt."]),
    (("--lang", "en", "plan", "fire", "P1"), "nl", ["Try 'azwa plan fire --help' for help.",
                                                    "Error: Missing argument 'trigger'."]),
    (("plan", "fire", "P1", "t"), "nl", ["Fout: Optie '--as' ontbreekt."]),
    (("plan", "regster"), "nl", ["Fout: Opdracht 'regster' bestaat niet. Bedoelt u "
                                 "'register'?"]),
    (("plan", "regster"), "en", ["Error: No such command 'regster'. Did you mean "
                                 "'register'?"]),
    (("--lang", "en", "nosuch"), "nl", ["Error: No such command 'nosuch'."]),
    (("plan", "show", "P1", "--bla"), "nl", ["Fout: Optie bestaat niet: --bla"]),
    (("plan", "show", "P1", "--db"), "nl", ["Fout: Optie '--db' vraagt een waarde."]),
    (("plan", "show", "P1", "P2"), "nl", ["Fout: Onverwachte extra argumenten (P2)"]),
])
def test_usage_errors_read_in_the_chosen_language(args: tuple[str, ...], lang: str,
                                                  expected: list[str]) -> None:
    """Click's usage errors, said from their parts in the reader's language (exit 2)."""
    i18n.forget_missing()
    status, output = azwa(*args, lang=lang)
    assert status == 2, output
    for text in expected:
        assert text in output
    assert i18n.missing() == set()


def test_every_usage_error_template_has_its_dutch() -> None:
    """The templates Click's usage errors are said by are in the catalogue."""
    i18n.forget_missing()
    with i18n.reading("nl"):
        said = [i18n._(template) for _pattern, template in (*ERRORS, *SUGGESTIONS)]
    assert i18n.missing() == set()
    assert len(set(said)) == len(ERRORS) + len(SUGGESTIONS)


def test_an_unknown_usage_error_is_shown_as_given() -> None:
    """A message no template knows is shown as Click wrote it (data, not a sentence of ours)."""
    with i18n.reading("nl"):
        assert said_error("something new.") == "something new."
        assert said_error("Missing option '--as'.") == "Optie '--as' ontbreekt."


def test_the_installed_command_helps_in_dutch_when_nothing_is_set(tmp_path: Any) -> None:
    """`azwa --help` as a user runs it, AZWA_LANG unset: Dutch."""
    env = {k: v for k, v in os.environ.items() if k != "AZWA_LANG"}
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.main import main; main()",
                           "--help"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Gebruik: azwa [OPTIES] OPDRACHT [ARGUMENTEN]...")
    assert "Toon deze hulptekst en stop." in done.stdout
