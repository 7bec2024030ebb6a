"""Chinese substring search over matters' content and appeal, on SQLite and PostgreSQL alike.

Each matter's text is kept as a document of its character bigrams (`MatterText`). SQLite indexes the
document with FTS5 (each bigram a token), PostgreSQL with a GIN index over the array of bigrams; both
answer "which matters contain every bigram of the query" from the index, and a substring test on the
candidates then confirms the exact phrase. A one-character query has no bigram and scans instead.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from xinfang.lib.bigrams import bigrams, normalize
from xinfang.petitions.models import Matter, MatterText

FTS_TABLE = "petitions_mattertext_fts"


def matter_text_save(matter: Matter) -> None:
    """(Re)write a matter's bigram document; the database's own index follows it."""
    grams = matter_grams(matter.content, matter.appeal)
    MatterText.objects.update_or_create(matter=matter, defaults={"grams": grams})


def matter_grams(content: str, appeal: str) -> str:
    """The bigram document of a matter's content and appeal."""
    return " ".join(sorted(bigrams(f"{content}\n{appeal}")))


def _candidates_sql(grams: list[str]) -> tuple[str, tuple[Any, ...]]:
    """SQL selecting the ids of matters whose document holds every bigram; parameters separate."""
    if connection.vendor == "postgresql":
        return (
            "SELECT matter_id FROM petitions_mattertext WHERE string_to_array(grams, ' ') @> %s::text[]",
            (grams,),
        )
    match = " ".join(f'"{gram}"' for gram in grams if '"' not in gram)
    return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (match,)  # noqa: S608


def candidate_ids(query: str, limit: int) -> list[int] | None:
    """Ids of matters holding every bigram of the query, or None when more than `limit` do (or the
    query has no bigram): a common term is then better found by scanning the newest matters."""
    grams = sorted(bigrams(normalize(query)))
    if not grams:
        return None
    sql, params = _candidates_sql(grams)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {limit + 1}", params)
        ids = [row[0] for row in cursor.fetchall()]
    return None if len(ids) > limit else ids


def text_contains(query: str, *texts: str) -> bool:
    """The phrase test the index answers, done in Python on rows already fetched."""
    needle = normalize(query).strip()
    return any(needle in normalize(text) for text in texts)


def matters_matching(matters: QuerySet[Matter], query: str) -> QuerySet[Matter]:
    """Narrow `matters` to those whose content or appeal contains `query` as a substring."""
    text = normalize(query).strip()
    if not text:
        return matters
    grams = sorted(bigrams(text))
    phrase = Q(content__icontains=query.strip()) | Q(appeal__icontains=query.strip())
    if not grams:
        return matters.filter(phrase)
    sql, params = _candidates_sql(grams)
    candidates = RawSQL(sql, params)  # noqa: S611 - constant SQL; the bigrams are parameters
    return matters.filter(Q(pk__in=candidates) & phrase)
