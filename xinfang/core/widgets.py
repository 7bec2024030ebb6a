"""Select widgets rendered in Python: Django renders every <option> through a template, which makes a
page with a few hundred options (categories, villages) spend most of its time in the template engine."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe


class FastSelect(forms.Select):
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
        # Plain string escaping: format_html's per-argument checks cost more than the options themselves
        # on a page with hundreds of them.
        options = "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) in selected else ""}>'
            f"{label if isinstance(label, SafeData) else escape(str(label))}</option>"
            for value, label in self.choices
        )
        return format_html(
            '<select name="{}"{}{}>{}</select>',
            name,
            attributes,
            flags,
            mark_safe(options),  # noqa: S308 - every value and label escaped above
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
