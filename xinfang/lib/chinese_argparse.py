"""argparse in Chinese (no Django): the help's own words ("usage:", "positional arguments", "options",
"show this help message and exit"), its error messages, and lines wrapped by display width.

argparse takes these words from gettext, which would need a compiled catalogue and would change them for
every parser in the process; here they are set on our parsers only. `ChineseArgumentParser` is Chinese
from the start (its subcommands' parsers too); `parser_in_chinese` turns a parser built by someone else
(a Django management command's) into Chinese after the fact, subcommands included.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from xinfang.lib.columns import wrap

HELP = "显示此帮助信息并退出"
# The help of the `--format` option the commands share.
FORMAT_HELP = "输出格式：text 文字（默认）或 json"
VERSION = "显示版本号并退出"
_GROUP_TITLES = {"positional arguments": "位置参数", "options": "选项", "optional arguments": "选项"}


class ChineseHelpFormatter(argparse.HelpFormatter):
    """ "用法：" for "usage: ", and paragraphs wrapped by display width (a Chinese character takes two
    columns)."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


def _translate(parser: argparse.ArgumentParser, option_help: Mapping[str, str]) -> None:
    for group in parser._action_groups:
        group.title = _GROUP_TITLES.get(group.title or "", group.title)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = HELP
        elif isinstance(action, argparse._VersionAction):
            action.help = VERSION
        elif action.dest in option_help and action.help != argparse.SUPPRESS:
            action.help = option_help[action.dest]


def parser_in_chinese(
    parser: argparse.ArgumentParser,
    *,
    option_help: Mapping[str, str] | None = None,
    formatter_class: type[argparse.HelpFormatter] = ChineseHelpFormatter,
) -> argparse.ArgumentParser:
    """Turns `parser` and the parsers of its subcommands into Chinese, in place, and returns it.
    `option_help` gives the Chinese help of options the parser's builder added in English, by `dest`."""
    parser.formatter_class = formatter_class
    _translate(parser, option_help or {})
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                parser_in_chinese(subparser, option_help=option_help, formatter_class=formatter_class)
    return parser


# argparse's error messages, as the commands' users read them.
_USAGE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (
        re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.+)\)"),
        "参数 {0} 的取值无效：{1}（可选：{2}）",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 需要一个值"),
    (re.compile(r"argument (\S+): invalid (\w+) value: '(.*)'"), "参数 {0} 的取值无效：{2}"),
    (re.compile(r"argument (\S+): ignored explicit argument '(.*)'"), "参数 {0} 不接受取值：{1}"),
    (re.compile(r"ambiguous option: (\S+) could match (.+)"), "选项 {0} 不明确，可能是：{1}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
)


def usage_message(message: str) -> str:
    """argparse's English error `message` in Chinese; one it does not know stays as it is."""
    for pattern, chinese in _USAGE_MESSAGES:
        if match := pattern.fullmatch(message.strip()):
            return chinese.format(*match.groups())
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Chinese; its subcommands' parsers are of this class
    too (argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        _translate(self, {})

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{usage_message(message)}\n")
