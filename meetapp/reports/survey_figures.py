"""How a survey figure the organiser marked as quotable reads in the press release.

Each figure names its question: "respondents rated the meeting's usefulness 4.5 out of 5 on
average", "84% agreed with the statement “The meeting was useful for my work”". A figure is
never given without its question ("the average rating was 4.5 out of 5" could be of the
venue), and no question is quoted unless the organiser marked it.
"""

from __future__ import annotations

from meetapp.reports.wording import fragment, quoted
from meetapp.surveys.kinds import find_kind


def figure_clause(kind: str, question: str, value: float) -> str:
    """The clause that gives one quotable figure, naming its question, in the words of its
    kind (`Kind.release_clause`); "" for a kind that has no figure to quote."""
    question = fragment(question)
    found = find_kind(kind)
    if not question or found is None:
        return ""
    return found.release_clause(question, quoted(question, continues=True), value)
