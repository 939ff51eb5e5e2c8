"""Key expressions and liveliness tokens as rmw_zenoh writes them; the token file and its checks."""

from __future__ import annotations

import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.service.access import Access, read_token, write_new_token
from cellctl.service.interfaces import TYPES, type_hash
from cellctl.service.keys import NodeId, attachment, data_key, mangle, parse_attachment

pytestmark = pytest.mark.unit

STRING_HASH = "RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18"


def test_the_talker_example_of_rmw_zenoh_design() -> None:
    """rmw_zenoh's docs/design.md: the talker's publisher token and its data key."""
    talker = NodeId(0, "8b20917502ee955ac4476e0266340d5c", 0, "", "talker")
    dds = TYPES["std_msgs/msg/String"].dds_name
    assert talker.entity_token(10, "MP", "/chatter", dds, type_hash("std_msgs/msg/String"), "::,7:,:,:,,") == (
        "@ros2_lv/0/8b20917502ee955ac4476e0266340d5c/0/10/MP/%/%/talker/%chatter/"
        f"std_msgs::msg::dds_::String_/{STRING_HASH}/::,7:,:,:,,")
    assert talker.token() == "@ros2_lv/0/8b20917502ee955ac4476e0266340d5c/0/0/NN/%/%/talker"
    assert data_key(0, "/chatter", dds, STRING_HASH) == f"0/chatter/std_msgs::msg::dds_::String_/{STRING_HASH}"


def test_the_cells_joint_states_key() -> None:
    key = data_key(3, "/cell/loader/joint_states", TYPES["sensor_msgs/msg/JointState"].dds_name,
                   type_hash("sensor_msgs/msg/JointState"))
    assert key == ("3/cell/loader/joint_states/sensor_msgs::msg::dds_::JointState_/"
                   "RIHS01_a13ee3a330e346c9d87b5aa18d24e11690752bd33a0350f11c5882bc9179260e")


def test_a_namespace_is_mangled_in_tokens() -> None:
    node = NodeId(0, "z", 0, "/cell", "supervisor")
    assert node.token() == "@ros2_lv/0/z/0/0/NN/%/%cell/supervisor"
    assert mangle("") == "%"


@given(st.integers(-2**63, 2**63 - 1), st.integers(-2**63, 2**63 - 1), st.binary(min_size=16, max_size=16))
def test_attachment_is_33_bytes_and_round_trips(sequence: int, stamp: int, gid: bytes) -> None:
    data = attachment(sequence, stamp, gid)
    assert len(data) == 33 and data[16] == 16
    assert parse_attachment(data) == (sequence, stamp, gid)


def test_something_else_is_not_an_attachment() -> None:
    assert parse_attachment(b"token") is None


def test_a_new_token_file_is_readable_by_its_user_only(tmp_path) -> None:
    path = tmp_path / "run" / "cell.token"
    path.parent.mkdir()
    path.write_text("old")
    path.chmod(0o644)  # an existing file with a looser mode is tightened
    token = write_new_token(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token(path) == token and len(token) == 32
    assert write_new_token(path) != token


def test_a_missing_or_empty_token_file_is_one_clear_line(tmp_path) -> None:
    with pytest.raises(OSError, match="token file .*missing.token.*--token-file"):
        read_token(tmp_path / "missing.token")
    (tmp_path / "empty.token").write_text("\n")
    with pytest.raises(OSError, match="does not hold a token"):
        read_token(tmp_path / "empty.token")


def test_access_refuses_missing_and_wrong_tokens_and_says_where_the_file_is(tmp_path) -> None:
    access = Access("a" * 32, tmp_path / "t.token")
    assert access.refusal("a" * 32) is None
    assert "needs the cell's token" in access.refusal(None) and "t.token" in access.refusal(None)
    assert "wrong token" in access.refusal("b" * 32)


def test_docs_show_every_cellctl_msgs_definition_as_the_code_has_it() -> None:
    from pathlib import Path

    from cellctl.service.interfaces import CELLCTL
    text = (Path(__file__).resolve().parents[3] / "docs" / "service.md").read_text()
    shown = [name for name in CELLCTL if "/msg/" in name or name.endswith(("_Goal", "_Result", "_Feedback"))]
    assert all(CELLCTL[name] in text for name in shown), [n for n in shown if CELLCTL[n] not in text]
