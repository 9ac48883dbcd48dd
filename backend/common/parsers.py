"""The API's JSON parser, with a nesting limit.

Python's json module recurses once per level: 100,000 `[` raise
RecursionError, which DRF does not catch (a 500). No Harbour request is more
than a few levels deep, so anything deeper than MAX_DEPTH is refused as a
parse error before it is parsed, in time linear in the body (whose size the
request cap bounds).
"""

from __future__ import annotations

import codecs
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than `limit`. Stops at
    the first level past the limit, so a hostile body costs little."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match[0] in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JsonTooDeep(ParseError):
    default_detail = f"The JSON nests more than {MAX_DEPTH} levels deep."
    default_code = "json_too_deep"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if too_deep(text):
            raise JsonTooDeep()
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
