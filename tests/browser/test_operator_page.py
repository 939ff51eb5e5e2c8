"""The operator page (``cellctl serve --http``) in a real headless Chromium against the simulated
demo cell: what it shows as the cell changes, and what its buttons do."""

from __future__ import annotations

import time

import numpy as np
import pytest
from _page import Page
from _serve import JointWatch, origin_events, wait_for

from cellctl.service.access import read_token

pytestmark = [pytest.mark.browser, pytest.mark.sim]

MOTION_TIMEOUT = 90.0  # s of wall time for the arms to start moving (a busy machine)
UNIT_TIMEOUT = 180.0   # s for a demo unit to end
SETTLED = 1e-9         # rad: a paused arm is held exactly where it stopped
ON_PATH = 2e-3         # rad: a unit's arms retrace the first unit's joint path to within 5e-4 (measured)
BUTTONS = ("start", "pause", "resume", "abort", "reset", "estop")


def _watch(served) -> tuple:
    client = served.client(token=False)
    watch = JointWatch()
    keep = [client.subscribe(f"/cell/{arm}/joint_states", "sensor_msgs/msg/JointState", watch.callback(arm))
            for arm in ("loader", "screwer")]
    return client, watch, keep


def _operator(browser, served, url: str) -> Page:
    page = Page(browser, url)
    page.wait_state("idle")
    page.enter_token(read_token(served.token_file))
    page.wait(lambda: page.text("access-state") == "OPERATOR", "the operator's access after the token")
    return page


def test_without_a_token_the_page_is_read_only_but_live(cell_page, browser) -> None:
    served, url = cell_page
    page = Page(browser, url)
    assert page.wait_state("idle") == "idle"
    assert page.text("state") == "IDLE"
    assert "READ-ONLY" in page.text("access-state")
    assert not any(page.enabled(name) for name in BUTTONS), "a command button is enabled without a token"

    page.enter_token("not-the-token-0123456789")  # a wrong one is refused by the cell, and journaled
    page.wait(lambda: "wrong token" in page.text("token-error"), "the wrong token refused")
    page.find("token-cancel").click()
    assert "READ-ONLY" in page.text("access-state")
    assert not any(page.enabled(name) for name in BUTTONS)
    refused = [d for kind, d in origin_events(served.db) if kind == "command_refused"]
    assert any("web-page@127.0.0.1" in d and "wrong token" in d for d in refused), refused

    with served.client() as client:  # another operator starts a unit: the read-only page follows it
        client.start(1)
        page.wait_state("running")
        page.wait(lambda: "unit 1 of 1" in page.text("unit-line"), "the unit's progress line")
        page.wait(lambda: "PH-000001" in page.text("unit-line"), "the unit's serial")
        assert not any(page.enabled(name) for name in BUTTONS)
        client.command("abort")
    page.wait_state("idle")

    assert served.stop() == 0  # the page says it lost the cell, plainly
    assert page.wait_state("unknown") == "unknown"
    assert page.text("state") == "NO LINK" and "reconnecting" in page.text("unit-line")


def _distance_to_path(point: np.ndarray, path: np.ndarray) -> float:
    """The joint-space distance from ``point`` to the polyline through ``path``'s rows."""
    a, b = path[:-1], path[1:]
    step = b - a
    length = np.maximum((step * step).sum(axis=1), 1e-30)
    along = np.clip(((point - a) * step).sum(axis=1) / length, 0.0, 1.0)
    return float(np.linalg.norm(a + along[:, None] * step - point, axis=1).min())


