"""A program's privacy notice, pure: what the hosts complete (who is responsible for the data, whom to ask, the
legal basis) and whether it is complete. Participants see a complete notice in the invitation and in
``/tandem privacy``; Tandem's own wording around it is in templates/<locale>/notice.j2."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEGAL_BASES = ("consent", "works_agreement")  # GDPR art. 6(1)(a) / art. 88 with § 26 BDSG: a works agreement
TEXT_MIN, TEXT_MAX = 3, 300


@dataclass(frozen=True)
class Notice:
    controller: str | None = None
    contact: str | None = None
    legal_basis: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.controller and self.contact and self.legal_basis in LEGAL_BASES)

    @classmethod
    def of(cls, program: Any) -> Notice:
        return cls(program.privacy_controller, program.privacy_contact, program.legal_basis)


def parse(controller: Any, contact: Any, basis: Any) -> tuple[Notice | None, dict[str, str]]:
    """The notice from the modal's fields, or the errors by field (``controller``, ``contact``, ``basis``: an error
    key of notice.j2). All three empty clears the notice; otherwise all three are needed."""
    texts = {
        "controller": " ".join(str(controller or "").split()),
        "contact": " ".join(str(contact or "").split()),
    }
    chosen = str(basis or "")
    if not any(texts.values()) and not chosen:
        return Notice(), {}
    errors: dict[str, str] = {}
    for field, text in texts.items():
        if len(text) < TEXT_MIN:
            errors[field] = "error_required"
        elif len(text) > TEXT_MAX:
            errors[field] = "error_too_long"
    if chosen not in LEGAL_BASES:
        errors["basis"] = "error_basis"
    if errors:
        return None, errors
    return Notice(texts["controller"], texts["contact"], chosen), {}
