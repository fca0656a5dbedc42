"""The line a progress update is quoted by (the stocktaking report, lists): the first words of its narrative.

Computed when the update is saved and stored with it (``ProgressUpdate.excerpt`` and ``excerpt_cut``), so a
report quoting tens of thousands of updates reads a short column instead of decompressing every narrative.
"""

from __future__ import annotations

#: Words of an update's narrative quoted,
EXCERPT_WORDS = 60
#: read from (at most) this many characters at its start.
EXCERPT_CHARS = 800


def narrative_start(achievements: str, challenges: str, next_steps: str) -> str:
    """The narrative quoted: its achievements, else its challenges, else its next steps (the first not empty)."""
    return achievements or challenges or next_steps or ""


def excerpt_parts(text: str | None) -> tuple[str, bool]:
    """``(the first EXCERPT_WORDS words of text on one line, whether the text goes on)``, read from its first
    ``EXCERPT_CHARS`` characters; a word cut by that limit is left out."""
    if not text:
        return "", False
    cut = len(text) > EXCERPT_CHARS
    if cut:
        text = text[:EXCERPT_CHARS]
    words = text.split(None, EXCERPT_WORDS)  # at most one item more than the words quoted: the rest
    if len(words) > EXCERPT_WORDS:
        words.pop()
        return " ".join(words), True
    if not cut:
        return " ".join(words), False
    # Fewer words than quoted in EXCERPT_CHARS characters (very long words): the last one may be cut short.
    if len(words) > 1 and not text[-1].isspace():
        words.pop()
    return " ".join(words), True


def refresh_excerpts() -> int:
    """Recompute every update's stored excerpt (after a restore from a backup that may predate them); writes
    only those that differ. Returns how many changed."""
    from .models import ProgressUpdate

    changed = []
    fields = ("pk", "achievements", "challenges", "next_steps", "excerpt", "excerpt_cut")
    for update in ProgressUpdate.objects.only(*fields).order_by("pk").iterator(chunk_size=2000):
        stored = (update.excerpt, update.excerpt_cut)
        update.refresh_excerpt()
        if (update.excerpt, update.excerpt_cut) != stored:
            changed.append(update)
    ProgressUpdate.objects.bulk_update(changed, ["excerpt", "excerpt_cut"], batch_size=2000)
    return len(changed)
