"""Named conditions and actions that scenario transitions use, registered like plug-ins.

A scenario never holds code: a transition says `when: {met: [specific_ask], tone_at_least: 0}`
and `do: {offer: max_offer}`, and each name here is a function with a typed argument. Our own
rules register with `@condition` / `@action`, the same way an extension would add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from dialogue.kinds import Outcome

if TYPE_CHECKING:
    from dialogue.conversation import TurnContext

Arg = TypeVar("Arg")
Number = int | float
Ref = str | int | float  # a variable's name, or a number


@dataclass(frozen=True)
class Rule(Generic[Arg]):
    """A condition or action: its name, the function, and the type of its argument."""

    name: str
    func: Callable[[TurnContext, Arg], Any]
    adapter: TypeAdapter[Arg]
    doc: str

    def parse(self, raw: object) -> Arg:
        return self.adapter.validate_python(raw)


CONDITIONS: dict[str, Rule[Any]] = {}
ACTIONS: dict[str, Rule[Any]] = {}


def condition(name: str, arg_type: Any) -> Callable[[Callable[[TurnContext, Any], bool]], Any]:
    """Register a condition `name` whose argument has type `arg_type`."""

    def register(func: Callable[[TurnContext, Any], bool]) -> Callable[[TurnContext, Any], bool]:
        CONDITIONS[name] = Rule(name, func, TypeAdapter(arg_type), (func.__doc__ or "").strip())
        return func

    return register


def action(name: str, arg_type: Any) -> Callable[[Callable[[TurnContext, Any], None]], Any]:
    """Register an action `name` whose argument has type `arg_type`."""

    def register(func: Callable[[TurnContext, Any], None]) -> Callable[[TurnContext, Any], None]:
        ACTIONS[name] = Rule(name, func, TypeAdapter(arg_type), (func.__doc__ or "").strip())
        return func

    return register


def argument_error(rule: Rule[Any], raw: object) -> str | None:
    """Why `raw` is not a valid argument for `rule`, or None."""
    try:
        rule.parse(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"{rule.name}: {first['msg']} (got {raw!r})"
    return None


def _ref(ctx: TurnContext, ref: Ref) -> float | None:
    if isinstance(ref, str):
        value = ctx.variables.get(ref)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
    return float(ref)


# Conditions over the scored reply --------------------------------------------------------


@condition("met", list[str])
def met(ctx: TurnContext, ids: list[str]) -> bool:
    """Every listed criterion was met."""
    return all(cid in ctx.detected for cid in ids)


@condition("met_any", list[str])
def met_any(ctx: TurnContext, ids: list[str]) -> bool:
    """At least one listed criterion was met."""
    return any(cid in ctx.detected for cid in ids)


@condition("missed", list[str])
def missed(ctx: TurnContext, ids: list[str]) -> bool:
    """None of the listed criteria was met."""
    return not any(cid in ctx.detected for cid in ids)


@condition("violation", list[str])
def violation(ctx: TurnContext, ids: list[str]) -> bool:
    """At least one listed violation is present (`[any]`: any violation)."""
    if "any" in ids:
        return bool(ctx.violations)
    return any(vid in ctx.violations for vid in ids)


@condition("no_violation", bool)
def no_violation(ctx: TurnContext, wanted: bool) -> bool:
    """No violation is present (or, with false, some violation is)."""
    return (not ctx.violations) == wanted


@condition("score_at_least", int)
def score_at_least(ctx: TurnContext, floor: int) -> bool:
    """The reply scored at least this much at its stage."""
    return ctx.score.score >= floor


@condition("score_below", int)
def score_below(ctx: TurnContext, ceiling: int) -> bool:
    """The reply scored less than this at its stage."""
    return ctx.score.score < ceiling


@condition("tone_at_least", float)
def tone_at_least(ctx: TurnContext, floor: float) -> bool:
    """The reply's tone is at least this (-1 hostile .. 1 courteous)."""
    return ctx.score.tone >= floor


@condition("tone_below", float)
def tone_below(ctx: TurnContext, ceiling: float) -> bool:
    """The reply's tone is below this."""
    return ctx.score.tone < ceiling


@condition("has_ask", bool)
def has_ask(ctx: TurnContext, wanted: bool) -> bool:
    """The reply named a specific figure (or, with false, did not)."""
    return (ctx.ask_percent is not None) == wanted


@condition("ask_at_most", Ref)
def ask_at_most(ctx: TurnContext, ref: Ref) -> bool:
    """The figure asked for (this reply's, else the last one) is at most a variable or number."""
    limit, asked = _ref(ctx, ref), ctx.current_ask_percent
    return limit is not None and asked is not None and asked <= limit


@condition("ask_above", Ref)
def ask_above(ctx: TurnContext, ref: Ref) -> bool:
    """The figure asked for (this reply's, else the last one) is above a variable or number."""
    limit, asked = _ref(ctx, ref), ctx.current_ask_percent
    return limit is not None and asked is not None and asked > limit


@condition("visits_at_least", int)
def visits_at_least(ctx: TurnContext, count: int) -> bool:
    """The current state has been visited at least this many times (this visit included)."""
    return ctx.visits >= count


@condition("turns_at_least", int)
def turns_at_least(ctx: TurnContext, count: int) -> bool:
    """The user has replied at least this many times (this reply included)."""
    return ctx.user_turns >= count


@condition("var_is", dict[str, Any])
def var_is(ctx: TurnContext, expected: dict[str, Any]) -> bool:
    """Every listed variable has the listed value."""
    return all(ctx.variables.get(name) == value for name, value in expected.items())


@condition("var_at_least", dict[str, Number])
def var_at_least(ctx: TurnContext, floors: dict[str, Number]) -> bool:
    """Every listed variable is at least the listed number."""
    return all((_ref(ctx, name) or 0) >= floor for name, floor in floors.items())


@condition("var_below", dict[str, Number])
def var_below(ctx: TurnContext, ceilings: dict[str, Number]) -> bool:
    """Every listed variable is below the listed number."""
    return all((_ref(ctx, name) or 0) < ceiling for name, ceiling in ceilings.items())


# Actions ---------------------------------------------------------------------------------


@action("set", dict[str, Any])
def set_vars(ctx: TurnContext, values: dict[str, Any]) -> None:
    """Set variables to values."""
    ctx.variables.update(values)


@action("add", dict[str, Number])
def add_vars(ctx: TurnContext, deltas: dict[str, Number]) -> None:
    """Add numbers to variables (e.g. `patience: -1`)."""
    for name, delta in deltas.items():
        ctx.variables[name] = (_ref(ctx, name) or 0) + delta


@action("offer", Ref)
def offer(ctx: TurnContext, ref: Ref) -> None:
    """Make a counter-offer: `counter` becomes the value of a variable or a number (percent)."""
    value = _ref(ctx, ref)
    if value is not None:
        ctx.set_counter(value)


@action("deal", Outcome)
def deal(ctx: TurnContext, outcome: str) -> None:
    """Remember the outcome agreed in the meeting (variable `deal`), e.g. for the follow-up."""
    ctx.variables["deal"] = outcome
