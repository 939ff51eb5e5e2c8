"""``cellctl serve`` with clients in other processes: the operator's whole vocabulary against the
simulated demo cell, the token, a client that dies, and a client that finds no cell."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest
from _cli import CELLCTL, cli_env
from _serve import DEMO_RECIPE, JointWatch, Served, free_port, origin_events, start_serve, wait_for

from cellctl.config import demo_cell_path
from cellctl.journal import Journal
from cellctl.service import interfaces as ifc
from cellctl.service.client import CellClient
from cellctl.service.wire import NoCell, ServiceFailed

pytestmark = pytest.mark.sim

MOTION_TIMEOUT = 90.0  # s of wall time for the cell to start moving (a busy machine)
ESTOP_DISTANCE = 0.3   # rad an arm may travel once e-stopped: its brake's distance, at most 0.230 rad
                       # in a demo unit (tests/simulation/_cell.py; moving on would be radians)
SETTLED = 1e-4         # rad: a braked arm in the physics simulation is still to within this
HELD = 1e-5            # rad: a paused arm, held on its path by its motors, is still to within this


def _state(client: CellClient) -> str:
    return client.status()["state"]


def _watch_joints(client: CellClient, watch: JointWatch) -> list:
    return [client.subscribe(f"/cell/{arm}/joint_states", "sensor_msgs/msg/JointState", watch.callback(arm))
            for arm in ("loader", "screwer")]


def _loader_places(client: CellClient) -> bool:
    return any(a["arm"] == "loader" and a["activity"].startswith("place") for a in client.status()["arms"])


def test_start_pause_resume_estop_reset_and_a_fault_from_other_processes(served: Served) -> None:
    with served.client() as client:
        assert client.status()["state"] == "idle" and client.lifecycle_state() == "active"
        watch = JointWatch()
        subscriptions = _watch_joints(client, watch)  # noqa: F841 (kept alive)
        steps: list[dict] = []
        feedback: list[dict] = []
        subscriptions += [client.subscribe("~/step_events", "cellctl_msgs/msg/StepEvent",
                                           lambda message, _sent: steps.append(message)),
                          client.subscribe("~/build_units/_action/feedback",
                                           "cellctl_msgs/action/BuildUnits_FeedbackMessage",
                                           lambda message, _sent: feedback.append(message))]
        goal_statuses: list[dict[bytes, int]] = []  # the action's status topic, as ROS 2 tools read it
        subscriptions.append(client.subscribe(
            "~/build_units/_action/status", "action_msgs/msg/GoalStatusArray",
            lambda message, _sent: goal_statuses.append({bytes(s["goal_info"]["goal_id"]["uuid"]): s["status"]
                                                         for s in message["status_list"]})))

        goal = client.start(3)
        wait_for(watch.moving, MOTION_TIMEOUT, "an arm to move after start")

        paused = served.cli("pause", "--json")
        assert paused.returncode == 0 and paused.last_json["success"], paused
        wait_for(lambda: _state(client) == "paused", 20, "the cell to be paused")
        # measured joints of an arm held by its motors settle within micro-radians (1.1e-6 rad seen
        # once); moving on along its path would be tenths of a radian in 0.6 s
        assert watch.still_for(0.6) < HELD, "an arm moved while paused"

        assert client.command("resume")["success"]
        wait_for(watch.moving, 30, "the arms to move again after resume")
        shown = served.cli("status", "--json")
        assert shown.returncode == 0, shown
        assert shown.last_json["state"] == "running" and shown.last_json["unit"] == "PH-000001"
        assert shown.last_json["units_total"] == 3

        wait_for(lambda: _loader_places(client), MOTION_TIMEOUT, "the loader to carry a part")
        assert client.command("estop")["success"]
        stopped = time.time()  # the reply comes once the e-stop was executed
        wait_for(lambda: _state(client) == "estopped", 10, "the e-stop")
        wait_for(lambda: watch.still_for(0.3) < SETTLED, 30, "the arms to come to rest after the e-stop")
        assert watch.travel_since(stopped) < ESTOP_DISTANCE, \
            f"an arm moved on after the e-stop:\n{watch.travel_report(stopped)}"
        assert watch.still_for(1.0) < SETTLED, "an arm moved after the e-stop"
        assert client.latest_status()["state"] == "estopped"  # latched: what a late subscriber gets
        assert any(e["unit"] == "PH-000001" and e["result"] == "RUNNING" for e in steps), steps
        assert any(e["result"] in ("OK", "HALTED") for e in steps), steps
        assert any(bytes(f["goal_id"]["uuid"]) == goal and f["feedback"]["unit"] == "PH-000001" for f in feedback)
        with pytest.raises(ServiceFailed, match="estopped; reset it first"):
            client.start(1)
        status, result = client.result(goal, timeout=10)
        assert status == ifc.STATUS_ABORTED and result["serials"] == ["PH-000001"] and result["units_aborted"] == 1
        wait_for(lambda: goal_statuses and goal_statuses[-1].get(goal) == ifc.STATUS_ABORTED, 10,
                 "the action's status topic to show the goal aborted")
        assert any(g.get(goal) == ifc.STATUS_EXECUTING for g in goal_statuses), goal_statuses

        reset = served.cli("reset")
        assert reset.returncode == 0, reset
        assert _state(client) == "idle"
        assert watch.still_for(0.5) < SETTLED, "an arm moved after reset without a start"
        nothing = served.cli("abort")
        assert nothing.returncode == 1 and "nothing to abort: the cell is idle" in nothing.stdout, nothing

        # The service goes on after the e-stop. If the loader was stopped holding a part, the next
        # kit cannot be presented: the goal ends with the cell faulted, saying why, and a reset
        # clears it; if it was not, the unit is built. Either way the same process serves on.
        status, result = client.result(client.start(1), timeout=240)
        if result["state"] == "faulted":
            assert status == ifc.STATUS_ABORTED and result["serials"] == [] and "holds" in result["message"], result
            assert client.status()["state"] == "faulted"
            assert client.command("reset")["success"]
        else:
            assert status == ifc.STATUS_SUCCEEDED and result["serials"] == ["PH-000002"], result
        assert _state(client) == "idle"
    assert served.stop() == 0

    commands = [detail for kind, detail in origin_events(served.db) if kind == "command"]
    me = f":{os.getpid()}"
    for name, by_me in (("start", True), ("pause", False), ("resume", True), ("estop", True), ("reset", None),
                        ("abort", False)):
        matching = [d for d in commands if d.startswith(f"{name} ")]
        assert matching, f"no journaled {name} command in {commands}"
        origins = [d.split(" from ", 1)[1] for d in matching]
        assert all("@" in o for o in origins), origins
        if by_me is not None:  # the CLI's commands carry its own pid, the test's client this one's
            assert any(me in o for o in origins) == by_me, (name, origins)


def test_commands_need_the_token_and_a_dying_client_changes_nothing(served: Served) -> None:
    with served.client(token=False) as reader:
        assert reader.status()["state"] == "idle"  # reading needs no token
        with pytest.raises(ServiceFailed, match="needs the cell's token"):
            reader.command("estop")
        with pytest.raises(ServiceFailed, match="needs the cell's token"):
            reader.start(1)
        assert reader.get_parameter("speed_override") == 100.0
    watched = served.cli("status", "--watch", "--for", "1.5", "--json")
    assert watched.returncode == 0 and watched.last_json["state"] == "idle", watched
    wrong = served.token_file.with_name("wrong.token")
    wrong.write_text("f" * 32 + "\n")
    refused = served.cli("pause", token_file=wrong)
    assert refused.returncode == 2 and "wrong token" in refused.stderr, refused

    with served.client() as client:
        ok, reason = client.set_parameter("speed_override", 250.0)
        assert not ok and "out of range" in reason and "[1.0, 100.0]" in reason
        assert client.set_parameter("speed_override", 80.0) == (True, "")
        assert client.get_parameter("speed_override") == 80.0

        watch = JointWatch()
        subscriptions = _watch_joints(client, watch)  # noqa: F841
        starter = subprocess.Popen([*CELLCTL, "start", "--units", "1", *served.options()], env=cli_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(watch.moving, MOTION_TIMEOUT, "an arm to move after the client's start")
        finally:
            starter.send_signal(signal.SIGKILL)
            starter.wait(10)
        time.sleep(0.5)
        assert _state(client) == "running" and watch.moving(window=0.5), "the cell stopped when its client died"
        assert client.command("abort")["success"]
        wait_for(lambda: _state(client) == "idle", 60, "the abort to end the unit")
        assert watch.still_for(0.5) < 1e-9, "an arm moved after the abort"
    assert served.stop() == 0
    events = origin_events(served.db)
    assert any(kind == "command" and d.startswith("abort from ") and f":{os.getpid()}" in d for kind, d in events)
    refusals = [detail for kind, detail in events if kind == "command_refused"]
    assert any(d.startswith("estop from ") and "needs the cell's token" in d for d in refusals), refusals
    assert any(d.startswith("pause from ") and "wrong token" in d for d in refusals), refusals


def test_a_client_that_finds_no_cell_says_so_within_two_seconds() -> None:
    endpoint = f"tcp/127.0.0.1:{free_port()}"
    with CellClient([endpoint], 7) as client:
        started = time.monotonic()
        with pytest.raises(NoCell, match="no cell answered /cell/supervisor/state on domain 7"):
            client.status()
        assert time.monotonic() - started < 2.0
    done = subprocess.run([*CELLCTL, "status", "--connect", endpoint, "--domain", "7"], capture_output=True,
                          text=True, timeout=30, env=cli_env())
    assert done.returncode == 3 and "is 'cellctl serve' running" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_unit_left_open_by_another_recipe_is_not_resumed_and_the_service_says_why(tmp_path) -> None:
    with Journal(tmp_path / "journal.db") as journal:
        journal.start_unit("PH", "another_recipe", "7", "phone_assembly_demo", 0.0)
    served = start_serve(tmp_path, "--pace", "3", "--resume")
    try:
        with served.client() as client:
            status, result = client.result(client.start(1), timeout=60)
            assert status == ifc.STATUS_ABORTED and result["serials"] == []
            assert "resume it with that recipe" in result["message"] and "another_recipe" in result["message"]
            assert _state(client) == "idle"
        assert served.stop() == 0
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(10)


@pytest.mark.parametrize("option, words", [
    (("--listen", "taken"), "Address already in use"),
    (("--backend", "nope"), "--backend 'nope' is not valid; valid: sim, serial:URL"),
])
def test_serve_refuses_bad_input_in_one_line(tmp_path, option, words) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        value = f"tcp/127.0.0.1:{taken.getsockname()[1]}" if option[1] == "taken" else option[1]
        done = subprocess.run([*CELLCTL, "serve", "--cell", str(demo_cell_path()), "--recipe", str(DEMO_RECIPE),
                               "--db", str(tmp_path / "j.db"), "--token-file", str(tmp_path / "t"), option[0], value],
                              capture_output=True, text=True, timeout=120, env=cli_env())
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.timeout(600)
def test_until_stopped_builds_until_cancelled_and_ends_after_the_unit_in_progress(tmp_path) -> None:
    served = start_serve(tmp_path, "--pace", "0")
    try:
        with served.client() as client:
            goal = client.start(0)
            wait_for(lambda: client.status()["unit"] == "PH-000001", 60, "the first unit to start")
            assert client.status()["units_total"] == 0  # until stopped
            assert client.cancel(goal) == 0  # ERROR_NONE: accepted
            status, result = client.result(goal, timeout=300)
            assert status == ifc.STATUS_CANCELED, result
            assert result["serials"] == ["PH-000001"] and result["units_ok"] == 1 and result["state"] == "idle"
            assert client.cancel(goal) == 3  # ERROR_GOAL_TERMINATED
        assert served.stop() == 0
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(10)


def test_sigterm_mid_unit_aborts_it_with_a_controlled_stop_and_exits_0(served: Served) -> None:
    with served.client() as client:
        client.start(2)
        wait_for(lambda: client.status()["unit"] == "PH-000001", 60, "the first unit to start")
    assert served.stop() == 0
    with Journal.read_only(served.db) as journal:
        assert [(u.serial, u.result) for u in journal.units()] == [("PH-000001", "ABORTED")]
        kinds = [(kind, detail) for _id, _unit, _at, kind, detail in journal.events()]
    assert ("command", "abort from a signal: the service is stopping") in kinds
    assert kinds[-1][0] == "serve_stopped"
