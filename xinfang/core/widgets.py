"""Select widgets rendered in Python: Django renders every <option> through a template, which makes a
page with a few hundred options (categories, villages) spend most of its time in the template engine."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe

OptionRows = Callable[[], Sequence[tuple[Any, Any]]]


@functools.lru_cache(maxsize=256)
def _options_html(rows: tuple[tuple[str, str, bool], ...]) -> str:
    """The escaped <option>s of (value, label, label is safe) rows, none selected. Kept per distinct list:
    a county's directory changes rarely, and a changed one is a new key."""
    # Plain string escaping: format_html's per-argument checks cost more than the options themselves
    # on a page with hundreds of them.
    return "".join(
        f'<option value="{escape(value)}">{label if safe else escape(label)}</option>'
        for value, label, safe in rows
    )


class FastSelect(forms.Select):
    # The options as plain rows, read instead of `choices` when set: Django normalises lazy choices
    # again on every pass over them (twice a render), which costs more than the options' HTML.
    option_rows: OptionRows | None = None

    def rows(self) -> Sequence[tuple[Any, Any]]:
        return self.option_rows() if self.option_rows is not None else list(self.choices)

    def use_required_attribute(self, initial: Any) -> bool:
        """Select's rule (no `required` unless the first option is empty), read from the rows."""
        if self.is_hidden or self.allow_multiple_selected:
            return not self.is_hidden
        rows = self.rows()
        return bool(rows) and self._choice_has_empty_value(rows[0])  # type: ignore[attr-defined]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {
            str(item) for item in (value if isinstance(value, list | tuple) else [value]) if item is not None
        }
        attributes = format_html_join(
            "", ' {}="{}"', ((key, val) for key, val in final.items() if val not in (None, False, True))
        )
        flags = mark_safe("".join(f" {key}" for key, val in final.items() if val is True))  # noqa: S308
        options = _options_html(
            tuple((str(value), str(label), isinstance(label, SafeData)) for value, label in self.rows())
        )
        for chosen in selected:
            tag = f'<option value="{escape(chosen)}"'
            options = options.replace(f"{tag}>", f"{tag} selected>")
        return format_html(
            '<select name="{}"{}{}>{}</select>',
            name,
            attributes,
            flags,
            mark_safe(options),  # noqa: S308 - every value and label escaped in _options_html
        )


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an empty multi-select submits nothing


class FastSelectsMixin:
    """Swap every plain Select/SelectMultiple of a form for the fast ones, keeping choices and attrs."""

    fields: dict[str, forms.Field]

    def use_fast_selects(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            kind = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}.get(type(widget))
            if kind is not None:
                field.widget = kind(attrs=widget.attrs, choices=getattr(field, "choices", ()))
                field.widget.is_required = widget.is_required
