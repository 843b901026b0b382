"""SQLite's log under steady writes: the background checkpoints copy it, and the writer starts
it again, so it stays tens of megabytes however long the load lasts (server.db.checkpoint).

Before, a writer that always had uncopied frames never started the log again: in a 60 s bench
run it grew to 1.8 GB, and it would have grown until the disk was full."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Engine, Integer, LargeBinary, MetaData, Table, insert
from sqlalchemy.exc import OperationalError

from dialogue.scenario_loader import load_library
from server.db.checkpoint import BackgroundCheckpoint, set_up_writer
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


class LogWatch:
    """The log file as a user of the disk sees it: its size, and how often it started again
    (the checkpoint sequence number in its header goes up by one each time)."""

    def __init__(self, engine: Engine) -> None:
        assert engine.url.database is not None
        self.path = Path(engine.url.database + "-wal")
        self.largest = 0
        self.first: int | None = None
        self.last = 0

    def look(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as log_file:
            header = log_file.read(16)
        if len(header) == 16:
            self.last = int.from_bytes(header[12:16], "big")
            self.first = self.last if self.first is None else self.first
        self.largest = max(self.largest, self.path.stat().st_size)

    @property
    def starts(self) -> int:
        return self.last - (self.first or 0)


def _steadily(
    engine: Engine, write: Callable[[], None], between: Callable[[], None], count: int
) -> LogWatch:
    """`count` commits without pause, as the turn process makes under load, with the
    checkpoint's turn between them; what the log file did meanwhile."""
    watch = LogWatch(engine)
    for _ in range(count):
        write()
        between()
        watch.look()
        time.sleep(0.0002)  # the thread's passes overlap the writes, as under load
    return watch


def _write_pages(writer: Connection, count: int) -> None:
    """One transaction of `count` rows of nearly a page each."""
    with writer.begin():
        writer.execute(insert(_rows), [{"blob": os.urandom(PAGE - 200)} for _ in range(count)])


def _checkpointing(engine: Engine, **limits: int) -> BackgroundCheckpoint:
    checkpoint = BackgroundCheckpoint(engine, interval=0.005, **limits)
    checkpoint.start()
    return checkpoint


def _blob_load(engine: Engine, waiting: Callable[[], bool], overdue_frames: int) -> LogWatch:
    """12,000 pages (48 MB) in commits of 8, from one writer whose connection is the one that
    starts the log again, with the checkpoint thread passing every 5 ms."""
    checkpoint = _checkpointing(engine, restart_frames=200, overdue_frames=overdue_frames)
    writer = engine.connect()
    set_up_writer(writer)

    def between() -> None:
        if checkpoint.restart_wanted(waiting):
            checkpoint.restart_log_in(writer)

    try:
        return _steadily(engine, partial(_write_pages, writer, 8), between, count=1_500)
    finally:
        checkpoint.stop()
        writer.close()


def test_an_idle_moment_of_the_writer_starts_the_log_again(engine: Engine) -> None:
    watch = _blob_load(engine, waiting=lambda: False, overdue_frames=100_000)
    assert watch.starts >= 3
    # Without the writer's pass the file holds every page written (~15,500 with the indexes);
    # with it, a few hundred here (the limits leave room for a disk with slow fsyncs).
    assert watch.largest < 5_000 * PAGE, f"the log grew to {watch.largest / PAGE:.0f} pages"


def test_a_writer_never_idle_starts_the_log_again_once_it_is_overdue(engine: Engine) -> None:
    watch = _blob_load(engine, waiting=lambda: True, overdue_frames=800)
    assert watch.starts >= 2
    assert watch.largest < 6_000 * PAGE, f"the log grew to {watch.largest / PAGE:.0f} pages"


def _must_not_be_asked() -> bool:
    raise AssertionError("asked whether requests wait, with no restart due")


def test_a_short_log_asks_nothing_of_the_writer(engine: Engine) -> None:
    checkpoint = BackgroundCheckpoint(engine, restart_frames=1_000)
    with engine.connect() as writer:
        set_up_writer(writer)
        _write_pages(writer, 20)
    checkpoint.run_pass()
    assert not checkpoint.restart_wanted(_must_not_be_asked)


