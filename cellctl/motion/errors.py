"""Planning errors with the structure a message needs: which move, where along it, why."""

from __future__ import annotations


class IKError(ValueError):
    """Inverse kinematics found no configuration for a pose.

    Attributes:
        reason: ``unreachable``, ``singular`` or ``joint_limits``.
        position_error: metres, of the best configuration found.
        orientation_error: radians, of the best configuration found.
    """

    def __init__(self, message: str, reason: str, position_error: float, orientation_error: float) -> None:
        super().__init__(message)
        self.reason = reason
        self.position_error = position_error
        self.orientation_error = orientation_error


_REASONS = {
    "unreachable": "the pose is out of the arm's reach",
    "joint_limits": "a joint would leave its limits",
    "singular": "the arm passes through or near a singular configuration",
    "invalid": "the request is invalid",
    "internal": "the planner found no valid timing (a planner defect: please report the moves)",
}


class PathError(ValueError):
    """A Cartesian plan was rejected before any motion.

    Attributes:
        reason: ``unreachable``, ``joint_limits``, ``singular``, ``invalid`` or ``internal``.
        move: index of the move in the sequence (0-based).
        fraction: where along that move, 0..1.
        joint: index of the joint concerned, or -1.
        detail: what the planner saw there.
    """

    def __init__(self, reason: str, move: int, fraction: float, joint: int, detail: str) -> None:
        self.reason = reason
        self.move = move
        self.fraction = fraction
        self.joint = joint
        self.detail = detail
        self.move_label = f"move {move}"
        self.joint_label = f"joint {joint}" if joint >= 0 else ""
        super().__init__(self._message())

    def describe(self, move_label: str, joint_label: str) -> PathError:
        """Return this error worded with a move description and a joint name."""
        self.move_label = move_label
        self.joint_label = joint_label if self.joint >= 0 else ""
        self.args = (self._message(),)
        return self

    def _message(self) -> str:
        why = _REASONS.get(self.reason, self.reason)
        who = f" ({self.joint_label})" if self.joint_label else ""
        return f"{self.move_label}, at {self.fraction:.0%} of its length: {why}{who}: {self.detail}"
