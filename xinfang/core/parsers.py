"""The API's body parser: DRF's JSON parser (the API takes JSON only), with every string of the parsed
data through the one text sanitiser (`lib.text.clean_text`), as `CleanInputMiddleware` does for the pages'
forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import exceptions, parsers

from xinfang.core.middleware import clean_query
from xinfang.lib.text import clean_text


def clean_data(data: Any) -> Any:
    """Parsed data with every string, key or value, at any depth, through `clean_text`."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, QueryDict):
        return clean_query(data)
    if isinstance(data, Mapping):
        return {clean_data(key): clean_data(value) for key, value in data.items()}
    if isinstance(data, list):
        return [clean_data(value) for value in data]
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            parsed = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as error:
            # DRF's message is English; the API's 400 has one shape (core/api.py, ValidationErrors).
            raise exceptions.ValidationError({"non_field_errors": ["请求体不是有效的 JSON"]}) from error
        return clean_data(parsed)
