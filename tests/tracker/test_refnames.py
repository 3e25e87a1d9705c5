"""encode_ref_component: any string → one legal ref component, and back."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchex.errors import TrackerError
from switchex.tracker.refnames import decode_ref_component, encode_ref_component


def _legal(component: str) -> bool:
    ref = f"refs/switchex/x/{component}"
    return subprocess.run(["git", "check-ref-format", ref], capture_output=True).returncode == 0


@pytest.mark.parametrize(
    ("name", "encoded"),
    [
        ("qwen2.5-coder:7b", "qwen2.5-coder%3A7b"),
        ("openrouter/deepseek/deepseek-r1", "openrouter%2Fdeepseek%2Fdeepseek-r1"),
        ("my model", "my%20model"),
        ("a..b", "a.%2Eb"),
        (".hidden", "%2Ehidden"),
        ("end.", "end%2E"),
        ("x.lock", "x%2Elock"),
        ("@{-1}", "@%7B-1%7D"),
        ("100%", "100%25"),
        ("", "%"),
        ("é", "%C3%A9"),
    ],
)
def test_known_names(name: str, encoded: str) -> None:
    assert encode_ref_component(name) == encoded
    assert decode_ref_component(encoded) == name
    assert _legal(encoded)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_any_string_is_a_legal_component_that_decodes_back(name: str) -> None:
    encoded = encode_ref_component(name)
    assert "/" not in encoded and encoded.isascii()
    assert decode_ref_component(encoded) == name
    assert _legal(encoded), encoded


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=".:/ lockLOCK@{}~^?*[\\-", max_size=12))
def test_dots_and_specials_stay_legal(name: str) -> None:
    assert _legal(encode_ref_component(name))
    assert decode_ref_component(encode_ref_component(name)) == name


@pytest.mark.parametrize("bad", ["%4", "%zz", "a%", "%FF"])
def test_malformed_components_raise(bad: str) -> None:
    with pytest.raises(TrackerError):
        decode_ref_component(bad)
