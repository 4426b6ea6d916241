"""`azwa modelplan`: check a modelplan before it is submitted, start one, report on one.

Exit status of `check`: 0 when the modelplan meets the checklist, 1 with findings, 2 when the
file cannot be read. An unreadable file is reported on one line naming the field, never with a
traceback: the people reading it fill in plans, they do not debug programs.

`--version` picks the rules: 2 (default) those of `transformation@2`, in force for plans
registered from 2026-01-01; 1 those of `transformation@1`, for a plan registered before.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from states.modelplan import Finding, Modelplan, check_modelplan
from states.modelplan_v2 import check_modelplan_v2
from states.modelplan_v2_doc import ModelplanV2
from workflow.cli.output import OutputError, check_output, write_output
from workflow.cli.text import said, visible
from workflow.core.i18n import _
from workflow.core.phrase import Phrase
from workflow.core.refusal_text import say
from workflow.modelplan.files import (
    ModelplanFileError,
    read_modelplan,
    read_modelplan_v2,
    report,
    template,
)

app = typer.Typer(
    name="modelplan",
    help="Check, start or report on a modelplan for the AZWA breakthrough funds (MP BE1–BE14).",
    no_args_is_help=True,
)


class TemplateFormat(StrEnum):
    yaml = "yaml"
    json = "json"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


class VersionChoice(StrEnum):
    one = "1"
    two = "2"


VersionOption = Annotated[VersionChoice, typer.Option(
    "--version", help="The rules to apply: 2 for transformation@2 (plans registered from "
    "2026-01-01), 1 for transformation@1.")]
PartyOption = Annotated[list[str] | None, typer.Option(
    "--party", help="Version 2: a party the plan is registered with (repeat for each); the "
    "applicants must be among them (MP BE12). Left out: not compared.")]
GrantedOption = Annotated[bool, typer.Option(
    "--single-applicant-granted", help="Version 2: the coordinating insurer granted a single "
    "applicant (grant_single_applicant, MP BE12).")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the output file if it "
                                                           "exists.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(_("error: {message}").format(message=visible(" ".join(message.split()))),
               err=True)
    return typer.Exit(code=2)


def _file_error(error: ModelplanFileError) -> str:
    """The reading error in the reader's language: a field's problem is a `Phrase`."""
    if not isinstance(error.message, Phrase):
        return str(error)
    where = f"{error.file}:{error.line}" if error.line is not None else error.file
    return say(Phrase("{where}: {path}: {message}", where=where, path=error.path,
                      message=error.message) if error.path else
               Phrase("{where}: {message}", where=where, message=error.message))


def _read(file: Path, version: VersionChoice) -> Modelplan | ModelplanV2:
    try:
        return read_modelplan(file) if version is VersionChoice.one else read_modelplan_v2(file)
    except ModelplanFileError as error:
        raise _fail(_file_error(error)) from None


def _plan_facts(version: VersionChoice, parties: list[str] | None, granted: bool) -> None:
    """Refuse the plan's facts for version 1, which reads neither (MP BE12 as v1 words it)."""
    if version is VersionChoice.one and (parties or granted):
        raise _fail(_("--party and --single-applicant-granted apply to --version 2 only: "
                      "transformation@1 takes the exemption from the document"))


def _findings(doc: Modelplan | ModelplanV2, parties: list[str] | None,
              granted: bool) -> list[Finding]:
    if isinstance(doc, ModelplanV2):
        return check_modelplan_v2(doc, parties=parties or None,
                                  single_applicant_granted=granted)
    return check_modelplan(doc)


def _check(output: Path | None, force: bool, source: Path | None = None) -> None:
    """Refuse an output that would replace a file (without --force) or the modelplan read."""
    if output is not None:
        try:
            check_output(output, force=force, forbidden=[source] if source else [])
        except OutputError as error:
            raise _fail(said(error)) from None


def _write(text: str, output: Path | None, force: bool, source: Path | None = None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        write_output(output, text, force=force, forbidden=[source] if source else [])
    except OutputError as error:
        raise _fail(said(error)) from None
    typer.echo(_("wrote {path}").format(path=output), err=True)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="The modelplan, JSON or YAML.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    version: VersionOption = VersionChoice.two,
    party: PartyOption = None,
    single_applicant_granted: GrantedOption = False,
) -> None:
    """Check a modelplan against the basiseisen; exit 0 ok, 1 findings, 2 unreadable."""
    _plan_facts(version, party, single_applicant_granted)
    findings = _findings(_read(file, version), party, single_applicant_granted)
    if as_json:
        typer.echo(json.dumps({"ok": not findings, "findings": [f.to_dict() for f in findings]},
                              ensure_ascii=False))
    elif not findings:
        typer.echo(_("ok: {file} meets every basiseis (transformation@{version})").format(
            file=file, version=version.value))
    else:
        table = Table(title=Text(_("{count} finding(s) in {file}").format(
                          count=len(findings), file=visible(file))), title_justify="left")
        table.add_column("BE", justify="right")
        table.add_column(_("field"))
        table.add_column(_("message"))
        for finding in findings:
            table.add_row(str(finding.basiseis), Text(visible(finding.field)),
                          Text(visible(say(finding.message))))
        Console(highlight=False).print(table)
    if findings:
        raise typer.Exit(code=1)


@app.command("template")
def template_command(
    fmt: Annotated[TemplateFormat, typer.Option("--format", help="yaml or json.")] = (
        TemplateFormat.yaml
    ),
    version: VersionOption = VersionChoice.two,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Print an empty modelplan with every question of the seed, ready to fill in."""
    _write(template("json" if fmt is TemplateFormat.json else "yaml",
                    1 if version is VersionChoice.one else 2), output, force)


@app.command("report")
def report_command(
    file: Annotated[Path, typer.Argument(help="The modelplan, JSON or YAML.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="md or html.")] = ReportFormat.md,
    version: VersionOption = VersionChoice.two,
    party: PartyOption = None,
    single_applicant_granted: GrantedOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Write a readable overview: answers, budget by year and category, and the findings."""
    _plan_facts(version, party, single_applicant_granted)
    _check(output, force, file)
    text = report(_read(file, version), "html" if fmt is ReportFormat.html else "md",
                  parties=party or None, single_applicant_granted=single_applicant_granted,
                  say=say)
    _write(text, output, force, file)
