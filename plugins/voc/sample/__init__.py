"""Seeded sample data: a multichannel customer history in each source's own format, plus its ground truth.

``generate(out_dir, seed=..., end=...)`` writes ``out_dir/<channel>/...`` for phone, email, chat, twitter, facebook,
web, surveys and cases, exactly as docs/sources.md describes the drop folders, and ``out_dir/ground_truth.json``:
raw row counts, the injected malformed units, monthly KPIs per contact channel and the mention spike.

Modules: ``generator`` (the entry point and the ground truth), one module per channel (``phone``, ``mailbox``,
``chat``, ``twitter``, ``facebook``, ``web``, ``surveys``, ``cases``), ``texts`` (phrase banks), ``writers`` (one
writer per format), ``faults`` (malformed units), ``clock``, ``people`` and ``model``.
"""

from voc.sample.generator import generate

__all__ = ["generate"]
