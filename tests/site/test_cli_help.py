"""`xinfang --help` is Chinese throughout (issue 14, item 10): the help of the command, of every subcommand
and of theirs, found by walking the parsers, so that a new subcommand is covered without touching this
test."""

from __future__ import annotations

import argparse
import re

import pytest
from django.core.management.base import BaseCommand

from xinfang import cli

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {
        name: subparser
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name, subparser in action.choices.items()
    }


def command_paths() -> list[tuple[str, ...]]:
    """Every command line the CLI has help for: `xinfang`, `xinfang stats`, `xinfang jobs plan` …"""
    paths: list[tuple[str, ...]] = [()]

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for name, subparser in subparsers(parser).items():
            paths.append((*path, name))
            if not path and name in cli.PASSTHROUGH:  # its options are the management command's
                subparser = cli.command_parser(name)
            walk(subparser, (*path, name))

    walk(cli.build_parser(), ())
    return paths


def parser_of(path: tuple[str, ...]) -> argparse.ArgumentParser | None:
    parser = cli.build_parser()
    for depth, name in enumerate(path):
        if depth == 0 and name == "manage":
            return None  # any Django command: its own help
        parser = (
            cli.command_parser(name) if depth == 0 and name in cli.PASSTHROUGH else subparsers(parser)[name]
        )
    return parser


def english_boilerplate() -> set[str]:
    """What argparse and Django write into a help of their own: "usage:", the group titles, the help of -h
    and of the options every management command has."""
    parsers = [argparse.ArgumentParser(), BaseCommand().create_parser("xinfang", "command")]
    texts = {"usage:", "error:", "optional arguments"}
    for parser in parsers:
        texts |= {group.title for group in parser._action_groups if group.title}
        texts |= {action.help for action in parser._actions if action.help}
    return texts


def help_text(path: tuple[str, ...], capsys) -> str:
    try:
        code = cli.main([*path, "--help"])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("用法：xinfang"), out
    return out


PATHS = command_paths()


def test_the_walk_finds_the_commands_and_their_subcommands():
    assert {(), ("demo",), ("stats",), ("manage",), ("jobs", "plan"), ("calendar", "close-year")} <= set(
        PATHS
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(("xinfang", *path)))
def test_the_help_has_no_english_boilerplate_and_every_option_is_explained_in_chinese(path, capsys):
    text = help_text(path, capsys)
    for english in english_boilerplate():
        assert english.lower() not in text.lower(), f"{english!r} in the help of {path}:\n{text}"
    parser = parser_of(path)
    if parser is None:
        return
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and CHINESE.search(action.help), (
            f"{action.option_strings or action.dest} of {path}"
        )
        if action.option_strings:
            assert action.option_strings[-1] in text
    if parser.description:
        assert parser.description[:10] in text


def test_a_usage_error_of_the_command_itself_is_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--port", "八千"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("用法：xinfang demo") and "xinfang demo：错误：参数 --port 的取值无效：八千" in err
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])
    assert "错误：参数 命令 的取值无效：no-such-command" in capsys.readouterr().err
