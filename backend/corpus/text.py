"""Caption normalization: the one definition of what a token is.

A caption becomes tokens the way the frequency papers do it (lowercase, strip non-word
characters, drop stopwords, lemmatize), made exact and engine-independent:

1. every character that is not an ASCII letter or digit becomes a space (non-ASCII letters
   included: ``"café"`` gives the tokens ``caf``; captions of the supported corpora are English);
2. ASCII letters are lowercased;
3. tokens are the runs of ``[a-z0-9]`` between spaces;
4. stopwords (:data:`STOPWORDS`, a fixed English list kept in this package) are dropped;
5. each remaining token is lemmatized by :func:`backend.corpus.lemmatizer.lemmatize`.

Steps 1-2 are a byte-to-byte mapping of UTF-8 text (:data:`BYTE_MAP`): every byte of a
multi-byte character is >= 0x80 and maps to a space, so the result has the same length and is
valid UTF-8. :func:`normalize_array` applies it to a whole Arrow string column in one C call,
which is what makes the columnar engines fast; :func:`normalize_text` is the same on one string.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is the corpus extra's: imported by normalize_array alone
    import pyarrow as pa


def _byte_map() -> bytes:
    table = bytearray(b" " * 256)
    for byte in range(ord("0"), ord("9") + 1):
        table[byte] = byte
    for byte in range(ord("a"), ord("z") + 1):
        table[byte] = byte
        table[byte - 32] = byte  # A-Z -> a-z
    return bytes(table)


#: byte -> byte: ASCII letters lowercased, digits kept, every other byte a space.
BYTE_MAP: bytes = _byte_map()

#: English stopwords: the NLTK English list (no download is possible here), plus a few
#: caption fillers. Frozen: changing it changes every count, so it is part of the method name.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against ain all am an and any are aren as at be because been
    before being below between both but by can couldn d did didn do does doesn doing don down
    during each few for from further had hadn has hasn have haven having he her here hers herself
    him himself his how i if in into is isn it its itself just ll m ma me mightn more most
    mustn my myself needn no nor not now o of off on once only or other our ours ourselves out
    over own re s same shan she should shouldn so some such t than that the their theirs them
    themselves then there these they this those through to too under until up ve very was wasn
    we were weren what when where which while who whom why will with won wouldn y you your
    yours yourself yourselves
    """.split()
)

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


def normalize_text(text: str | None) -> str:
    """Steps 1-2 on one string: non-ASCII-alphanumerics become spaces, letters lowercased."""
    if not text:
        return ""
    return text.encode("utf-8", "surrogatepass").translate(BYTE_MAP).decode("ascii")


def normalize_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Steps 1-2 on a whole Arrow string column; nulls become empty strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    if values.null_count:
        values = pc.fill_null(values, "")
    _validity, offsets, data = values.buffers()
    if data is None or data.size == 0:
        return values
    mapped = pa.py_buffer(data.to_pybytes().translate(BYTE_MAP))
    return pa.Array.from_buffers(
        values.type, len(values), [None, offsets, mapped], null_count=0, offset=values.offset
    )


def tokenize(text: str | None) -> list[str]:
    """Steps 1-3: the tokens of one caption, in order, stopwords still in."""
    return _NON_WORD.sub(" ", text or "").lower().split()


def content_tokens(text: str | None) -> list[str]:
    """Steps 1-4: the tokens of one caption without stopwords (not yet lemmatized)."""
    return [token for token in tokenize(text) if token not in STOPWORDS]
