"""The turn process: `python -m server.turn_worker`, started by the web server (server.turns).

Reads requests from stdin, one JSON object per line, each with a request number `n`; answers on
stdout, one line per request: `n`, then `ok` or `error`, then the answer's JSON texts, separated
by tabs (compact JSON never holds a raw tab or newline). Everything that has arrived when a batch
starts runs in that batch. It exits when stdin closes, which is also what happens when the web
server dies.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
from functools import partial
from typing import Any, Final

from dialogue.lexicon import compile_all
from dialogue.scenario_loader import load_library
from server.db.checkpoint import BackgroundCheckpoint
from server.db.database import is_sqlite, make_engine
from server.gc_tuning import COLLECTOR
from server.practice import Practice
from server.settings import Settings
from server.turn_service import NO_ANSWER, TurnError, TurnService

# Bytes asked of the pipe per read (a request is a few hundred; more waiting is read next time
# round). Not 1 MB: that size makes each read's buffer an mmap and a munmap of its own, 11-16 us
# a read against 0.8 us at 64 KB, and the process reads ~300 times a second under load.
READ_SIZE: Final = 1 << 16

log = logging.getLogger("rehearse")


def encode(number: int, ok: bool, value: Any) -> bytes:
    if ok:
        parts = [str(number), "ok", *value]
    else:
        assert isinstance(value, TurnError)
        parts = [str(number), "error", json.dumps(value.code), json.dumps(value.message)]
    return ("\t".join(parts) + "\n").encode("utf-8")


def serve(service: TurnService, source: int, sink: int) -> None:
    pending = b""
    requests_waiting = partial(_readable, source)
    while True:
        chunk = os.read(source, READ_SIZE)
        if not chunk:
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        requests = [json.loads(line) for line in lines if line]
        for batch in service.run_all(requests):
            out = b"".join(
                encode(request["n"], ok, value)
                for request, (ok, value) in batch
                if request["n"] != NO_ANSWER
            )
            view = memoryview(out)
            while view:
                view = view[os.write(sink, view) :]
        service.between_batches(requests_waiting)


def _readable(source: int) -> bool:
    """Whether a request is waiting in the pipe."""
    return bool(select.select([source], [], [], 0)[0])


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: turn process: %(message)s")
    settings = Settings()
    engine = make_engine(settings.db, keys_only=True)
    checkpoint = BackgroundCheckpoint(engine) if is_sqlite(engine) else None
    library = load_library(settings.scenario_dirs)
    compile_all()  # the scorer's phrase groups, so that the first replies do not wait for them
    service = TurnService(engine, Practice(engine, library), checkpoint)
    if checkpoint is not None:
        checkpoint.start()
    COLLECTOR.install()
    # Announce readiness: the parent waits for this line before it sends anything.
    os.write(sys.stdout.fileno(), b"ready\n")
    try:
        serve(service, sys.stdin.fileno(), sys.stdout.fileno())
    except KeyboardInterrupt:
        pass
    finally:
        if checkpoint is not None:
            checkpoint.stop()
        service.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
