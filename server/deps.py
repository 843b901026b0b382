"""FastAPI dependencies, named for what they give: the practice store, the caller, the turns.

The dependencies are `async def`: FastAPI runs a plain `def` dependency in the thread pool,
which cost three thread hand-offs on every request for what are attribute reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.practice import Practice
from server.turns import Turns


def practice_of(request: Request) -> Practice:
    practice: Practice = request.app.state.practice
    return practice


def turns_of(request: Request) -> Turns:
    turns: Turns = request.app.state.turns
    return turns


async def _practice(request: Request) -> Practice:
    return practice_of(request)


async def _owner(request: Request) -> str:
    owner: str = request.state.owner
    return owner


async def _turns(request: Request) -> Turns:
    return turns_of(request)


PracticeDep = Annotated[Practice, Depends(_practice)]
OwnerDep = Annotated[str, Depends(_owner)]
TurnsDep = Annotated[Turns, Depends(_turns)]
