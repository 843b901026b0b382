"""SQLite's log under steady writes: the background checkpoints copy it, and the writer starts
it again, so it stays a few megabytes however long the load lasts (server.db.checkpoint).

Before, a writer that always had uncopied frames never started the log again: in a 15 s bench
run it grew to 500 MB, and it would have grown until the disk was full."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, LargeBinary, MetaData, Table, insert

from dialogue.scenario_loader import load_library
from server.db.checkpoint import BackgroundCheckpoint, no_checkpoint_on_commit
from server.db.database import make_engine
from server.db.migrate import upgrade
from server.practice import Practice
from server.turn_service import TurnService

PAGE = 4096
_rows = Table(
    "rows", MetaData(), Column("id", Integer, primary_key=True), Column("blob", LargeBinary)
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'log.sqlite3'}")
    _rows.metadata.create_all(made)
    try:
        yield made
    finally:
        made.dispose()


def _log_bytes(engine: Engine) -> int:
    database = engine.url.database
    assert database is not None
    return os.path.getsize(database + "-wal")


def _write_steadily(
    engine: Engine,
    checkpoint: BackgroundCheckpoint,
    waiting: Callable[[], bool],
    pages: int,
) -> int:
    """One writer committing without pause, as the turn process does under load, asking the
    checkpoint between transactions; the largest the log file got, in bytes."""
    largest = 0
    with engine.connect() as writer:
        no_checkpoint_on_commit(writer)
        for _ in range(pages // 8):
            with writer.begin():
                writer.execute(insert(_rows), [{"blob": os.urandom(PAGE - 200)} for _ in range(8)])
            if checkpoint.restart_wanted(waiting):
                checkpoint.restart_log_in(writer)
            largest = max(largest, _log_bytes(engine))
            time.sleep(0.0002)  # the thread's passes overlap the writes, as under load
    return largest


def _checkpointing(engine: Engine, **limits: int) -> BackgroundCheckpoint:
    checkpoint = BackgroundCheckpoint(engine, interval=0.005, **limits)
    checkpoint.start()
    return checkpoint


def test_an_idle_moment_of_the_writer_starts_the_log_again(engine: Engine) -> None:
    checkpoint = _checkpointing(engine, restart_frames=200, overdue_frames=100_000)
    try:
        largest = _write_steadily(engine, checkpoint, waiting=lambda: False, pages=6_000)
    finally:
        checkpoint.stop()
    assert checkpoint.restarts >= 5
    # 6,000 pages written (24 MB); the log, started again every ~200 pages, stays far smaller.
    assert largest < 1_500 * PAGE, f"the log grew to {largest / PAGE:.0f} pages"


def test_a_writer_never_idle_starts_the_log_again_once_it_is_overdue(engine: Engine) -> None:
    checkpoint = _checkpointing(engine, restart_frames=200, overdue_frames=800)
    asked = 0

    def always_busy() -> bool:
        nonlocal asked
        asked += 1
        return True

    try:
        largest = _write_steadily(engine, checkpoint, waiting=always_busy, pages=6_000)
    finally:
        checkpoint.stop()
    assert asked > 0  # it waited for an idle moment first
    assert checkpoint.restarts >= 2
    assert largest < 2_500 * PAGE, f"the log grew to {largest / PAGE:.0f} pages"


def test_a_short_log_asks_nothing_of_the_writer(engine: Engine) -> None:
    checkpoint = BackgroundCheckpoint(engine)

    def must_not_be_asked() -> bool:
        raise AssertionError("asked whether requests wait, with no restart due")

    assert not checkpoint.restart_wanted(must_not_be_asked)


def test_the_turn_service_starts_the_log_again_between_batches(tmp_path: Path) -> None:
    """The turn process's writer is the turn service's connection: it takes its turn there."""
    url = f"sqlite:///{tmp_path / 'turns.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    checkpoint = _checkpointing(engine, restart_frames=1)
    service = TurnService(engine, Practice(engine, load_library()), checkpoint)
    try:
        ((ok, _),) = service.run_batch([{"op": "create", "owner": "me", "scenario": "supportive"}])
        assert ok
        deadline = time.monotonic() + 5
        while not checkpoint.restart_wanted(lambda: False) and time.monotonic() < deadline:
            time.sleep(0.01)
        service.between_batches(requests_waiting=lambda: True)  # busy, not overdue: later
        assert checkpoint.restarts == 0
        service.between_batches(requests_waiting=lambda: False)
        assert checkpoint.restarts == 1
    finally:
        checkpoint.stop()
        service.close()
        engine.dispose()
