"""FastAPI dependencies, named for what they give: the practice store, the caller, the writer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.practice import Practice
from server.writer import Writer


def practice_of(request: Request) -> Practice:
    practice: Practice = request.app.state.practice
    return practice


def owner_of_request(request: Request) -> str:
    owner: str = request.state.owner
    return owner


def writer_of(request: Request) -> Writer:
    writer: Writer = request.app.state.writer
    return writer


PracticeDep = Annotated[Practice, Depends(practice_of)]
OwnerDep = Annotated[str, Depends(owner_of_request)]
WriterDep = Annotated[Writer, Depends(writer_of)]
