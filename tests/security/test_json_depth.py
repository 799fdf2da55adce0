"""The request guard's nesting check agrees with the plain definition of JSON depth."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from auth.guard import JsonTooDeep, bracket_nesting, json_body_depth, parse_json_limited

# Strings full of what the byte scan must not mistake for structure: brackets, quotes, backslashes.
TRICKY = st.text(alphabet='[]{}"\\\\ab\n', max_size=4)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3) | TRICKY,
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=2), children,
                                                                                        max_size=3), max_leaves=40)


def depth(value) -> int:
    """The top value is level 1; a container's contents are one level deeper."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return 1 + max((depth(v) for v in items), default=0)


@settings(max_examples=300, deadline=None)
@given(JSON, st.integers(min_value=1, max_value=8))
def test_too_deep_exactly_when_depth_exceeds_the_limit(value, limit):
    assert json_body_depth(value, limit) == (depth(value) > limit)


def containers(value) -> int:
    """Nesting of containers only (what a byte scan of brackets sees)."""
    if isinstance(value, (dict, list)):
        items = value.values() if isinstance(value, dict) else value
        return 1 + max((containers(v) for v in items), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(JSON, st.integers(min_value=1, max_value=8), st.booleans(), st.sampled_from([False, True]))
def test_decoding_refuses_exactly_the_documents_deeper_than_the_limit(value, limit, indent, ascii_only):
    raw = json.dumps(value, indent=1 if indent else None, ensure_ascii=ascii_only).encode()
    assert bracket_nesting(raw) == containers(value)
    if depth(value) > limit:
        with pytest.raises(JsonTooDeep):
            parse_json_limited(raw, limit)
    else:
        assert parse_json_limited(raw, limit) == value


def test_examples_at_the_boundary():
    assert not json_body_depth({"a": [1, 2]}, 3) and json_body_depth({"a": [1, 2]}, 2)
    assert not json_body_depth({"a": []}, 2) and not json_body_depth([], 1) and json_body_depth([[]], 1)
