"""Chinese substring search over matters' content and appeal, on SQLite and PostgreSQL alike.

Each matter's text is kept as a document of its character bigrams (`MatterText`). SQLite indexes the
document with FTS5 (each bigram a token), PostgreSQL with a GIN index over the array of bigrams; both
answer "which matters contain every bigram of the query" from the index, and a substring test on the
candidates then confirms the exact phrase. A one-character query has no bigram and scans instead.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from xinfang.lib.bigrams import bigrams, normalize
from xinfang.petitions.models import Matter, MatterText

FTS_TABLE = "petitions_mattertext_fts"


def matter_text_save(matter: Matter) -> None:
    """(Re)write a matter's bigram document; the database's own index follows it."""
    grams = " ".join(sorted(bigrams(f"{matter.content}\n{matter.appeal}")))
    MatterText.objects.update_or_create(matter=matter, defaults={"grams": grams})


def matters_matching(matters: QuerySet[Matter], query: str) -> QuerySet[Matter]:
    """Narrow `matters` to those whose content or appeal contains `query` as a substring."""
    text = normalize(query).strip()
    if not text:
        return matters
    grams = sorted(bigrams(text))
    phrase = Q(content__icontains=query.strip()) | Q(appeal__icontains=query.strip())
    if not grams:
        return matters.filter(phrase)
    # Only constant SQL here: the query's bigrams are passed as parameters.
    if connection.vendor == "postgresql":
        candidates = RawSQL(
            "SELECT matter_id FROM petitions_mattertext WHERE string_to_array(grams, ' ') @> %s::text[]",
            (grams,),
        )
    else:
        match = " ".join(f'"{gram}"' for gram in grams if '"' not in gram)
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        candidates = RawSQL(sql, (match,))  # noqa: S611
    return matters.filter(Q(pk__in=candidates) & phrase)
