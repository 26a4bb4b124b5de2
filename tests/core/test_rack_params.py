"""``core.rack_params``: Rack 3's ``parse_nested_query``, case by case from rack's own rules."""

from __future__ import annotations

from typing import Any

import pytest

from mockservers.core.rack_params import PARAMS_LIMIT, RackParamError, nest, query_pairs


def parse(query: str) -> dict[str, Any]:
    pairs = [(k.decode(), None if v is None else v.decode("utf-8", "replace")) for k, v in query_pairs(query.encode())]
    return nest(pairs)


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("a=1&a=2", {"a": "2"}),
        ("a", {"a": None}),
        ("a=&=b&&", {"a": ""}),
        ("a=1&  b=2", {"a": "1", "b": "2"}),  # Rack splits at /& */
        ("a+b=c+d%20e", {"a b": "c d e"}),
        ("a[b]=1&a[c]=2", {"a": {"b": "1", "c": "2"}}),
        ("a[]=1&a[]=2", {"a": ["1", "2"]}),
        ("a&a[]=1", {"a": ["1"]}),  # a nil is replaced (Ruby's ||=)
        ("x[=1", {"x[": "1"}),
        ("[a]=1", {"[a]": "1"}),
        ("a[b]=1&a=2", {"a": "2"}),
        ("u[][f]=a&u[][g]=x&u[][f]=b", {"u": [{"f": "a", "g": "x"}, {"f": "b"}]}),
        ("u[0][f]=a", {"u": {"0": {"f": "a"}}}),
        ("a[b][][c]=1", {"a": {"b": [{"c": "1"}]}}),
        ("a=%FF", {"a": "\ufffd"}),
    ],
)
def test_nested_query_as_rack_parses_it(query: str, params: dict[str, Any]) -> None:
    assert parse(query) == params


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a=%GG", "invalid %-encoding (%GG)"),
        ("a%=1", "invalid %-encoding (a%)"),
        ("a=1&a[]=2", "expected Array (got String) for param `a'"),
        ("a[]=1&a[b]=2", "expected Hash (got Array) for param `a'"),
        ("a[b]=1&a[]=2", "expected Array (got Rack::QueryParser::Params) for param `a'"),
        ("a" + "[b]" * 32 + "=1", "Rack::QueryParser::QueryLimitError"),
        ("&".join(["a=1"] * (PARAMS_LIMIT + 2)), "total number of query parameters (4098) exceeds limit (4096)"),
    ],
)  # fmt: skip
def test_what_rack_refuses_carries_racks_message(query: str, message: str) -> None:
    with pytest.raises(RackParamError) as refused:
        parse(query)
    assert refused.value.message == message
