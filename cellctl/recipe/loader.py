"""Recipe YAML → :class:`~cellctl.recipe.model.Recipe`, with ``FILE:LINE:COL`` errors.

The form (see docs/recipes.md)::

    version: 1
    recipe: phone_assembly
    revision: "A.3"            # recipe version, journaled with every unit
    serial_prefix: PH
    cell: phone_assembly_demo   # optional: the cell it is written for
    steps:                      # one step: usually a sequence
      sequence:
        - pick: {arm: loader, part: mid_frame}
        - place: {arm: loader, part: mid_frame, station: nest, slot: unit}
        - screw: {arm: screwer, holes: [h1, h2]}     # a pattern: one step per hole
        - fallback:
            - inspect: {holes: [h1, h2]}
            - reject: {reason: "a screw is NOK"}
    recover:                    # optional: the clear-out after a NOK or aborted unit
      sequence:
        - pick: {arm: loader, part: mid_frame}
        - place: {arm: loader, part: mid_frame, station: nok_tray, slot: s0}

Each step is a mapping with exactly one key, its kind. Only the structure and value types are
checked here; names of arms, parts and holes are checked against a cell by
:mod:`cellctl.recipe.validate`.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from cellctl.config.errors import ConfigError
from cellctl.config.pose import read_pose
from cellctl.config.schema import MapReader, as_map, as_seq, as_string
from cellctl.config.yaml_nodes import MapNode, YamlNode, ScalarNode, load_yaml_file, parse_yaml
from cellctl.quality.settings import read_quality
from cellctl.recipe.model import (
    COMPOSITE_KINDS,
    BackOut,
    ChangeBit,
    COMPOSITE_TYPES,
    LEAF_KINDS,
    Inspect,
    MoveStep,
    MoveTarget,
    Pick,
    Place,
    Recipe,
    Reject,
    Retry,
    Screw,
    Sequence,
    Step,
    TIGHTENING_FAILURES,
    Wait,
    When,
)

KINDS = LEAF_KINDS + COMPOSITE_KINDS
_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9_]{0,11}$")


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe file. Raises :class:`ConfigError` (``FILE:LINE:COL: message``)."""
    return _recipe(load_yaml_file(path), Path(path))


def parse_recipe(text: str, file: str = "<string>") -> Recipe:
    """Parse recipe text (for tests and tools)."""
    return _recipe(parse_yaml(text, file), Path(file))


def _recipe(root: YamlNode, source: Path) -> Recipe:
    doc = MapReader(root, "")
    doc.integer("version", 1, 1)
    name = doc.string("recipe")
    revision = doc.string("revision", default="1")
    prefix = doc.string("serial_prefix", default="UNIT")
    if not _PREFIX.match(prefix):
        raise ConfigError(doc.node.values["serial_prefix"].mark,
                          f"serial_prefix={prefix!r} is not valid; valid: 1-12 of A-Z, 0-9, _ starting with a letter or digit")
    cell_node = doc.optional("cell")
    cell = as_string(cell_node, "cell") if cell_node is not None else None
    tree = _step(doc.get("steps"), "steps", "0")
    recover_node = doc.optional("recover")
    recover = _step(recover_node, "recover", "recover") if recover_node is not None else None
    quality_map = doc.optional_mapping("quality")
    quality = read_quality(quality_map) if quality_map is not None else None
    maintenance = _maintenance(doc)
    if quality is not None and quality.maintenance is not None and quality.maintenance not in maintenance:
        raise ConfigError(quality.maintenance_mark or root.mark,
                          f"quality.maintenance: {quality.maintenance!r} is not a branch of this recipe's maintenance: "
                          f"section; valid: {', '.join(maintenance) or 'none (add a maintenance: section)'}")
    doc.finish()
    return Recipe(name, revision, prefix, cell, tree, source, root.mark, recover, quality, maintenance)


def _maintenance(doc: MapReader) -> dict[str, Step]:
    """The ``maintenance:`` section: name → step tree (journaled under paths ``maintenance.NAME``)."""
    section = doc.optional_mapping("maintenance")
    if section is None:
        return {}
    return {name: _step(node, section.child_path(name), f"maintenance.{name}") for name, node in section.entries()}


