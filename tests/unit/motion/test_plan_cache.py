"""Plans are reused only for exactly the same inputs, and the cache stays bounded."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.motion import CartesianLimits, JointLimits, Lin, plan_path
from cellctl.motion import cartesian

from .arms import KUKA

pytestmark = pytest.mark.unit

CART = CartesianLimits(speed=0.25, acceleration=2.0, jerk=20.0)
LIMITS = JointLimits.uniform(7, 1.5, 5.0, 50.0)
Q0 = np.array([0.0, 0.2, 0.0, -1.7, 0.0, 1.0, 0.0])


def goal(chain, dz: float = -0.05) -> np.ndarray:
    pose = chain.fk(Q0)
    pose[2, 3] += dz
    return pose


def test_the_same_inputs_reuse_the_plan_and_it_equals_a_fresh_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cartesian, "_plans", type(cartesian._plans)())
    chain = KUKA.chain()
    first = plan_path(chain, Q0, [Lin(goal(chain))], LIMITS, CART)
    again = plan_path(KUKA.chain(), Q0.copy(), [Lin(goal(chain).copy())], LIMITS, CART)  # equal bytes, new objects
    assert again is first
    fresh = cartesian._plan_path(chain, Q0, [Lin(goal(chain))], LIMITS, CART, 0.0)
    t = np.linspace(0.0, fresh.duration, 200)
    assert fresh.duration == first.duration
    assert np.array_equal(fresh.sample(t).position, first.sample(t).position)


@pytest.mark.parametrize("change", ["start", "goal", "limits", "cartesian", "blend"])
def test_any_input_off_by_a_bit_plans_anew(change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cartesian, "_plans", type(cartesian._plans)())
    chain = KUKA.chain()
    first = plan_path(chain, Q0, [Lin(goal(chain))], LIMITS, CART)
    q, target, limits, cart, blend = Q0.copy(), goal(chain), LIMITS, CART, 0.0
    if change == "start":
        q[3] = np.nextafter(q[3], 0.0)
    elif change == "goal":
        target[0, 3] = np.nextafter(target[0, 3], 1.0)
    elif change == "limits":
        limits = JointLimits.uniform(7, 1.5, 5.0, 50.000000001)
    elif change == "cartesian":
        cart = CartesianLimits(speed=0.25, acceleration=2.0, jerk=20.0, angular_speed=1.0000001)
    else:
        blend = 1e-9
    other = plan_path(chain, q, [Lin(target)], limits, cart, blend)
    assert other is not first
    assert len(cartesian._plans) == 2


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cartesian, "_plans", type(cartesian._plans)())
    monkeypatch.setattr(cartesian, "PLAN_CACHE_SIZE", 3)
    chain = KUKA.chain()
    plans = [plan_path(chain, Q0, [Lin(goal(chain, -0.01 * (i + 1)))], LIMITS, CART) for i in range(5)]
    assert len(cartesian._plans) == 3
    assert plan_path(chain, Q0, [Lin(goal(chain, -0.05))], LIMITS, CART) is plans[4]  # recent: kept
    assert plan_path(chain, Q0, [Lin(goal(chain, -0.01))], LIMITS, CART) is not plans[0]  # oldest: planned again
