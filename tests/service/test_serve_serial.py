"""``cellctl serve`` on the serial backend: two controller emulators, one per arm, operated by a
client in another process (the same service, the controllers keep time)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli import CELLCTL, cli_env
from _serve import JointWatch, start_serve, wait_for

from cellctl.config import demo_cell_path
from firmware_bridge.testing import EmulatorProcess

pytestmark = pytest.mark.hil


@pytest.mark.timeout(600)
def test_serve_on_two_emulated_controllers_pauses_estops_and_resets(tmp_path: Path) -> None:
    emulators = [EmulatorProcess("--cell", str(demo_cell_path()), "--arm", arm, "--tcp", "0", ready_timeout=30.0,
                                 command=[*CELLCTL, "emulator"], log=tmp_path / f"{arm}.log", env=cli_env())
                 for arm in ("loader", "screwer")]
    served = None
    try:
        loader, screwer = (emulator.start() for emulator in emulators)
        served = start_serve(tmp_path, "--backend", f"serial:loader={loader.tcp_url},screwer={screwer.tcp_url}")
        with served.client() as client:
            watch = JointWatch()
            keep = [client.subscribe(f"/cell/{arm}/joint_states", "sensor_msgs/msg/JointState", watch.callback(arm))
                    for arm in ("loader", "screwer")]
            wait_for(lambda: all(len(s) > 50 for s in watch.samples.values()) and len(watch.samples) == 2, 30,
                     "joint states of both arms")
            client.start(1)
            wait_for(watch.moving, 90, "an arm to move")
            assert client.command("pause")["success"]
            wait_for(lambda: client.status()["state"] == "paused", 20, "the pause")
            assert watch.still_for(0.5) < 1e-9, "an arm moved while paused"
            assert client.command("estop")["success"]
            wait_for(lambda: client.status()["state"] == "estopped", 10, "the e-stop")
            assert watch.still_for(0.5) < 1e-9, "an arm moved after the e-stop"
            assert client.command("reset")["success"] and client.status()["state"] == "idle"
            del keep
        assert served.stop() == 0
    finally:
        if served is not None and served.process.poll() is None:
            served.process.kill()
            served.process.wait(10)
        for emulator in emulators:
            emulator.stop()