def _step(node: YamlNode, where: str, path: str) -> Step:
    kinds = [k for k in node.values if k != "id"] if isinstance(node, MapNode) else []
    if not isinstance(node, MapNode) or len(kinds) != 1:
        raise ConfigError(node.mark, f"{where} must be a mapping with exactly one step kind "
                          f"({', '.join(KINDS)}) and optionally an id")
    kind = kinds[0]
    body = node.values[kind]
    as_string(_key_node(node, kind), f"{where} kind", KINDS)
    step_id = as_string(node.values["id"], f"{where}.id") if "id" in node.values else None
    here = f"{where}.{kind}"
    if kind in COMPOSITE_KINDS:
        step = _composite(kind, body, here, path, node)
    else:
        reader = as_map(body, here)
        step = _LEAVES[kind](reader, node, path)
        reader.finish()
    return dataclasses.replace(step, id=step_id) if step_id else step


def _key_node(node: MapNode, key: str) -> YamlNode:
    """The key itself as a located node (to check it like a value)."""
    return ScalarNode(node.keys[key], key)


def _composite(kind: str, body: YamlNode, where: str, path: str, node: MapNode) -> Step:
    if kind == "retry":
        reader = as_map(body, where)
        times = reader.integer("times", 1, 10)
        child = _step(reader.get("do"), f"{where}.do", f"{path}.0")
        reader.finish()
        return Retry(node.mark, path, steps=(child,), times=times)
    items = as_seq(body, where).items
    if not items:
        raise ConfigError(body.mark, f"{where} needs at least one step")
    children = tuple(_step(item, f"{where}[{i}]", f"{path}.{i}") for i, item in enumerate(items))
    return COMPOSITE_TYPES[kind](node.mark, path, steps=children)


def _pick(r: MapReader, node: MapNode, path: str) -> Step:
    return Pick(node.mark, path, arm_name=r.string("arm"), part=r.string("part"),
                grasp=r.string("grasp", default="top"))


def _place(r: MapReader, node: MapNode, path: str) -> Step:
    # 'onto', not 'on': YAML 1.1 reads a bare 'on' key as the boolean true.
    onto = r.optional("onto")
    return Place(node.mark, path, arm_name=r.string("arm"), part=r.string("part"), station=r.string("station"),
                 slot=r.string("slot"), onto=as_string(onto, r.child_path("onto")) if onto is not None else None)


def _screw(r: MapReader, node: MapNode, path: str) -> Step:
    arm = r.string("arm")
    program = r.optional("program")
    program_name = as_string(program, r.child_path("program")) if program is not None else None
    if r.has("holes") == r.has("hole"):
        raise ConfigError(r.mark, f"{r.path} needs exactly one of 'hole' (one hole) or 'holes' (a pattern)")
    if r.has("hole"):
        return Screw(node.mark, path, arm_name=arm, hole=r.string("hole"), program=program_name)
    holes = as_seq(r.get("holes"), r.child_path("holes")).items
    if not holes:
        raise ConfigError(r.key_mark("holes"), f"{r.child_path('holes')} must name at least one hole")
    # A pattern is a sequence of single-hole steps: each hole is journaled (and resumed) on its own.
    steps = tuple(Screw(h.mark, f"{path}.{i}", arm_name=arm, hole=as_string(h, f"{r.child_path('holes')}[{i}]"),
                        program=program_name) for i, h in enumerate(holes))
    return Sequence(node.mark, path, steps=steps)


def _move(r: MapReader, node: MapNode, path: str) -> Step:
    arm = r.string("arm")
    mode = r.string("mode", ("ptp", "lin"), default="ptp")
    targets: list[MoveTarget] = []
    if r.has("to"):
        targets.append(MoveTarget(named=r.string("to")))
    if r.has("joints"):
        targets.append(MoveTarget(joints=r.vector("joints", None, -50.0, 50.0, "rad")))
    if r.has("pose"):
        targets.append(MoveTarget(pose=read_pose(r.get("pose"), r.child_path("pose"))))
    if r.has("path"):
        for i, item in enumerate(as_seq(r.get("path"), r.child_path("path")).items):
            where = f"{r.child_path('path')}[{i}]"
            point = as_map(item, where)
            blend = point.number("blend", 0.0, 1.0, "m", default=0.0)
            targets.append(MoveTarget(pose=read_pose(point.get("pose"), point.child_path("pose")), blend=blend))
            point.finish()
    if len(targets) == 0 or (len(targets) > 1 and not r.has("path")):
        raise ConfigError(r.mark, f"{r.path} needs exactly one of 'to' (a named position such as home), "
                          "'joints', 'pose' or 'path' (a list of {pose, blend})")
    if mode == "ptp" and any(t.pose is not None for t in targets) and r.has("path"):
        raise ConfigError(r.key_mark("path"), f"{r.child_path('path')} is a Cartesian path: use mode: lin")
    return MoveStep(node.mark, path, arm_name=arm, mode=mode, targets=tuple(targets))


