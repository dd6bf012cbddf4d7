"""How a survey figure the organiser marked as quotable reads in the press release.

Each figure names its question: "respondents rated the meeting's usefulness 4.5 out of 5 on
average", "84% agreed with the statement “The meeting was useful for my work”". A figure is
never given without its question ("the average rating was 4.5 out of 5" could be of the
venue), and no question is quoted unless the organiser marked it.
"""

from __future__ import annotations

import re

from meetapp.formatting import signed
from meetapp.reports.wording import fragment, quoted

# "How would you rate the venue?", "Please rate the meeting's usefulness" -> what was rated.
_RATE = re.compile(
    r"^(?:overall,?\s+)?(?:how (?:would|do|did) you rate|please rate|rate)"
    r"\s+(?P<what>[^?]+?)\s*[?.:]?$",
    re.IGNORECASE,
)
_YOUR = re.compile(r"(?<!\w)your(?!\w)", re.IGNORECASE)


def _rated(question: str) -> str | None:
    """What a rating question asks about, as words of a sentence, or None when the question is
    not worded "How would you rate …" (the question is then quoted whole)."""
    match = _RATE.match(question.strip())
    if match is None:
        return None
    what = _YOUR.sub("their", match.group("what")).strip()
    if not what or "“" in what or '"' in what or "\n" in what:
        return None
    return what


def figure_clause(kind: str, question: str, value: float) -> str:
    """The clause that gives one quotable figure, naming its question; "" for a kind that has
    no figure to quote."""
    question = fragment(question)
    if not question:
        return ""
    statement = quoted(question, continues=True)
    if kind == "likert":
        return f"{round(value)}% agreed with the statement {statement}"
    if kind == "yes_no":
        return f"{round(value)}% answered yes to the question {statement}"
    if kind == "rating":
        what = _rated(question)
        if what:
            return f"respondents rated {what} {value:.1f} out of 5 on average"
        return f"the average answer to the question {statement} was {value:.1f} out of 5"
    if kind == "nps":
        return f"the net promoter score for the question {statement} was {signed(value)}"
    return ""
