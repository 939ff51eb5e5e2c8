"""A Foxglove layout for a cell's channels (built with ``foxglove-sdk``'s layout classes).

Import it once in Foxglove (*Layouts → Import from file*); it then works for the live view and
for every recording of a cell with the same arms:

* a **3D** panel in ``world``: one URDF layer per arm, its robot from ``/cell/ARM/robot_description``,
  its frames prefixed ``ARM/`` (placed by ``/tf_static``), its joints moved by
  ``/cell/ARM/joint_states`` (the layer's *joint states* control mode: no robot state publisher
  needed), and the tool frames of ``/tf`` as axes;
* a **Plot** of each arm's second joint, measured and commanded (tracking);
* a **Plot** of the last torque-angle curve (``/cell/supervisor/tightening_curves``);
* a **State Transitions** panel of the steps, and **Raw Messages** of unit results and faults.
"""

from __future__ import annotations

from collections.abc import Sequence

from cellctl.service.channels import NAMESPACE, SUPERVISOR


def foxglove_layout(arms: Sequence[str]) -> str:
    """The layout (JSON text) for a cell with ``arms``."""
    import foxglove.layouts as fl

    layers = {f"urdf-{arm}": fl.BaseRendererUrdfLayerSettings(
        instance_id=f"urdf-{arm}", label=f"{arm}", source_type="topic", topic=f"{NAMESPACE}/{arm}/robot_description",
        frame_prefix=f"{arm}/", control_mode="jointStates", joint_states_topic=f"{NAMESPACE}/{arm}/joint_states",
        display_mode="visual") for arm in arms}
    layers["grid"] = fl.BaseRendererGridLayerSettings(instance_id="grid", label="floor")
    # the descriptions are drawn by the layers above (with their frame prefix), not as bare URDF topics
    topics = {f"{NAMESPACE}/{arm}/robot_description": fl.BaseRendererUrdfTopicSettings(visible=False) for arm in arms}
    scene = fl.ThreeDeePanel(title="cell", config=fl.ThreeDeeConfig(follow_tf="world", layers=layers,
                                                                     topics=topics))  # type: ignore[arg-type]
    tracking = fl.PlotPanel(title="joint 2: measured and commanded", config=fl.PlotConfig(paths=[
        fl.PlotSeries(value=f"{NAMESPACE}/{arm}/{kind}.position[1]", label=f"{arm} {label}")
        for arm in arms for kind, label in (("joint_states", "measured"), ("commanded_joint_states", "commanded"))]))
    curve = fl.PlotPanel(title="torque (N·m) over angle (deg)", config=fl.PlotConfig(
        x_axis_val="currentCustom", x_axis_path=fl.PlotXAxisPath(value=f"{SUPERVISOR}/tightening_curves.angle"),
        paths=[fl.PlotSeries(value=f"{SUPERVISOR}/tightening_curves.torque", label="torque")]))
    steps = fl.StateTransitionsPanel(title="steps", config=fl.StateTransitionsConfig(paths=[
        fl.StateTransitionsSeries(value=f"{SUPERVISOR}/step_events.path", label="step")]))
    units = fl.RawMessagesPanel(config=fl.RawMessagesConfig(topic_path=f"{SUPERVISOR}/unit_results"))
    faults = fl.RawMessagesPanel(config=fl.RawMessagesConfig(topic_path=f"{SUPERVISOR}/faults"))

    def column(*panels: object) -> object:
        items = [fl.SplitItem(content=p) for p in panels]  # type: ignore[arg-type]
        return fl.SplitContainer(direction="column", items=items)

    layout = fl.Layout(content=fl.SplitContainer(direction="row", items=[
        fl.SplitItem(proportion=2, content=column(scene, steps)),  # type: ignore[arg-type]
        fl.SplitItem(proportion=1, content=column(tracking, curve, units, faults)),  # type: ignore[arg-type]
    ]))
    return layout.to_json()
