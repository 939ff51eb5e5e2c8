"""Where things are in the cell, and the kinematics to reach them, from a cell description.

All poses are 4x4 transforms in the world frame. An arm's chains run from its URDF root to
each tool's centre point; a tool whose TCP link lives in a tool model (e.g. a screwdriver bit)
gets the model's mount and fixed transform as its tool offset. Parts are located nominally:
on their start slot, or where a place step put them (fixtures make that precise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellctl.config import ArmSpec, CellDescription
from cellctl.motion import Chain, IKError, JointLimits, load_chain
from cellctl.motion.urdf import URDFError, link_transform, root_link

APPROACH = 0.12   # m above a pick/place pose: PTP transfers start and end this high (clear of the stations)
SCREW_APPROACH = 0.02  # m above a hole or the feeder
CLEARANCE = 0.001  # m above its resting place where a part is let go

FLIP = np.diag([1.0, -1.0, -1.0, 1.0])
"""Half a turn about x: from a frame with z out of a surface to a tool frame with z into it."""


def translate(dz: float) -> np.ndarray:
    """A translation along a frame's own z."""
    t = np.eye(4)
    t[2, 3] = dz
    return t


def lifted(pose: np.ndarray, dz: float) -> np.ndarray:
    """``pose`` moved by ``dz`` along world z."""
    out = pose.copy()
    out[2, 3] += dz
    return out


@dataclass
class ArmGeometry:
    """One arm: where it stands, its joint limits and one chain per tool (in its base frame)."""

    spec: ArmSpec
    base: np.ndarray
    limits: JointLimits
    chains: dict[str, Chain] = field(default_factory=dict)

    def chain(self, tool: str) -> Chain:
        return self.chains[tool]

    def tool_of_type(self, tool_type: str) -> str:
        tool = self.spec.tool_of_type(tool_type)
        if tool is None:
            raise KeyError(f"arm {self.spec.name} has no {tool_type} tool")
        return tool.name

    def to_base(self, world_pose: np.ndarray) -> np.ndarray:
        return np.linalg.solve(self.base, world_pose)

    def fk(self, tool: str, q: np.ndarray) -> np.ndarray:
        """World pose of a tool's TCP."""
        return self.base @ self.chains[tool].fk(q)

    def ik(self, tool: str, world_pose: np.ndarray, seed: np.ndarray, attempts: int = 50) -> np.ndarray:
        """Joint positions putting the tool's TCP at a world pose (raises IKError)."""
        try:
            return self.chains[tool].ik(self.to_base(world_pose), seed=seed, max_attempts=attempts)
        except IKError as exc:
            raise self._in_world(exc, world_pose) from None

    def _in_world(self, exc: IKError, world_pose: np.ndarray) -> IKError:
        """The same error, worded for the cell: the pose in world coordinates and the arm's name."""
        reason = str(exc).split(" m: ", 1)[-1]
        where = np.round(world_pose[:3, 3], 4).tolist()
        return IKError(f"arm {self.spec.name} cannot reach the pose at {where} m (world): {reason}",
                       exc.reason, exc.position_error, exc.orientation_error)

    def ik_candidates(self, tool: str, world_pose: np.ndarray, seeds: list[np.ndarray]) -> list[np.ndarray]:
        """Configurations reaching a work pose, best first: solutions found from home, ``seeds``
        and a few reproducible others; those with room to the joint limits and away from
        singularities come first, closest to the home posture (the one the cell was taught
        around) first; the rest follow, roomiest first. Raises IKError when there is none."""
        chain = self.chains[tool]
        target = self.to_base(world_pose)
        span = np.minimum(chain.upper, np.pi) - np.maximum(chain.lower, -np.pi)
        home = np.asarray(self.spec.home, dtype=float)
        found, last_error = [], None
        for k, seed in enumerate([home, *seeds, *(None for _ in range(4))]):
            try:
                q = chain.ik(target, seed=seed, max_attempts=1 if seed is not None else 8, random_seed=k)
            except IKError as exc:
                last_error = exc
                continue
            if any(np.abs(q - other).max() < 1e-3 for _, _, other in found):
                continue
            room = float(np.min(np.minimum(q - chain.lower, chain.upper - q) / span))
            dexterity = float(np.linalg.svd(chain.jacobian(q), compute_uv=False)[-1])
            found.append((min(room / 0.05, dexterity / 0.05), float(np.linalg.norm(q - home)), q))
        if not found:
            assert last_error is not None
            raise self._in_world(last_error, world_pose)
        good = sorted((c for c in found if c[0] >= 1.0), key=lambda c: c[1])
        rest = sorted((c for c in found if c[0] < 1.0), key=lambda c: -c[0])
        return [c[2] for c in good + rest]


