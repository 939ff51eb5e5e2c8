"""The cell's Zenoh interface against plain Zenoh, measured in one run.

1. ``cellctl serve`` on the simulated demo cell (idle, joint states at 1 kHz per arm) in its own
   process; this process subscribes to one arm's JointState: latency (source timestamp of the
   rmw_zenoh attachment to arrival, one machine, one clock), rate and loss (sequence gaps).
   Then the ``state`` service (GetCellStatus) called back to back: round trip.
2. The reference: a plain Zenoh process publishing the same JointState bytes at 1 kHz with the
   same attachment, and a plain queryable answering the same response bytes from its callback;
   measured by the same code here. Run:

    python benchmarks/bench_service.py [--seconds 10] [--calls 500]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import zenoh

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cellctl.config import demo_cell_path  # noqa: E402
from cellctl.service import interfaces as ifc  # noqa: E402
from cellctl.service.client import CellClient  # noqa: E402
from cellctl.service.keys import attachment, parse_attachment  # noqa: E402
from cellctl.service.wire import open_session  # noqa: E402

JOINT_KEY = "9/bench/joint_states"
SERVICE_KEY = "9/bench/state"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference_peer(endpoint: str, seconds: float) -> None:
    """The plain-Zenoh side: JointState bytes at 1 kHz (sleep-paced like serve's loop), and a queryable."""
    session = open_session(listen=[endpoint])
    message = {"header": {"stamp": {"sec": 0, "nanosec": 0}, "frame_id": ""}, "name": [f"j{i}" for i in range(6)],
               "position": [0.1] * 6, "velocity": [0.0] * 6, "effort": []}
    payload = ifc.CODEC.encode("sensor_msgs/msg/JointState", message)
    response = ifc.CODEC.encode("cellctl_msgs/srv/GetCellStatus_Response", {"status": {
        "stamp": {"sec": 0, "nanosec": 0}, "state": "idle", "lifecycle": "active", "cell_time": 0.0, "unit": "",
        "unit_index": 0, "units_total": 0, "arms": [], "units_ok": 0, "units_nok": 0, "message": ""}})

    def answer(query: zenoh.Query) -> None:
        query.reply(SERVICE_KEY, response)
        query.drop()
    queryable = session.declare_queryable(SERVICE_KEY, answer)
    publisher = session.declare_publisher(JOINT_KEY)
    print("ready", flush=True)
    start = time.perf_counter()
    for sequence in range(1, int(seconds * 1000) + 1):
        due = start + sequence / 1000.0
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        publisher.put(payload, attachment=attachment(sequence, time.time_ns(), bytes(16)))
    time.sleep(seconds)  # stay for the service round trips
    queryable.undeclare()
    session.close()


class Receiver:
    """Collects (latency ns, sequence) of every sample."""

    def __init__(self) -> None:
        self.latencies: list[int] = []
        self.sequences: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, sample: zenoh.Sample) -> None:
        arrived = time.time_ns()
        sent = parse_attachment(sample.attachment.to_bytes())
        if sent is not None:
            with self.lock:
                self.latencies.append(arrived - sent[1])
                self.sequences.append(sent[0])

    def report(self, name: str, seconds: float) -> str:
        with self.lock:
            lat = np.array(self.latencies) / 1e3
            seq = np.array(self.sequences)
        expected = int(seq.max() - seq.min() + 1) if len(seq) else 0
        lost = expected - len(np.unique(seq)) if expected else 0
        return (f"{name:<28} {len(seq) / seconds:7.0f} msg/s  latency median {np.median(lat):7.1f} us  "
                f"p99 {np.percentile(lat, 99):8.1f} us  lost {lost}/{expected} ({100 * lost / max(expected, 1):.2f} %)")


def receive(session: zenoh.Session, key: str, seconds: float) -> Receiver:
    """Subscribe to ``key``, let it settle for a second, then collect for ``seconds``."""
    receiver = Receiver()
    subscriber = session.declare_subscriber(key, receiver)
    time.sleep(1.0)
    with receiver.lock:
        receiver.latencies.clear()
        receiver.sequences.clear()
    time.sleep(seconds)
    subscriber.undeclare()
    return receiver


def round_trips(call, count: int) -> np.ndarray:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return np.array(times) * 1e6


def trips_line(name: str, us: np.ndarray) -> str:
    return f"{name:<28} {len(us):5d} calls     round trip median {np.median(us):7.1f} us  p99 {np.percentile(us, 99):8.1f} us"


def measure_serve(seconds: float, calls: int, workdir: Path) -> list[str]:
    port = free_port()
    endpoint = f"tcp/127.0.0.1:{port}"
    log = (workdir / "serve.log").open("w")
    serve = subprocess.Popen([sys.executable, "-m", "cellctl.cli.main", "serve", "--cell", str(demo_cell_path()),
                              "--recipe", str(ROOT / "cellctl/config/demo/recipe.yaml"), "--db",
                              str(workdir / "bench.db"), "--listen", endpoint, "--domain", "9", "--token-file",
                              str(workdir / "token"), "--joint-rate", "1000"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "ready" not in (workdir / "serve.log").read_text():
            if serve.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not come up:\n{(workdir / 'serve.log').read_text()}")
            time.sleep(0.1)
        with CellClient([endpoint], 9) as client:
            key = client.topic_key("/cell/loader/joint_states", "sensor_msgs/msg/JointState")
            lines = [receive(client.session, key, seconds).report("serve JointState (1 arm)", seconds)]
            lines.append(trips_line("serve state service", round_trips(client.status, calls)))
        return lines
    finally:
        serve.terminate()
        serve.wait(60)
        log.close()


def measure_reference(seconds: float, calls: int) -> list[str]:
    endpoint = f"tcp/127.0.0.1:{free_port()}"
    peer = subprocess.Popen([sys.executable, __file__, "--reference-peer", endpoint, "--seconds", str(seconds + 2)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert peer.stdout is not None and peer.stdout.readline().strip() == "ready"
        session = open_session(connect=[endpoint])
        lines = [receive(session, JOINT_KEY, seconds).report("plain zenoh put (same bytes)", seconds)]

        def get() -> None:
            for reply in session.get(SERVICE_KEY, timeout=2.0):
                ifc.CODEC.decode("cellctl_msgs/srv/GetCellStatus_Response", reply.ok.payload.to_bytes())
        lines.append(trips_line("plain zenoh get (same bytes)", round_trips(get, calls)))
        session.close()
        return lines
    finally:
        peer.kill()
        peer.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--reference-peer", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_peer:
        reference_peer(args.reference_peer, args.seconds)
        return
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        served = measure_serve(args.seconds, args.calls, Path(tmp))
    reference = measure_reference(args.seconds, args.calls)
    print(f"# {os.cpu_count()} cores; {args.seconds:g} s of samples, {args.calls} calls each")
    for line in served + reference:
        print(line)


if __name__ == "__main__":
    main()