def _wait(r: MapReader, node: MapNode, path: str) -> Step:
    if r.has("seconds") == r.has("after"):
        raise ConfigError(r.mark, f"{r.path} needs exactly one of 'seconds' or 'after' (a list of step ids)")
    if r.has("seconds"):
        return Wait(node.mark, path, seconds=r.number("seconds", 0.0, 3600.0, "s"))
    items = as_seq(r.get("after"), r.child_path("after")).items
    return Wait(node.mark, path, after=tuple(as_string(i, f"{r.child_path('after')}[{k}]") for k, i in enumerate(items)))


def _backout(r: MapReader, node: MapNode, path: str) -> Step:
    return BackOut(node.mark, path, arm_name=r.string("arm"), hole=r.string("hole"))


def _names(r: MapReader, key: str) -> tuple[str, ...]:
    node = r.optional(key)
    if node is None:
        return ()
    return tuple(as_string(h, f"{r.child_path(key)}[{i}]") for i, h in enumerate(as_seq(node, r.child_path(key)).items))


def _inspect(r: MapReader, node: MapNode, path: str) -> Step:
    holes, parts = _names(r, "holes"), _names(r, "parts")
    camera = r.string("camera") if r.has("camera") else None
    r.optional("camera")
    tolerance = r.number("tolerance", 0.01, 50.0, "mm", default=0.4)
    yaw_tolerance = r.number("yaw_tolerance", 0.05, 45.0, "°", default=1.0)
    if (camera is None) != (not parts):
        raise ConfigError(r.mark, f"{r.path}: 'camera' and 'parts' go together (the camera that looks at the parts, "
                          "and the parts it measures)")
    if not holes and camera is None:
        raise ConfigError(r.mark, f"{r.path} needs 'holes' (screws to check), or 'camera' and 'parts' (placement to "
                          "measure), or both")
    return Inspect(node.mark, path, holes=holes, camera=camera, parts=parts, tolerance=tolerance,
                   yaw_tolerance=yaw_tolerance)


def _reject(r: MapReader, node: MapNode, path: str) -> Step:
    hole = r.optional("hole")
    return Reject(node.mark, path, reason=r.string("reason"),
                  hole=as_string(hole, r.child_path("hole")) if hole is not None else None)


def _when(r: MapReader, node: MapNode, path: str) -> Step:
    seq = as_seq(r.get("failed"), r.child_path("failed"))
    if not seq.items:
        raise ConfigError(seq.mark, f"{r.child_path('failed')} must name at least one failure class; "
                          f"valid: {', '.join(TIGHTENING_FAILURES)}")
    failures = tuple(as_string(item, f"{r.child_path('failed')}[{i}]", TIGHTENING_FAILURES)
                     for i, item in enumerate(seq.items))
    return When(node.mark, path, hole=r.string("hole"), failures=failures)


def _change_bit(r: MapReader, node: MapNode, path: str) -> Step:
    slot = r.string("slot") if r.has("slot") else None
    r.optional("slot")
    return ChangeBit(node.mark, path, arm_name=r.string("arm"), station=r.string("station"), slot=slot,
                     seconds=r.number("seconds", 0.0, 600.0, "s", default=2.0))


_LEAVES = {"change_bit": _change_bit, "pick": _pick, "place": _place, "screw": _screw, "backout": _backout, "move": _move, "wait": _wait,
           "inspect": _inspect, "reject": _reject, "when": _when}

__all__ = ["load_recipe", "parse_recipe"]
