"""The contact classification the marts apply, restated for the ground truth.

An agent's disposition code wins; otherwise the lexicon decides on the contact's text: any complaint term makes a
complaint, else any feedback term feedback, else a non-empty text is an inquiry; no text is unclassified. A term
matches the lowercased text where it is bounded by non-word characters. Both tables are the dbt seeds, read from
``dbt_project/seeds`` so that the truth follows them when they change.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from voc.settings import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Classifier:
    complaint_terms: tuple[str, ...]
    feedback_terms: tuple[str, ...]
    disposition_types: dict[str, str]

    @classmethod
    def from_seeds(cls, seeds_dir: Path = SEEDS_DIR) -> Classifier:
        lexicon = seeds_dir / "classification_lexicon.csv"
        codes = seeds_dir / "disposition_codes.csv"
        if not lexicon.is_file() or not codes.is_file():
            raise FileNotFoundError(
                f"the sample generator needs the dbt seeds {lexicon.name} and {codes.name} in {seeds_dir}; "
                "set VOC_PROJECT_ROOT to the project folder"
            )
        with lexicon.open(encoding="utf-8", newline="") as handle:
            terms = [(row["term"].strip().lower(), row["contact_type"].strip()) for row in csv.DictReader(handle)]
        with codes.open(encoding="utf-8", newline="") as handle:
            types = {row["disposition_code"].strip(): row["contact_type"].strip() for row in csv.DictReader(handle)}
        return cls(
            complaint_terms=tuple(term for term, kind in terms if kind == "complaint"),
            feedback_terms=tuple(term for term, kind in terms if kind == "feedback"),
            disposition_types=types,
        )

    def matches(self, term: str, text: str) -> bool:
        return _pattern(term).search(text.lower()) is not None

    def by_text(self, text: str | None) -> str:
        if text is None or not text.strip():
            return "unclassified"
        if any(self.matches(term, text) for term in self.complaint_terms):
            return "complaint"
        if any(self.matches(term, text) for term in self.feedback_terms):
            return "feedback"
        return "inquiry"

    def contact_type(self, disposition_code: str | None, text: str | None) -> str:
        if disposition_code:
            return self.disposition_types[disposition_code]
        return self.by_text(text)

    def codes_of(self, contact_type: str) -> list[str]:
        return [code for code, kind in self.disposition_types.items() if kind == contact_type]


@functools.cache
def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)")
