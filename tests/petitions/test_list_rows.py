"""The matter list's rows as built in Python (petitions/pages.py)."""

from __future__ import annotations

from django.utils.text import Truncator
from hypothesis import given
from hypothesis import strategies as st

from xinfang.petitions.pages import LIST_CONTENT_CHARS, ContentCut, list_content


@given(st.text(alphabet=st.sampled_from("信访事项a é\u0301\u0300…"), max_size=80) | st.text(max_size=80))
def test_it_cuts_the_content_as_django_truncator_does(text):
    assert list_content(text, ContentCut.current()) == Truncator(text).chars(LIST_CONTENT_CHARS)