def test_a_long_log_nobody_wrote_to_during_the_pass_needs_no_restart(engine: Engine) -> None:
    """All copied, nothing written meanwhile: the writer's next transaction starts the log
    again by itself, so the writer is not asked for a pass of its own."""
    checkpoint = BackgroundCheckpoint(engine, restart_frames=10)
    watch = LogWatch(engine)
    with engine.connect() as writer:
        set_up_writer(writer)
        _write_pages(writer, 100)
        watch.look()
        checkpoint.run_pass()
        assert not checkpoint.restart_wanted(_must_not_be_asked)
        _write_pages(writer, 1)
        watch.look()
    assert watch.starts == 1


def _reader_for(engine: Engine, seconds: float) -> threading.Thread:
    """Another connection reading the log (a web request), holding its snapshot a while."""
    assert engine.url.database is not None
    path = engine.url.database
    started = threading.Event()

    def read() -> None:
        reader = sqlite3.connect(path, isolation_level=None)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM rows").fetchall()
            started.set()
            time.sleep(seconds)
            reader.execute("COMMIT")
        finally:
            reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    assert started.wait(5)
    return thread


@pytest.mark.parametrize("overdue", [False, True])
def test_an_overdue_writer_waits_for_a_reader_of_the_log(engine: Engine, overdue: bool) -> None:
    """A reader's snapshot keeps a PASSIVE pass from copying what was written after it, so the
    log goes on; once overdue, the writer's RESTART checkpoint waits for the reader (up to
    OVERDUE_WAIT_MS) and the log starts again."""
    checkpoint = BackgroundCheckpoint(engine)  # not started: this test makes every pass
    watch = LogWatch(engine)
    with engine.connect() as writer:
        set_up_writer(writer)
        _write_pages(writer, 50)
        watch.look()
        reader = _reader_for(engine, seconds=0.1)
        _write_pages(writer, 20)
        checkpoint.mark_due(overdue=overdue)
        checkpoint.restart_log_in(writer)
        _write_pages(writer, 1)
        watch.look()
        reader.join()
    assert watch.starts == (1 if overdue else 0)
    assert not checkpoint.restart_wanted(lambda: False)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TurnService]:
    """A turn service on SQLite with a checkpoint that is not started: each test makes every
    pass itself."""
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    upgrade(engine)
    turns = TurnService(engine, Practice(engine, load_library()), BackgroundCheckpoint(engine))
    try:
        yield turns
    finally:
        turns.close()
        engine.dispose()


def test_the_turn_service_starts_the_log_again_between_batches_when_idle(
    service: TurnService,
) -> None:
    """The turn process's writer is the turn service's connection: it takes its turn there,
    between batches, when no request waits."""
    checkpoint = service.checkpoint
    assert checkpoint is not None
    watch = LogWatch(service.engine)

    def create() -> None:
        request = {"op": "create", "owner": "me", "scenario": "supportive"}
        ((ok, answer),) = service.run_batch([request])
        assert ok, answer
        watch.look()

    for _ in range(3):
        create()
    checkpoint.mark_due()
    service.between_batches(requests_waiting=lambda: True)
    create()
    assert watch.starts == 0  # requests waiting: nothing copied, the log goes on
    assert checkpoint.restart_wanted(lambda: False)
    service.between_batches(requests_waiting=lambda: False)
    assert not checkpoint.restart_wanted(lambda: False)
    create()
    assert watch.starts == 1  # everything copied: the next transaction started it again
    checkpoint.mark_due(overdue=True)
    service.between_batches(requests_waiting=lambda: True)
    create()
    assert watch.starts == 2  # overdue: it does not wait for an idle moment


def test_a_failing_checkpoint_between_batches_does_not_stop_the_turn_service(
    service: TurnService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A database error while starting the log again (here: its connection cannot be made
    again) is logged; the turn process goes on, and its next batch connects again."""
    checkpoint = service.checkpoint
    assert checkpoint is not None
    create = {"op": "create", "owner": "me", "scenario": "supportive"}

    def cannot_connect() -> object:
        raise OperationalError("connect", {}, Exception("unable to open database file"))

    ((ok, _),) = service.run_batch([create])
    assert ok
    service.close()  # as after a failed batch
    with monkeypatch.context() as patched:
        patched.setattr(service.engine, "connect", cannot_connect)
        checkpoint.mark_due()
        service.between_batches(requests_waiting=lambda: False)
    assert "could not start SQLite's log again" in caplog.text
    ((ok, answer),) = service.run_batch([create])
    assert ok, answer