def _tool_offset(spec: ArmSpec, tcp_link: str) -> tuple[str, np.ndarray | None]:
    """(link the chain ends at, extra tool transform) for a TCP link of the arm or of a tool model."""
    for tool in spec.tools.values():
        if tool.model is None:
            continue
        try:
            inside = link_transform(tool.model, root_link(tool.model), tcp_link)
        except URDFError:
            continue
        return spec.tip_link, tool.mount.matrix @ inside
    return tcp_link, None


def arm_geometry(spec: ArmSpec) -> ArmGeometry:
    limits = JointLimits(spec.limits.velocity, spec.limits.acceleration, spec.limits.jerk, names=spec.joints)
    geo = ArmGeometry(spec, spec.base.matrix, limits)
    root = root_link(spec.urdf)
    for tool in spec.tools.values():
        end, offset = _tool_offset(spec, tool.tcp_link)
        chain = load_chain(spec.urdf, root, end, tool=offset)
        if chain.joint_names != spec.joints:
            raise ValueError(f"{spec.mark}: arm {spec.name}: the joints from {root} to {tool.tcp_link} are "
                             f"{list(chain.joint_names)}, but the cell drives {list(spec.joints)}")
        geo.chains[tool.name] = chain
    return geo


class CellGeometry:
    """Nominal poses of stations, parts, holes and the feeder, and every arm's kinematics."""

    def __init__(self, cell: CellDescription) -> None:
        self.cell = cell
        self.arms = {name: arm_geometry(spec) for name, spec in cell.arms.items()}

    def slot(self, station: str, slot: str) -> np.ndarray:
        spec = self.cell.stations[station]
        return (spec.pose * spec.slots[slot]).matrix

    def part_height(self, part: str) -> float:
        return self.cell.parts[part].height

    def resting_on_slot(self, part: str, station: str, slot: str) -> np.ndarray:
        """Centre pose of a part lying on a station slot."""
        return self.slot(station, slot) @ translate(self.part_height(part) / 2)

    def resting_on_part(self, part: str, below_pose: np.ndarray, below: str) -> np.ndarray:
        """Centre pose of a part stacked on another part (same orientation)."""
        return below_pose @ translate(self.part_height(below) / 2 + self.part_height(part) / 2)

    def start_pose(self, part: str) -> np.ndarray:
        spec = self.cell.parts[part]
        return self.resting_on_slot(part, spec.start_station, spec.start_slot)

    def grasp(self, part: str, part_pose: np.ndarray, grasp: str) -> np.ndarray:
        """TCP pose that grasps a part lying at ``part_pose``."""
        return part_pose @ self.cell.parts[part].grasps[grasp].matrix

    def hole_entry(self, hole: str, part_pose: np.ndarray) -> np.ndarray:
        """World pose of a hole entry (z out of the hole) on its part at ``part_pose``."""
        return part_pose @ self.cell.holes[hole].pose.matrix

    def driving_pose(self, hole: str, part_pose: np.ndarray) -> np.ndarray:
        """Bit TCP pose that puts the held screw's tip on the hole entry, bit along the hole axis."""
        spec = self.cell.holes[hole]
        screw = self.cell.screws[spec.screw]
        return self.hole_entry(hole, part_pose) @ FLIP @ translate(-(screw.head_height + screw.length))

    def feeder_pick(self, screw: str) -> np.ndarray:
        """Cup TCP pose on the head of the screw a feeder presents."""
        feeder = next(s for s in self.cell.stations.values() if s.type == "screw_feeder" and s.screw == screw)
        head = self.cell.screws[screw].head_height
        return (feeder.pose * feeder.slots["pick"]).matrix @ translate(head) @ FLIP

    def station_slot_down(self, station: str, slot: str | None = None, above: float = 0.0) -> np.ndarray:
        """A tool's TCP pose ``above`` metres over a station slot (its first when ``slot`` is None),
        z pointing down into it."""
        spec = self.cell.stations[station]
        return (spec.pose * spec.slots[slot or next(iter(spec.slots))]).matrix @ translate(above) @ FLIP

    def zones_containing(self, arm: str, point: np.ndarray) -> list[str]:
        """Interlock zones (that list the arm) containing a world point."""
        inside = []
        for zone in self.cell.zones.values():
            if arm not in zone.arms:
                continue
            local = np.linalg.solve(self.cell.stations[zone.station].pose.matrix, np.append(point, 1.0))[:3]
            if abs(local[0]) <= zone.size[0] / 2 and abs(local[1]) <= zone.size[1] / 2 and 0 <= local[2] <= zone.size[2]:
                inside.append(zone.name)
        return inside
