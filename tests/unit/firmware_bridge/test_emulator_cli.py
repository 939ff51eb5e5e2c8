"""The emulator's command line: help, range-checked options, ready line, TCP and clean exit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from firmware_bridge.emulator import main
from firmware_bridge.testing import EmulatorProcess

pytestmark = pytest.mark.process


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "firmware_bridge.emulator", "--help"],
                            capture_output=True, text=True, timeout=30, check=True)
    for option in ("--link", "--tcp", "--faults", "--dof", "--lease-ms", "--profile"):
        assert option in result.stdout


@pytest.mark.parametrize(("argv", "message"), [(["--dof", "0"], "--dof 0 is out of range"),
                                               (["--faults", "drop=7"], "drop=7.0 is out of range"),
                                               (["--profile", "tiny"], "invalid choice: 'tiny'"),
                                               (["--dof", "3", "--start", "0.1,0.2"], "has 2 values"),
                                               (["--open-width", "2"], "--open-width 2.0 is out of range")])
def test_bad_options_fail_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_ready_line_names_pty_link_and_tcp_port_and_sigterm_exits_cleanly(tmp_path):
    process = EmulatorProcess("--link", str(tmp_path / "arm"), "--tcp", "0", "--dof", "6")
    with process:
        assert process.info["link"] == str(tmp_path / "arm")
        assert process.info["pty"].startswith("/dev/")
        assert int(process.info["tcp"].rsplit(":", 1)[1]) > 0
        assert process.info["dof"] == "6"
        assert (tmp_path / "arm").is_symlink()
    assert not (tmp_path / "arm").exists()


def test_the_small_profile_is_announced_in_the_ready_line_and_an_explicit_queue_wins():
    with EmulatorProcess("--no-pty", "--tcp", "0", "--profile", "small") as small:
        assert (small.info["queue"], small.info["rx_window"], small.info["max_payload"]) == ("1000", "8", "512")
    with EmulatorProcess("--no-pty", "--tcp", "0", "--profile", "small", "--queue", "800") as custom:
        assert (custom.info["queue"], custom.info["rx_window"]) == ("800", "8")


def test_cellctl_emulator_of_a_cell_arm_starts_at_home_with_the_cells_tools():
    """As the simulated arm does: at home, gripper fully open (the loader) or a suction cup (the
    screwer), so the same unit takes the same time on both backends."""
    from cellctl.cli.emulator import emulator_argv
    from cellctl.config import demo_cell_path, load_cell
    from firmware_bridge.controller import Controller
    from firmware_bridge.emulator import _config_from, build_parser

    cell = load_cell(demo_cell_path())
    for arm in ("loader", "screwer"):
        config = _config_from(build_parser().parse_args(emulator_argv(cell, arm)))
        assert config.start is not None and list(Controller(config).arm.positions) == pytest.approx(cell.arms[arm].home)
        gripper = cell.arms[arm].tool_of_type("parallel_gripper")
        if gripper is not None:
            assert config.tools.holding == "gripper" and config.tools.open_width == pytest.approx(gripper.max_width)
        else:
            assert config.tools.holding == "vacuum"
