"""A small deterministic noun lemmatizer (plural -> singular), and its exact inverse.

The frequency papers lemmatize with NLTK's WordNet lemmatizer in its default part of speech
(noun): ``dogs -> dog``, ``puppies -> puppy``, ``knives -> knife``, while ``running`` stays
``running``. WordNet data cannot be downloaded here, so this module reproduces that behaviour
with rules that need no data:

1. a word of :data:`IRREGULAR` maps to its entry (``men -> man``, ``aches -> ache``);
2. a word of :data:`INVARIANT`, or of at most 3 letters, stays as it is (``series``, ``bus``);
3. otherwise the first rule of :data:`RULES` whose suffix ends the word applies
   (``glasses -> glass``, ``cities -> city``, ``boxes -> box``, ``dogs -> dog``); a rule whose
   replacement is ``None`` keeps the word (``cactus``, ``dress``, ``tennis``).

Unlike WordNet it does not check the result against a dictionary, so rare plurals can come out
odd (``buses`` is listed in :data:`IRREGULAR` for that reason). What matters for counting is that
captions and concept names go through the same function.

:func:`surface_forms` inverts :func:`lemmatize` exactly for one lemma: every token ``t`` with
``lemmatize(t) == lemma`` is either the lemma, an :data:`IRREGULAR` key, or the lemma with one
rule undone, so generating those candidates and keeping the ones that map back is complete. The
engines use it to match tokens against a small table of forms instead of lemmatizing every token.
"""

from __future__ import annotations

from functools import lru_cache

#: Plural -> singular where the suffix rules would be wrong.
IRREGULAR: dict[str, str] = {
    "men": "man",
    "women": "woman",
    "children": "child",
    "feet": "foot",
    "teeth": "tooth",
    "geese": "goose",
    "mice": "mouse",
    "lice": "louse",
    "people": "person",
    "oxen": "ox",
    "knives": "knife",
    "wives": "wife",
    "lives": "life",
    "leaves": "leaf",
    "wolves": "wolf",
    "halves": "half",
    "shelves": "shelf",
    "loaves": "loaf",
    "thieves": "thief",
    "calves": "calf",
    "scarves": "scarf",
    "selves": "self",
    "elves": "elf",
    "hooves": "hoof",
    "cacti": "cactus",
    "fungi": "fungus",
    "nuclei": "nucleus",
    "radii": "radius",
    "stimuli": "stimulus",
    "bacteria": "bacterium",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "analyses": "analysis",
    "crises": "crisis",
    "theses": "thesis",
    "oases": "oasis",
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
    "appendices": "appendix",
    "potatoes": "potato",
    "tomatoes": "tomato",
    "heroes": "hero",
    "echoes": "echo",
    "mosquitoes": "mosquito",
    "volcanoes": "volcano",
    "torpedoes": "torpedo",
    "buffaloes": "buffalo",
    "dominoes": "domino",
    "buses": "bus",
    "gases": "gas",
    "lenses": "lens",
    "aches": "ache",
    "headaches": "headache",
    "toothaches": "toothache",
    "niches": "niche",
    "caches": "cache",
    "moustaches": "moustache",
    "mustaches": "mustache",
    "avalanches": "avalanche",
    "cliches": "cliche",
    "quiches": "quiche",
    "psyches": "psyche",
}

#: Words that look plural but are not (or are their own plural).
INVARIANT: frozenset[str] = frozenset(
    """
    series species news sheep deer fish moose swine aircraft spacecraft means headquarters
    physics mathematics economics athletics gymnastics politics ethics electronics graphics
    lens canvas atlas chaos kudos pancreas christmas texas kansas arkansas paris always
    perhaps jeans pants shorts scissors trousers pajamas binoculars tweezers diabetes measles
    """.split()
)

#: (suffix, replacement) in order; ``None`` keeps the word unchanged.
RULES: tuple[tuple[str, str | None], ...] = (
    ("sses", "ss"),
    ("ies", "y"),
    ("xes", "x"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("zzes", "zz"),
    ("ss", None),
    ("us", None),
    ("is", None),
    ("s", ""),
)

_MIN_LENGTH = 4  # words shorter than this are never changed by RULES


@lru_cache(maxsize=1 << 20)
def lemmatize(word: str) -> str:
    """The lemma of one lowercase token (noun sense, like WordNet's default)."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word in INVARIANT or len(word) < _MIN_LENGTH:
        return word
    for suffix, replacement in RULES:
        if word.endswith(suffix):
            if replacement is None:
                return word
            if suffix == "ies" and len(word) <= 4:  # "pies", "ties": just drop the "s"
                return word[:-1]
            return word[: len(word) - len(suffix)] + replacement
    return word


_IRREGULAR_INVERSE: dict[str, list[str]] = {}
for _plural, _singular in IRREGULAR.items():
    _IRREGULAR_INVERSE.setdefault(_singular, []).append(_plural)


def surface_forms(lemma: str) -> frozenset[str]:
    """Every token that :func:`lemmatize` maps to ``lemma`` (the lemma itself when it is one)."""
    candidates = {lemma, *_IRREGULAR_INVERSE.get(lemma, ())}
    for suffix, replacement in RULES:
        if replacement is not None and lemma.endswith(replacement):
            candidates.add(lemma[: len(lemma) - len(replacement)] + suffix)
    return frozenset(c for c in candidates if lemmatize(c) == lemma)
