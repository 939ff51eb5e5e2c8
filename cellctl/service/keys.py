"""Zenoh key expressions and liveliness tokens named the way rmw_zenoh names them.

- data (topics and services): ``<domain>/<fully qualified name without the leading />/<dds type>/<hash>``,
  e.g. ``0/cell/loader/joint_states/sensor_msgs::msg::dds_::JointState_/RIHS01_a13e…``;
- liveliness (discovery): ``@ros2_lv/<domain>/<zenoh id>/<node id>/<entity id>/<kind>/<enclave>/
  <namespace>/<node>[/<name>/<dds type>/<hash>/<qos>]``, with ``/`` inside names written ``%``
  and an empty enclave or namespace written ``%``; kind NN node, MP publisher, MS subscription,
  SS service server, SC service client;
- the 33-byte attachment every sample and request carries: sequence number (int64 LE), source
  timestamp (int64 LE, ns since the epoch), ``0x10`` and the 16-byte GID of the sender.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

ADMIN_SPACE = "@ros2_lv"

QOS_DEFAULT = "::,10:,:,:,,"
"""Reliable, volatile, keep last 10 (an empty field is rmw_zenoh's default)."""
QOS_LATCHED = ":1:,1:,:,:,,"
"""Transient local, keep last 1: a late subscriber gets the last sample."""


def mangle(name: str) -> str:
    """A ROS name as one key chunk: ``/cell/status`` → ``%cell%status``; empty → ``%``."""
    return name.replace("/", "%") if name else "%"


def data_key(domain: int, name: str, dds_type: str, type_hash: str) -> str:
    """The key expression a topic's samples or a service's queries travel on."""
    return f"{domain}/{name.strip('/')}/{dds_type}/{type_hash}"


@dataclass(frozen=True)
class NodeId:
    """Where an entity lives: the session's zenoh id, the node's id and names."""

    domain: int
    zid: str
    node_id: int
    namespace: str
    name: str

    def token(self) -> str:
        """The node's own liveliness token (kind NN)."""
        return f"{self._prefix(self.node_id, 'NN')}"

    def entity_token(self, entity_id: int, kind: str, name: str, dds_type: str, type_hash: str,
                     qos: str = QOS_DEFAULT) -> str:
        """The liveliness token of a publisher (MP), subscription (MS), service (SS) or client (SC)."""
        return f"{self._prefix(entity_id, kind)}/{mangle(name)}/{dds_type}/{type_hash}/{qos}"

    def _prefix(self, entity_id: int, kind: str) -> str:
        return (f"{ADMIN_SPACE}/{self.domain}/{self.zid}/{self.node_id}/{entity_id}/{kind}/%/"
                f"{mangle(self.namespace)}/{self.name}")


def gid(token: str) -> bytes:
    """A 16-byte global id for the entity with liveliness ``token`` (stable for the token)."""
    return hashlib.sha256(token.encode()).digest()[:16]


_ATTACHMENT = struct.Struct("<qqB16s")


def attachment(sequence: int, timestamp_ns: int, source_gid: bytes) -> bytes:
    """rmw_zenoh's attachment: sequence number, source timestamp and GID (33 bytes)."""
    return _ATTACHMENT.pack(sequence, timestamp_ns, 16, source_gid)


def parse_attachment(data: bytes) -> tuple[int, int, bytes] | None:
    """(sequence, timestamp ns, gid) of an rmw_zenoh attachment, or None if ``data`` is not one."""
    if len(data) != _ATTACHMENT.size:
        return None
    sequence, stamp, length, source = _ATTACHMENT.unpack(data)
    return (sequence, stamp, source) if length == 16 else None
