"""What a new password must be: long enough, and hard to guess.

Hard to guess is zxcvbn's estimate, which knows common and leaked passwords, words, names,
keyboard rows, sequences, repeats and dates, and here also the account's own name and e-mail
address and the name of the app. Its score 3 ("safely unguessable": 10^8 guesses or more)
is the least it takes; its own warning and suggestions say what to do instead.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from zxcvbn import zxcvbn

from meetapp.errors import DomainError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 500
MIN_SCORE = 3
# zxcvbn's time grows with the square of the length (tens of milliseconds at 100 characters):
# it judges this many first characters, which a longer password only adds to.
JUDGED_LENGTH = 100
APP_NAME = "meetapp"
TOO_EASY = "This password is too easy to guess."
PERSONAL = "It contains the account's name or e-mail address."
APP = f"It contains the name of this app, {APP_NAME}."
ADD_WORDS = "Add another word or two. Uncommon words are better."
_WORD_BREAK = re.compile(r"[\s@._+-]+")
# zxcvbn keeps the personal words of a check in a dictionary of its module: one check at a
# time, or a thread could judge a password against another account's words.
_ONE_AT_A_TIME = threading.Lock()


def personal_words(email: str = "", name: str = "") -> list[str]:
    """What zxcvbn must not accept a password to be made of: "Sokha Chan", sokha.chan@ngo.org
    -> the whole name and address, and 'sokha', 'chan', 'ngo', 'org', plus 'meetapp'."""
    words = [email, name, email.partition("@")[0], APP_NAME]
    words += [word for word in _WORD_BREAK.split(f"{email} {name}") if len(word) > 2]
    return [word for word in dict.fromkeys(w.strip().lower() for w in words) if word]


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why `password` will not do for the account with this e-mail address and name, in
    plain words; None when it will."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password may have at most {MAX_PASSWORD_LENGTH} characters."
    judged = password[:JUDGED_LENGTH]
    with _ONE_AT_A_TIME:
        result: dict[str, Any] = zxcvbn(
            judged, user_inputs=personal_words(email, name), max_length=JUDGED_LENGTH
        )
    if result["score"] >= MIN_SCORE:
        return None
    personal = {
        match["matched_word"]
        for match in result["sequence"]
        if match.get("dictionary_name") == "user_inputs"
    }
    reasons = []
    if personal - {APP_NAME}:
        reasons.append(PERSONAL)
    if APP_NAME in personal:
        reasons.append(APP)
    feedback = result["feedback"]
    reasons += [feedback["warning"], *feedback["suggestions"]]
    reasons = [reason for reason in dict.fromkeys(reasons) if reason] or [ADD_WORDS]
    return " ".join([TOO_EASY, *reasons])


def check_password_strength(password: str, email: str = "", name: str = "") -> None:
    """DomainError (on the password field) saying why, unless `password` will do."""
    problem = password_problem(password, email, name)
    if problem is not None:
        raise DomainError(problem, field="password")
