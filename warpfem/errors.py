"""The one exception a user sees for a bad model: a single sentence naming the part and the key."""

import unicodedata


def _printable(text: str) -> str:
    """``text`` on one line: control and other unprintable characters a model file may hold (in a
    key, a part name, a value) written as escapes, so that a sentence quoting them stays one line."""
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c)[0] in "CZ" and c != " "
                   else c for c in text)


class ModelError(ValueError):
    """A model file that warpfem refuses, with one clear sentence saying why."""

    def __init__(self, message: str = "") -> None:
        super().__init__(_printable(str(message)))
