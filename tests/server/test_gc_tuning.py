"""The server's garbage-collector policy: survivors of young collections are frozen, so
collections under load walk only new objects; a cycle that died after it was frozen is found by
the periodic reclaim, and the policy leaves no trace once uninstalled."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.gc_tuning import COLLECTOR, YOUNG_THRESHOLD, SurvivorsFrozen
from server.settings import Settings


class Node:
    """A cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collector() -> Iterator[SurvivorsFrozen]:
    policy = SurvivorsFrozen()
    policy.install()
    try:
        yield policy
    finally:
        policy.uninstall()


def test_what_survives_a_young_collection_is_frozen_and_not_walked_again(
    collector: SurvivorsFrozen,
) -> None:
    node = Node()
    frozen_before = gc.get_freeze_count()
    gc.collect(0)
    assert gc.get_freeze_count() > frozen_before
    assert gc.get_objects(1) == gc.get_objects(2) == []  # nothing waits for an older collection
    dead = weakref.ref(node)
    del node
    gc.collect()  # frozen: an ordinary collection, even a full one, does not walk it
    assert dead() is not None


def test_a_frozen_cycle_that_died_is_freed_by_the_reclaim(collector: SurvivorsFrozen) -> None:
    node = Node()
    gc.collect(0)
    dead = weakref.ref(node)
    del node
    collector.period = 3600
    assert collector.reclaim_if_due() is None  # not due yet: nothing runs
    assert dead() is not None
    collector.period = 0
    found = collector.reclaim_if_due()
    assert found is not None and found >= 1
    assert dead() is None
    kept = Node()
    collector.reclaim()
    assert gc.get_freeze_count() > 0 and gc.get_objects(2) == []  # what is left, frozen again
    assert weakref.ref(kept)() is kept


def test_a_frozen_set_grown_past_its_limit_is_reclaimed_before_its_time(
    collector: SurvivorsFrozen,
) -> None:
    nodes = [Node() for _ in range(50)]
    gc.collect(0)
    dead = weakref.ref(nodes[0])
    del nodes
    collector.period, collector.growth = 3600, 10
    assert collector.reclaim_if_due() is None  # counted every 30 s only
    collector.check_every = 0
    found = collector.reclaim_if_due()
    assert found is not None and found >= 50 and dead() is None
    assert collector.reclaim_if_due() is None  # no growth
    assert collector.reclaims == 1 and collector.reclaimed == found


def test_its_own_thread_reclaims_when_due_and_reports_what_it_found() -> None:
    reported: list[tuple[int, float]] = []
    policy = SurvivorsFrozen(period=0.05, check_every=0.01)
    policy.install(on_reclaim=lambda found, seconds: reported.append((found, seconds)))
    try:
        node = Node()
        gc.collect(0)
        dead = weakref.ref(node)
        del node
        deadline = time.monotonic() + 5
        while (dead() is not None or not reported) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert dead() is None  # nothing but the policy's thread collected it
        assert reported and all(found >= 0 and seconds > 0 for found, seconds in reported)
    finally:
        policy.uninstall()
    threads = [t for t in threading.enumerate() if t.name == "rehearse-gc"]
    for thread in threads:
        thread.join(timeout=1)
    assert not any(t.is_alive() for t in threads)


def test_uninstalled_the_interpreter_collects_as_before() -> None:
    thresholds = gc.get_threshold()
    policy = SurvivorsFrozen()
    policy.install()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    policy.install()
    policy.uninstall()
    assert policy._after_collection in gc.callbacks  # installs nest
    policy.uninstall()
    assert policy._after_collection not in gc.callbacks
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
    policy.period = 0
    assert policy.reclaim_if_due() is None  # nothing to reclaim when not installed
    node = Node()
    dead = weakref.ref(node)
    del node
    gc.collect()
    assert dead() is None


def test_the_web_app_installs_the_policy_for_its_life_only(tmp_path: Path) -> None:
    settings = Settings(db=f"sqlite:///{tmp_path / 'gc.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert COLLECTOR._after_collection in gc.callbacks
        frozen = [
            line for line in client.get("/metrics").text.splitlines()
            if line.startswith("rehearse_gc_frozen_objects ")
        ]  # fmt: skip
        assert len(frozen) == 1 and float(frozen[0].split()[1]) > 0
    assert COLLECTOR._after_collection not in gc.callbacks
    assert COLLECTOR.installed == 0
