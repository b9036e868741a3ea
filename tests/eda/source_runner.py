# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the fault_events source in a thread of its own, with a list-backed queue the test can read."""
from __future__ import annotations

import asyncio
import threading
import time

import fault_events


class ListQueue:
    """The rulebook's queue as the source sees it: ``put`` appends (or waits while ``hold`` is set)."""

    def __init__(self) -> None:
        self.items: list = []
        self.lock = threading.Lock()
        self.open = None  # an asyncio.Event, created in the source's loop

    async def put(self, item) -> None:
        if self.open is not None:
            await self.open.wait()
        with self.lock:
            self.items.append(item)

    def snapshot(self) -> list:
        with self.lock:
            return list(self.items)


class SourceRunner:
    """``with SourceRunner(args) as run: run.wait_for(n)``; ``hold=True`` makes every put wait."""

    def __init__(self, args: dict, hold: bool = False) -> None:
        self.args = args
        self.hold = hold
        self.queue = ListQueue()
        self.loop = None
        self.task = None
        self.error = None
        self.thread = threading.Thread(target=self._thread, daemon=True)
        self.started = threading.Event()

    def _thread(self) -> None:
        async def run():
            self.loop = asyncio.get_running_loop()
            if self.hold:
                self.queue.open = asyncio.Event()
            self.task = asyncio.ensure_future(fault_events.main(self.queue, self.args))
            self.started.set()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # pylint: disable=broad-except  # reported to the test
                self.error = exc

        asyncio.run(run())

    def __enter__(self) -> "SourceRunner":
        self.thread.start()
        self.started.wait(10)
        return self

    def release(self) -> None:
        """Let held puts go through."""
        self.loop.call_soon_threadsafe(self.queue.open.set)

    def stop(self) -> None:
        if self.loop is not None and self.task is not None and not self.task.done():
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(30)

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.queue.snapshot()
            if len(items) >= count or self.error:
                break
            time.sleep(0.1)
        assert self.error is None, self.error
        return self.queue.snapshot()


def wait_until(predicate, timeout: float = 30, step: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out after %s s waiting for %s" % (timeout, what))
