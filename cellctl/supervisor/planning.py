"""Where motions are planned: off the control tick on a real clock, inline on a simulated one.

On a controller's clock time runs while the supervisor thinks: a straight move that tries eight
wrist turns takes tens of milliseconds, several hundred on a loaded PC, and a control tick that
plans cannot top up the other arms' queues meanwhile. So on a real clock each arm plans in a
worker thread of its own (the motion core releases the GIL), and the tick goes on streaming.
A simulated clock only advances when the supervisor lets it, so planning there takes no
simulated time and runs inline: results stay exactly reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class MotionPlanning:
    """Runs an arm's planning calls (see module docstring); one worker thread per arm."""

    def __init__(self, threaded: bool) -> None:
        self.threaded = threaded
        self._workers: dict[str, ThreadPoolExecutor] = {}

    @classmethod
    def inline(cls) -> MotionPlanning:
        """Planning in the calling thread (simulated clocks, dry runs)."""
        return cls(threaded=False)

    def submit(self, arm: str, plan: Callable[..., T], *args: object) -> Future[T]:
        """Plan for ``arm``; the future is already done when planning runs inline.

        An arm's plans run one at a time and in order, so a plan may rely on what the previous
        one of its arm decided (e.g. the wrist turn of an approach)."""
        if not self.threaded:
            done: Future[T] = Future()
            try:
                done.set_result(plan(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever reads the future
                done.set_exception(exc)
            return done
        worker = self._workers.get(arm)
        if worker is None:
            worker = self._workers[arm] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"plan-{arm}")
        return worker.submit(plan, *args)

    def shutdown(self) -> None:
        """Drop plans not started; a plan in progress finishes in its thread, unread."""
        for worker in self._workers.values():
            worker.shutdown(wait=False, cancel_futures=True)
        self._workers.clear()
