"""Robot descriptions for viewers: a mesh becomes the box that bounds it, where the mesh was."""

from __future__ import annotations

import struct
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.config import demo_cell_path, load_cell
from cellctl.service.description import _primitive, _rotation, robot_description

pytestmark = pytest.mark.unit

coordinate = st.floats(-0.5, 0.5, allow_nan=False)
vertices = st.lists(st.tuples(coordinate, coordinate, coordinate), min_size=2, max_size=30)


def _write_mesh(folder: Path, kind: str, points: np.ndarray) -> str:
    """The points as the vertices of triangles in an OBJ, ASCII STL or binary STL file."""
    triangles = np.resize(points, (-(-len(points) // 3) * 3, 3)).reshape(-1, 3, 3)
    if kind == "obj":
        (folder / "m.obj").write_text("o part\n" + "".join(f"v {x} {y} {z}\n" for x, y, z in points.tolist())
                                      + "f 1 2 2\n")
        return "m.obj"
    if kind == "ascii.stl":
        facets = "".join("facet normal 0 0 1\nouter loop\n"
                         + "".join(f"vertex {x} {y} {z}\n" for x, y, z in t.tolist()) + "endloop\nendfacet\n"
                         for t in triangles)
        (folder / "a.stl").write_text(f"solid part\n{facets}endsolid part\n")
        return "a.stl"
    records = b"".join(struct.pack("<12f", 0, 0, 1, *t.ravel()) + b"\0\0" for t in triangles)
    header = b"solid-looking header".ljust(80, b" ")  # a binary STL may start with "solid" too
    (folder / "b.stl").write_bytes(header + struct.pack("<I", len(triangles)) + records)
    return "b.stl"


@settings(max_examples=40, deadline=None)
@given(points=vertices, kind=st.sampled_from(["obj", "ascii.stl", "binary.stl"]),
       xyz=st.tuples(coordinate, coordinate, coordinate), rpy=st.tuples(*[st.floats(-3.2, 3.2)] * 3),
       scale=st.tuples(*[st.floats(0.1, 3.0)] * 3))
def test_a_mesh_becomes_the_box_that_bounds_it_in_its_links_frame(points, kind, xyz, rpy, scale) -> None:
    pts = np.array(points, dtype=np.float32).astype(float)  # what a binary STL can hold
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        name = _write_mesh(folder, kind, pts)
        robot = ET.fromstring(
            f'<robot name="r"><link name="l"><visual><origin xyz="{" ".join(map(repr, xyz))}" '
            f'rpy="{" ".join(map(repr, rpy))}"/><geometry><mesh filename="package://{name}" '
            f'scale="{" ".join(map(repr, scale))}"/></geometry></visual></link></robot>')
        _primitive(robot, folder / "r.urdf")
    (visual,) = robot.iter("visual")
    size = np.array([float(v) for v in visual.find("geometry/box").get("size").split()])
    origin = visual.find("origin")
    centre = np.array([float(v) for v in origin.get("xyz").split()])
    low, high = pts.min(axis=0) * scale, pts.max(axis=0) * scale
    assert np.allclose(size, np.maximum(high - low, 1e-4), rtol=1e-5, atol=1e-6)
    assert np.allclose(centre, np.array(xyz) + _rotation(np.array(rpy)) @ ((low + high) / 2), atol=1e-6)
    assert [float(v) for v in origin.get("rpy").split()] == pytest.approx(rpy, abs=1e-8)


def test_rotation_is_urdfs_fixed_axis_roll_pitch_yaw() -> None:
    quarter = np.pi / 2
    assert np.allclose(_rotation(np.array([0, 0, quarter])) @ [1, 0, 0], [0, 1, 0])  # yaw about z
    assert np.allclose(_rotation(np.array([quarter, 0, 0])) @ [0, 1, 0], [0, 0, 1])  # roll about x
    assert np.allclose(_rotation(np.array([0, quarter, 0])) @ [1, 0, 0], [0, 0, -1])  # pitch about y
    assert np.allclose(_rotation(np.array([quarter, 0, quarter])) @ [0, 0, 1], [1, 0, 0])  # roll first, then yaw


@pytest.mark.parametrize("content", [b"v 1 2 nonsense\n", b"", b"v nan 0 0\n"])
def test_a_mesh_that_cannot_be_read_is_a_small_box_not_a_failed_run(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "bad.obj").write_bytes(content)
    robot = ET.fromstring('<robot name="r"><link name="l"><visual><geometry><mesh filename="bad.obj"/></geometry>'
                          '</visual></link><link name="m"><visual><geometry><mesh filename="missing.stl"/>'
                          '</geometry></visual></link></robot>')
    _primitive(robot, tmp_path / "r.urdf")
    assert [box.get("size") for box in robot.iter("box")] == ["0.01 0.01 0.01"] * 2


@pytest.mark.parametrize("arm", ["loader", "screwer"])
def test_the_demo_arms_descriptions_draw_every_link_without_files(arm: str) -> None:
    spec = load_cell(demo_cell_path()).arms[arm]
    robot = ET.fromstring(robot_description(spec))
    assert not list(robot.iter("mesh"))
    drawn = {link.get("name") for link in robot.iter("link") if link.find("visual/geometry") is not None}
    source = ET.parse(spec.urdf).getroot()
    with_shapes = {link.get("name") for link in source.iter("link") if link.find("visual") is not None}
    assert with_shapes <= drawn  # every link the arm's URDF draws is drawn
    assert {t.tcp_link for t in spec.tools.values()} <= {link.get("name") for link in robot.iter("link")}
    boxes = [np.array([float(v) for v in box.get("size").split()]) for box in robot.iter("box")]
    assert boxes and all(0.0 < s.max() < 0.6 for s in boxes)  # arm links, not metres of nothing
