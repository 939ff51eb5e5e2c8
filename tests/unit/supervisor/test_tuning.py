"""The supervisor's timing and motion constants are the node's declared parameters."""

from __future__ import annotations

import dataclasses

import pytest

from cellctl.rt import Context, ParameterError
from cellctl.supervisor.supervisor import PARAMETERS, Supervisor
from cellctl.supervisor.tuning import DEFAULT_TUNING, TUNING_PARAMETERS, Tuning

pytestmark = pytest.mark.unit


def test_every_tuning_value_is_a_declared_parameter_of_the_supervisor() -> None:
    fields = {f.name for f in dataclasses.fields(Tuning)}
    assert {d.name for d in TUNING_PARAMETERS} == fields
    assert fields <= {d.name for d in PARAMETERS}


def test_the_defaults_are_the_descriptors_defaults() -> None:
    assert DEFAULT_TUNING == Tuning.read({d.name: d.default for d in TUNING_PARAMETERS}.__getitem__)
    assert DEFAULT_TUNING.approach_limits.speed == DEFAULT_TUNING.approach_speed


def _node() -> Supervisor:
    return Supervisor(Context(), system=None, cell=None, recipe=None, journal=None)  # type: ignore[arg-type]


def test_a_set_parameter_reaches_the_run_s_tuning() -> None:
    node = _node()
    node.set_parameters({"in_position": 0.004, "approach_speed": 0.1})
    tuning = Tuning.read(node.get_parameter)
    assert tuning.in_position == 0.004 and tuning.approach_limits.speed == 0.1
    assert tuning.settled == DEFAULT_TUNING.settled


def test_an_out_of_range_value_is_refused_with_the_range() -> None:
    with pytest.raises(ParameterError, match="lead"):
        _node().set_parameters({"lead": 5.0})
