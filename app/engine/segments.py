"""How many SMS segments a text costs, and how to keep English texts in GSM-7.

A text that uses only the GSM 03.38 alphabet travels as 7-bit GSM-7: 160
characters in one segment, 153 a part when split (the rest is the joining
header). One character outside it (an emoji, a curly quote, a Welsh ŵ) sends
the whole text as UCS-2: 70 characters, 67 a part. Extension characters
(``€ [ ] { } \\ ^ ~ |`` and form feed) cost two septets and never straddle two
parts; neither does a UTF-16 surrogate pair. Pure functions, no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from app.engine.flow import Flow, Problem
from app.engine.session import resume
from app.engine.types import VARIANTS, Audience, State, utc_iso
from app.engine.wording import fill, pick

Encoding = Literal["GSM-7", "UCS-2"]

# The GSM 03.38 basic alphabet (the escape code 0x1B is not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}

# Typographic characters word processors put in that have a plain GSM-7 twin.
_TO_GSM7 = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
}  # fmt: skip


def is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def to_gsm7(text: str) -> str:
    """Replace curly quotes, dashes, ellipses and odd spaces with their GSM-7 twins.

    Only characters with a faithful twin change: Welsh letters such as ŵ and ŷ,
    and emoji, are left alone (changing them would change the words).
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(_TO_GSM7.get(char, char) for char in text)


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    outside_gsm7: tuple[str, ...] = ()  # the characters that forced UCS-2, in order, once each


def _pack(costs: list[int], single: int, part: int) -> int:
    """Parts needed when no character's units may straddle two parts."""
    total = sum(costs)
    if total <= single:
        return 1 if total else 0
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def count_segments(text: str) -> SegmentCount:
    """The encoding and number of segments ``text`` is sent as, exactly as sent."""
    outside = tuple(dict.fromkeys(c for c in text if not is_gsm7(c)))
    if not outside:
        costs = [2 if c in GSM7_EXTENSION else 1 for c in text]
        encoding: Encoding = "GSM-7"
    else:
        costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
        encoding = "UCS-2"
    return SegmentCount(encoding, sum(costs), _pack(costs, SINGLE[encoding], PART[encoding]), outside)


# The most segments an SMS rendering of one prompt may take, by wording variant.
SEGMENT_LIMITS = {"easy_read": 1, "standard": 2}


def segment_warnings(text: str, variant: str, language: str) -> list[str]:
    """What is wrong with ``text`` as one SMS for this variant and language (empty if nothing)."""
    count = count_segments(to_gsm7(text))
    warnings: list[str] = []
    limit = SEGMENT_LIMITS.get(variant, SEGMENT_LIMITS["standard"])
    if count.segments > limit:
        warnings.append(
            f"the SMS text takes {count.segments} segments ({count.units} {count.encoding} units); "
            f"{variant.replace('_', ' ')} texts should fit in {limit}. "
            "Shorten it or add a shorter `sms:` wording"
        )
    if language == "en" and count.encoding == "UCS-2":
        shown = " ".join(repr(c) for c in count.outside_gsm7)
        warnings.append(
            f"the English SMS text falls to UCS-2 (70 characters a segment) because of {shown}; "
            "use plain characters instead"
        )
    return warnings


# --- every SMS rendering of a flow ------------------------------------------

# Typical lengths for the {placeholders}: a longish first name and council name.
SAMPLE_FIELDS = {
    "first_name": "Christopher",
    "council": "Northshire County Council",
    "review_theme": "strengths-based practice",
}
_NOT_UNDERSTOOD = "zzqx"  # a reply no parser accepts, to draw out each re-ask


def sms_renderings(flow: Flow) -> Iterator[tuple[str, str, str, str, str]]:
    """Every text the engine would send by SMS, as (node, variant, language, kind, text).

    Drawn from the engine itself (start/resume), so option lists, hints and
    re-asks are exactly what a person would receive.
    """
    now = datetime.now(UTC)
    for language in flow.languages:
        for variant in VARIANTS:
            audience = Audience(variant=variant, channel="sms", language=language, fields=SAMPLE_FIELDS)
            for node in flow.nodes.values():
                if node.kind == "say":
                    text = fill(pick(node.wording, audience), audience.fields, language)
                    yield node.id, variant, language, "say", text
                    continue
                waiting = State(flow.id, flow.version, audience, node=node.id, last_activity=utc_iso(now))
                for reply in ("repeat", _NOT_UNDERSTOOD):
                    for prompt in resume(flow, State.from_dict(waiting.to_dict()), reply, now).prompts:
                        if prompt.node == node.id and prompt.kind in ("ask", "reask"):
                            yield node.id, variant, language, prompt.kind, prompt.text


def sms_problems(flow: Flow) -> list[Problem]:
    """Warnings for SMS renderings over the segment limits, or English falling to UCS-2."""
    problems: list[Problem] = []
    seen: set[tuple[str, str, str, str]] = set()
    for node, variant, language, kind, text in sms_renderings(flow):
        for warning in segment_warnings(text, variant, language):
            if (node, variant, language, warning) in seen:
                continue  # a re-ask identical in its problem to the question says nothing new
            seen.add((node, variant, language, warning))
            where = f"{language} {variant.replace('_', ' ')} {'re-ask' if kind == 'reask' else kind}"
            problems.append(Problem(flow.source_name, node, f"SMS ({where}): {warning}", "warning"))
    return problems
