"""The shared helper: key redaction, landing (atomic, idempotent, safe paths) and replay integrity."""

from __future__ import annotations

import json

import pytest

from dagster_project.sources.errors import ApiError
from dagster_project.sources.fetch import ApiRequest
from dagster_project.sources.landing import land, landed_files
from dagster_project.sources.redaction import MASK, redact

from ..live_payloads import SECRET_KEY

ENCODED_KEY = "SyNtHeTiC%2BtEsT%2FkEy0123456789%3D%3D"


@pytest.mark.parametrize(
    "text",
    [
        f"key {SECRET_KEY} here",
        f"url?serviceKey={ENCODED_KEY}&pageNo=1",
        f"a=1&serviceKey={SECRET_KEY}",
        f"in a message: {ENCODED_KEY}.",
    ],
)
def test_redact_masks_raw_and_encoded_key(text):
    masked = redact(text, [SECRET_KEY])
    assert SECRET_KEY not in masked and ENCODED_KEY not in masked and MASK in masked


def test_redact_masks_key_params_by_name_even_if_unknown():
    assert redact("x?apiKey=zzz&b=2 y?subscription-key=q") == f"x?apiKey={MASK}&b=2 y?subscription-key={MASK}"
    assert redact("nothing secret") == "nothing secret"


def request(**params):
    return ApiRequest(
        "src", "2024-01", "http://127.0.0.1:9/p", params or {"a": "1"}, secret_params={"serviceKey": SECRET_KEY}
    )


def test_land_writes_body_and_sidecar_without_key(tmp_path):
    landed = land(tmp_path, request(), b"<x/>", status=200, content_type="text/xml")

    assert landed.path.parent == tmp_path / "src" / "2024-01" and landed.path.read_bytes() == b"<x/>"
    sidecar = json.loads(landed.path.with_suffix(".request.json").read_text())
    assert sidecar["url"] == "http://127.0.0.1:9/p?a=1" and sidecar["params"] == {"a": "1"}
    assert SECRET_KEY not in json.dumps(sidecar) and "serviceKey" in sidecar["secrets_removed"]
    assert request().wire_url.endswith("serviceKey=SyNtHeTiC%2BtEsT%2FkEy0123456789%3D%3D")


def test_request_id_ignores_the_key_and_depends_on_params():
    other_key = ApiRequest("src", "2024-01", "http://127.0.0.1:9/p", {"a": "1"}, secret_params={"serviceKey": "other"})
    assert request().request_id == other_key.request_id != request(a="2").request_id


@pytest.mark.parametrize("partition", ["../x", "a/b", "", ".hidden"])
def test_unsafe_partition_names_are_refused(tmp_path, partition):
    bad = ApiRequest("src", partition, "http://127.0.0.1:9/p")
    with pytest.raises(ValueError, match="not a safe folder name"):
        land(tmp_path, bad, b"", status=200, content_type=None)


def test_replay_refuses_a_body_changed_after_landing(tmp_path):
    landed = land(tmp_path, request(), b"<x/>", status=200, content_type="text/xml")
    assert [found.path for found in landed_files("src", "2024-01", tmp_path)] == [landed.path]

    landed.path.write_bytes(b"<y/>")
    with pytest.raises(ApiError, match="differs from its sidecar"):
        landed_files("src", "2024-01", tmp_path)


def test_replay_of_an_empty_partition_says_so(tmp_path):
    with pytest.raises(ApiError, match="src, partition 2024-02: nothing landed"):
        landed_files("src", "2024-02", tmp_path)
