"""Find the vocabulary's word forms in a batch of captions, exactly, without a string per token.

The :mod:`backend.corpus.text` rules, applied to the caption bytes with numpy: a byte is a word
byte when it is an ASCII letter or digit, a token is a run of word bytes inside one caption, and
``byte | 0x20`` lowercases a word byte (digits keep their value). Each token is read from the
buffer 8 bytes at a time (an unaligned ``uint64`` view), each block masked to the token's
length, so a block holds up to 8 token bytes and zeros after them.

The forms are a trie over such blocks (:class:`FormTable`): a token of ``n`` blocks walks ``n``
edges from the root and is the form that ends at the node it reaches, if any. The edges live in
one open-addressing hash table keyed by (node, block) that stores the keys themselves, so every
lookup is exact; most tokens stop after one lookup (their first block leads nowhere, or they
are at most 8 bytes long).

A batch costs a few passes over its bytes and a few over its tokens, all in numpy code that
releases the GIL, so batches count in parallel threads.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BLOCK = 8  # bytes per uint64 block
_LOWER = np.uint64(0x2020202020202020)
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(_BLOCK)] + [2**64 - 1], dtype=np.uint64)
_MIX_BLOCK = np.uint64(0x9E3779B97F4A7C15)  # odd multipliers of the slot hash
_MIX_NODE = np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass(frozen=True)
class FormTable:
    """The forms' block trie: slot arrays of its edge hash table (``slot_child`` is -1 in an
    empty slot), a much larger bit table of the edges' hashes (``maybe``: most tokens that lead
    nowhere stop at one look there) and, per node, the word id of the form ending there."""

    slot_node: np.ndarray  # int64: the node an edge leaves
    slot_block: np.ndarray  # uint64: the block it reads
    slot_child: np.ndarray  # int64: the node it reaches
    maybe: np.ndarray  # bool, indexed by hash >> maybe_shift
    node_word: np.ndarray  # int64 (-1: no form ends at that node)
    shift: np.uint64  # slot = hash >> shift
    maybe_shift: np.uint64


def _hash(nodes: np.ndarray | None, blocks: np.ndarray) -> np.ndarray:
    if nodes is None:  # the root, node 0
        return blocks * _MIX_BLOCK
    return (blocks ^ (nodes.astype(np.uint64) * _MIX_NODE)) * _MIX_BLOCK


def form_table(forms: Sequence[tuple[str, int]]) -> FormTable:
    """The trie of ``(form, word id)`` rows (forms are ``[a-z0-9]+``)."""
    edges: dict[tuple[int, int], int] = {}
    node_word = [-1]
    for form, word in forms:
        node, text = 0, form.encode("ascii")
        for k in range(0, len(text), _BLOCK):
            key = (node, int.from_bytes(text[k : k + _BLOCK], "little"))
            node = edges.setdefault(key, len(node_word))
            if node == len(node_word):
                node_word.append(-1)
        node_word[node] = word
    bits = max(10, (4 * len(edges) - 1).bit_length())  # at most a quarter of the slots used
    maybe_bits = min(bits + 4, 24)
    shift, maybe_shift = np.uint64(64 - bits), np.uint64(64 - maybe_bits)
    slot_node = np.full(1 << bits, -1, dtype=np.int64)
    slot_block = np.zeros(1 << bits, dtype=np.uint64)
    slot_child = np.full(1 << bits, -1, dtype=np.int64)
    maybe = np.zeros(1 << maybe_bits, dtype=bool)
    keys = np.array(list(edges), dtype=np.uint64).reshape(-1, 2)
    hashes = _hash(keys[:, 0], keys[:, 1])
    maybe[(hashes >> maybe_shift).astype(np.intp)] = True
    home = (hashes >> shift).astype(np.intp).tolist()
    for (node, block), child, slot in zip(edges, edges.values(), home, strict=True):
        while slot_child[slot] >= 0:  # linear probing
            slot = (slot + 1) & ((1 << bits) - 1)
        slot_node[slot], slot_block[slot], slot_child[slot] = node, block, child
    return FormTable(
        slot_node,
        slot_block,
        slot_child,
        maybe,
        np.array(node_word, dtype=np.int64),
        shift,
        maybe_shift,
    )


def follow(
    table: FormTable, nodes: np.ndarray | None, blocks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(which, child): the positions ``i`` where an edge leaves ``nodes[i]`` (None: the root)
    reading ``blocks[i]``, and the node it reaches; in no particular order."""
    hashes = _hash(nodes, blocks)
    probing = np.flatnonzero(table.maybe[(hashes >> table.maybe_shift).astype(np.intp)])
    slots = (hashes[probing] >> table.shift).astype(np.intp)
    which, child = [], []
    while len(probing):
        here = table.slot_child[slots]
        hit = table.slot_block[slots] == blocks[probing]
        if nodes is None:
            hit &= table.slot_node[slots] == 0
        else:
            hit &= table.slot_node[slots] == nodes[probing]
        which.append(probing[hit])
        child.append(here[hit])
        again = (here >= 0) & ~hit  # the slot holds another edge: try the next one
        probing, slots = probing[again], (slots[again] + 1) & (len(table.slot_child) - 1)
    if not which:
        return probing, probing
    return np.concatenate(which), np.concatenate(child)


