"""What Appwrite accepts as an ID (of a row, a database, a collection, a team): at most 36 of a-z, A-Z, 0-9,
period, hyphen and underscore, not starting with a special character. It imports nothing, so the settings
and the URL converter use it as well as the views."""

import re

ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,35}"
_ID = re.compile(ID_PATTERN)


def is_appwrite_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None