def test_start_shows_running_pause_holds_the_arms_on_their_path_and_resume_finishes(cell_page, browser) -> None:
    served, url = cell_page
    client, watch, _keep = _watch(served)
    try:
        page = _operator(browser, served, url)
        assert page.enabled("start") and not page.enabled("pause")
        first = time.time()
        page.click("start")  # a first unit, untouched: the path every unit's arms follow
        assert page.wait_state("running") == "running"
        assert page.text("state") == "RUNNING"
        page.wait(lambda: "screwer" in page.text("arms") and "loader" in page.text("arms"), "each arm's step")
        page.wait(lambda: "PH-000001" in page.text("units-body"), "the first unit's end", UNIT_TIMEOUT)
        assert page.wait_state("idle") == "idle"
        unit, result, cycle, seconds = page.text("units-body").splitlines()[0].split()
        assert (unit, result, seconds) == ("PH-000001", "OK", "s") and 10 < float(cycle) < 200  # with its cycle time
        assert page.text("count-ok") == "1" and page.text("count-nok") == "0"
        assert len(page.curves()) == 4  # the last tightenings, each drawn
        reference = watch.since(first)

        page.click("start")
        page.wait_state("running")
        wait_for(watch.moving, MOTION_TIMEOUT, "an arm to move in the second unit")
        page.click("pause")
        page.wait_state("paused")
        assert page.text("state") == "PAUSED"
        assert watch.still_for(0.6) < SETTLED, "an arm moved while the page showed paused"
        held = {arm: positions[-1] for arm, positions in watch.since(time.time() - 0.3).items()}
        for arm, position in held.items():  # where a pause leaves an arm: on the path, not beside it
            off = _distance_to_path(position, reference[arm])
            assert off < ON_PATH, f"{arm} paused {off:.4f} rad away from the path the first unit took"
        assert page.enabled("resume") and page.enabled("abort") and not page.enabled("start")

        page.click("resume")
        page.wait_state("running")
        wait_for(watch.moving, 30, "the arms to move again after resume")
        page.wait(lambda: "PH-000002" in page.text("units-body"), "the second unit's end", UNIT_TIMEOUT)
        assert page.wait_state("idle") == "idle"
        rows = [line.split()[:2] for line in page.text("units-body").splitlines()]
        assert rows == [["PH-000002", "OK"], ["PH-000001", "OK"]], rows  # the newest first
    finally:
        client.close()
    commands = [d for kind, d in origin_events(served.db) if kind == "command"]
    for name in ("start 1 unit(s)", "pause", "resume"):
        assert any(d.startswith(name) and "from web-page@127.0.0.1" in d for d in commands), (name, commands)


def test_estop_shows_estopped_and_start_is_refused_until_reset(cell_page, browser) -> None:
    served, url = cell_page
    client, watch, _keep = _watch(served)
    try:
        page = _operator(browser, served, url)
        browser.refresh()  # the token is kept for the tab: asked once
        page.wait_state("idle")
        assert page.text("access-state") == "OPERATOR"
        page.click("start")
        page.wait_state("running")
        wait_for(watch.moving, MOTION_TIMEOUT, "an arm to move after start")

        page.click("estop")  # one click, no question asked
        assert page.wait_state("estopped", timeout=10) == "estopped"
        assert page.text("state") == "E-STOPPED"
        fault = page.find("fault")
        assert fault.is_displayed() and "EMERGENCY STOP" in fault.text and "What to do" in fault.text, fault.text
        time.sleep(0.5)  # the arms were braked at once; they stay where they are
        assert watch.still_for(1.0) < 1e-4, "an arm moved after the e-stop"

        assert not page.enabled("start"), "start is offered while e-stopped"
        refused = page.send("start", units=1)  # even past the button, the cell refuses
        assert not refused["ok"] and "reset it first" in refused["message"], refused
        assert page.state() == "estopped"

        page.click("reset")
        page.wait(lambda: page.find("confirm-dialog").is_displayed(), "the reset confirmation")
        assert page.state() == "estopped", "reset acted before it was confirmed"
        page.find("confirm-yes").click()
        page.wait_state("idle")
        assert not page.find("fault").is_displayed()
        page.click("start")
        page.wait_state("running")
        page.click("abort")
        page.wait_state("idle")
    finally:
        client.close()


def test_a_nok_unit_shows_its_curve_against_the_window(nok_cell_page, browser) -> None:
    served, url = nok_cell_page
    page = _operator(browser, served, url)
    page.click("start")
    page.wait(lambda: "NOK" in page.text("units-body"), "the NOK unit", UNIT_TIMEOUT)
    assert page.text("count-nok") == "1"
    nok = page.wait(lambda: [c for c in page.curves() if c["status"] == "NOK"], "a NOK tightening's card")[0]  # type: ignore[index]
    assert "h2" in nok["text"] and "NOK stripped" in nok["text"], nok
    assert nok["points"] > 50, f"the NOK curve is not drawn: {nok}"
    assert nok["window"][0] > 1 and nok["window"][1] > 1, f"the program's window is not drawn: {nok}"
    assert nok["height"] > 100, f"the curve is too small to read: {nok}"
    assert page.wait_state("idle", "faulted") in ("idle", "faulted")