def caption_bytes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes, offsets) of a string array: its UTF-8 data from the first caption on, with
    ``_BLOCK`` zero bytes after it, and each caption's start (plus the end) in that data."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.string())
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.large_string())
    if texts.null_count:
        texts = pc.fill_null(texts, "")  # a null slot may still have bytes
    if len(texts) == 0:
        return np.zeros(_BLOCK, dtype=np.uint8), np.zeros(1, dtype=np.int64)
    offset_type = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    _validity, offset_buffer, data_buffer = texts.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=offset_type)[
        texts.offset : texts.offset + len(texts) + 1
    ].astype(np.int64)
    start, end = int(offsets[0]), int(offsets[-1])
    data = np.zeros(end - start + _BLOCK, dtype=np.uint8)
    if end > start:
        data[: end - start] = np.frombuffer(data_buffer, dtype=np.uint8)[start:end]
    return data, offsets - start


def word_bytes(data: np.ndarray) -> np.ndarray:
    """True where a byte is an ASCII letter or digit."""
    letters = data | np.uint8(0x20)
    letters -= np.uint8(ord("a"))
    is_word = letters < 26
    digits = np.subtract(data, np.uint8(ord("0")), out=letters)
    is_word |= digits < 10
    return is_word


def token_spans(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths) of every token: runs of word bytes, cut at caption boundaries."""
    n = int(offsets[-1])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    is_word = word_bytes(data[:n])
    edges = np.empty(n + 1, dtype=bool)
    edges[0], edges[n] = is_word[0], is_word[n - 1]
    np.not_equal(is_word[1:], is_word[:-1], out=edges[1:n])
    bounds = np.flatnonzero(edges)  # start, end, start, end, ...
    inner = offsets[1:-1]
    inner = inner[(inner > 0) & (inner < n)]
    glued = inner[is_word[inner - 1] & is_word[inner]]  # a caption that starts mid-run
    glued = glued[np.diff(glued, prepend=-1) != 0]  # once each: empty captions repeat offsets
    if len(glued):
        at = np.repeat(np.searchsorted(bounds, glued), 2)
        bounds = np.insert(bounds, at, np.repeat(glued, 2))
    starts = bounds[0::2]
    return starts, bounds[1::2] - starts


def _blocks_at(view: np.ndarray, starts: np.ndarray, lengths: np.ndarray, k: int) -> np.ndarray:
    """Block ``k`` of each token (the caller passes tokens longer than ``8 k`` bytes)."""
    left = np.minimum(lengths - k * _BLOCK, _BLOCK)
    return (view[starts + k * _BLOCK] | _LOWER) & _MASKS[left]


def match_forms(texts: pa.Array, table: FormTable) -> tuple[np.ndarray, np.ndarray]:
    """(caption index, word id) of every token of ``texts`` that is one of the forms, in no
    particular order."""
    data, offsets = caption_bytes(texts)
    starts, lengths = token_spans(data, offsets)
    view = np.ndarray(shape=(len(data) - _BLOCK + 1,), dtype="<u8", buffer=data, strides=(1,))
    tokens, nodes = follow(table, None, _blocks_at(view, starts, lengths, 0))
    found: list[np.ndarray] = []
    words: list[np.ndarray] = []
    for k in itertools.count(1):
        ended = lengths[tokens] <= k * _BLOCK
        ends_at = table.node_word[nodes[ended]]
        found.append(tokens[ended][ends_at >= 0])
        words.append(ends_at[ends_at >= 0])
        tokens, nodes = tokens[~ended], nodes[~ended]
        if not len(tokens):
            break
        step, nodes = follow(table, nodes, _blocks_at(view, starts[tokens], lengths[tokens], k))
        tokens = tokens[step]
    hits = np.concatenate(found)
    captions = np.searchsorted(offsets, starts[hits], side="right") - 1
    return captions, np.concatenate(words)
