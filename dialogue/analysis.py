"""What the detectors share about one reply: its text, its figures and what each figure is."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Final

from dialogue.figures import Figure, FigureReader
from dialogue.lexicon import KeyedPattern, PhraseMatches
from dialogue.text import ReplyText

# Words that make a nearby figure a result of the work; found once per reply (see `cues`).
_RESULT_CUES: Final = KeyedPattern(
    r"\b(?:increas|improv|reduc|\bcut|\bsav(?:e|ed|es|ing|ings)\b|lift|boost|\bgr[eo]w|\bgain|dropp?"
    r"|lower|fewer|faster|quicker|decreas|shr[au]nk|uplift|jump|doubl|tripl|halv|eliminat"
    r"|prevent|recover|generat|\bdrove|\bdriv|brought|achiev|\bhit\b|reach|\bwent\b|climb|rose"
    r"|\bfell\b|shav|trim|slash|accelerat|sped up|speed|outperform|\bbeat\b|captur|avoid"
    r"|caught|catch|flagg?|block|detect|mitigat|\bfrom\b|\bup\b|\bdown\b|\bless\b|\bmore\b"
    r"|accuracy|precision|recall|\bauc\b|\bf1\b|latency|throughput|uptime|error|revenue|sales"
    r"|\bcosts?\b|spend|churn|retention|conversion|\bctr\b|click|engagement|\bnps\b|csat"
    r"|ticket|incident|fraud|loss|roi\b|\barr\b|\bmrr\b|margin|profit|downtime|false positive"
    r"|compute|inference|runtime|efficien|productiv|satisfaction|sign-?ups|bookings|per year"
    r"|annually|a year|per month|a month|per quarter|a quarter|\bmodels?\b)"
)
_ASK_STRONG_BEFORE: Final = re.compile(
    r"(?:\bask(?:ing)?(?:\s+for)?|\brequest(?:ing)?|\bpropos\w*|looking\s+for|hoping\s+for"
    r"|seeking|i'?d\s+(?:still\s+|really\s+|just\s+)?like|would\s+(?:still\s+)?like|\bwant(?:ed)?|expect(?:ing)?|aim(?:ing)?\s+for|thinking"
    r"|agree\s+(?:on|to)|settle\s+(?:on|for|at)|meet\s+(?:in\s+the\s+middle|me)\s+at"
    r"|could\s+we\s+(?:do|go|land|agree)|how\s+about|what\s+about|go\s+(?:up\s+)?to|counter\w*"
    r"|\bsay|\bneed|give\s+me|closer\s+to|close\s+to|at\s+least|something\s+like|comfortable\s+with"
    r"|\baccept|\btake|no\s+less\s+than|more\s+like|bonus\s+of|bonus\s+(?:at|around|near)"
    r"|payout\s+of|award\s+of|a\s+bonus\s+(?:in\s+the\s+range\s+of|between))"
    r"[^.!?\n]{0,25}$"
)
_ASK_WEAK_BEFORE: Final = re.compile(
    r"(?:\bfor|\bof|\bbe|think|believe|around|about|deserve|worth|fair|reasonable|like|maybe"
    r"|perhaps|probably|is)\s+(?:a\s+|an\s+|the\s+|roughly\s+|about\s+|around\s+|maybe\s+)?$"
)
_BARE_FIGURE: Final = re.compile(
    r"^\s*(?:(?:maybe|say|how\s+about|what\s+about|around|about|ok|okay|fine|so)[,\s]+)?"
    r"[$€£]?\s?\d[\d,.]*\s?(?:k|%|percent|usd|eur|gbp)?\s?[?.!]*\s*$"
)
_MARKET_BEFORE: Final = re.compile(
    r"(?:target|typical|median|market|levels|glassdoor|survey|bands?|benchmark|industry|policy"
    r"|guidelines|average|standard|usually|normally|they|offered|other\s+company)[^.!?\n]{0,30}$"
)
_ASK_AFTER: Final = re.compile(
    r"^(?:\s*(?:now|up\s*front|this\s+(?:year|cycle|quarter))\b|\s*(?:[\w-]+\s){0,2}?bonus"
    r"|[^.!?\n,]{0,30}?(?:of (?:my |the )?(?:base|salary|annual)"
    r"|(?:would )?be (?:a )?(?:fair|reason|appropriate|right|great|possible|ok"
    r"|okay|doable|acceptable|workable)|work for you|(?:is|as) (?:a )?(?:fair|middle ground"
    r"|reasonable)|feels (?:fair|right)|one-?time|payout))"
)
_IMPACT_JUST_BEFORE: Final = re.compile(
    r"(?:\bby|\bfrom|increas\w*|improv\w*|reduc\w*|\bcut|sav\w*|lift\w*|boost\w*|grew|dropp\w*"
    r"|generat\w*|to|up|down|\bhit|reach\w*|at|fell|rose|dropp?\w*|jump\w*|climb\w*)\s*(?:about|almost|nearly|roughly|over|around"
    r"|~)?\s*$"
)
_TENURE_CONTEXT: Final = re.compile(
    r"(?:here|with (?:the|this)|at (?:the|this)|tenure|experience|been|since|over the|in the"
    r"|past|last|for|this|next|every|each|per|a)\W*$"
)
_WORKED_CONTEXT: Final = re.compile(
    r"(?:work\w*|put in|overtime|late|on call|on-call|logged|clocked|spent)[^.!?\n]{0,20}$"
)
_SAVING_BEFORE: Final = re.compile(
    r"(?:sav\w*|cut\w*|reduc\w*|shav\w*|free\w*|trim\w*|from|by|eliminat\w*|slash\w*|down to"
    r"|under|less than|fewer|within)[^.!?\n]{0,25}$"
)
_SAVING_AFTER: Final = re.compile(
    r"^[^.!?\n]{0,25}?(?:faster|less|quicker|sooner|saved|shorter|earlier|down|of (?:manual|work"
    r"|effort|engineering|analyst)|per (?:week|month|run|day)|a (?:week|month|day)|each (?:week"
    r"|month))"
)
_TEAM_AFTER: Final = re.compile(
    r"^\s?(?:\w+\s)?(?:people|engineers?|reports|direct reports|folks|members|colleagues|interns"
    r"|teammates|devs|developers|data scientists|analysts|hires|headcount|person)\b"
)
_DATE_AROUND: Final = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s*$|(?:at|by|on|before|until)\s$"
)
_SPEED_CUE: Final = re.compile(
    r"latency|faster|quicker|\bfrom\b|\bto\b\s*[\d.]|\bdown\b|\bcut|reduc|sav(?:e|ed|ing)|shav|response"
    r"|runtime|p9\d|load\s+time|inference|training\s+time|per\s+(?:request|query|prediction|run)"
)
_NOT_IMPACT_BEFORE: Final = re.compile(
    r"(?:\bgot|\bgets|\bearn\w*|\bmakes?|\bpaid|offer\w*|allows?|up\s+to|median|average|typical"
    r"|more\s+than|less\s+than"
    r"|target|policy|levels|band|survey|glassdoor|market|asked\s+for|asking\s+for|where)[^.!?\n]{0,12}$"
)
_TIME_AFTER: Final = re.compile(r"^(?::\d|\s?(?:am|pm|st|nd|rd|th)\b|/\d)")


class Analysis:
    """One reply, read once: normalised text, figures, and which figures are impact or ask."""

    def __init__(self, text: str) -> None:
        self.reply = ReplyText(text)
        self._reader = FigureReader(self.reply)

    @property
    def raw(self) -> str:
        return self.reply.raw

    @property
    def low(self) -> str:
        return self.reply.low

    @cached_property
    def phrases(self) -> PhraseMatches:
        """Every detector's and tone marker's phrase matches (see dialogue.lexicon)."""
        return PhraseMatches(self.low)

    @cached_property
    def _cue_spans(self) -> list[tuple[int, int]]:
        return _RESULT_CUES.matches(self.phrases)

    def _cue_near(self, fig: Figure, before: int, after: int) -> bool:
        """Whether a result cue lies within `before` characters before the figure or `after`
        characters after it, in the same sentence."""
        left, right = self.reply.sentence(fig.start, fig.end)
        low_bound, high_bound = max(left, fig.start - before), min(right, fig.end + after)
        return any(
            (low_bound <= start and end <= fig.start) or (fig.end <= start and end <= high_bound)
            for start, end in self._cue_spans
        )

    @cached_property
    def figures(self) -> list[Figure]:
        return [f for f in self._reader.figures if not self._is_date_or_time(f)]

    @cached_property
    def ask_figures(self) -> list[Figure]:
        return [f for f in self.figures if self._is_ask(f)]

    @cached_property
    def impact_figures(self) -> list[Figure]:
        asks = set(self.ask_figures)
        return [f for f in self.figures if f not in asks and self._is_impact(f)]

    def _is_date_or_time(self, fig: Figure) -> bool:
        if fig.kind != "number":
            return False
        if 1990 <= fig.value <= 2039 and fig.value.is_integer():
            return True
        after = self.low[fig.end : fig.end + 4]
        before = self.low[max(0, fig.start - 12) : fig.start]
        return bool(_TIME_AFTER.match(after) or _DATE_AROUND.search(before))

    def _is_ask(self, fig: Figure) -> bool:
        """Whether a figure is what the user asks for (not a result, not market data)."""
        if fig.kind in ("months_salary", "weeks_salary"):
            return True
        if fig.kind not in ("percent", "money"):
            return False
        before = self.reply.before(fig.start, 60)
        if _IMPACT_JUST_BEFORE.search(before[-20:]) and "bonus" not in before[-20:]:
            return False
        if (
            _ASK_AFTER.match(self.reply.after(fig.end, 40))
            or _ASK_STRONG_BEFORE.search(before)
            or _BARE_FIGURE.match(self.low)  # a reply that is only a figure ("10%?") is the ask
        ):
            return True
        if _MARKET_BEFORE.search(before) or self._cue_near(fig, 0, 15):
            return False
        return bool(_ASK_WEAK_BEFORE.search(before)) and "bonus" in self._clause(fig)

    def _clause(self, fig: Figure) -> str:
        left, right = self.reply.sentence(fig.start, fig.end)
        return self.low[left:right]

    def _is_impact(self, fig: Figure) -> bool:
        before = self.reply.before(fig.start, 60)
        after = self.reply.after(fig.end, 40)
        if fig.kind in ("months_salary", "weeks_salary"):
            return False
        if _TEAM_AFTER.match(after) or before.endswith(("team of ", "group of ")):
            return False
        if fig.kind == "duration":
            return self._is_time_saved(fig, before, after)
        if _NOT_IMPACT_BEFORE.search(before[-30:]):
            return False
        return self._cue_near(fig, 45, 35)

    def _is_time_saved(self, fig: Figure, before: str, after: str) -> bool:
        if _WORKED_CONTEXT.search(before[-30:]) and not _SAVING_BEFORE.search(before[-30:]):
            return False
        if fig.unit in ("ms", "millisecond", "sec", "second", "s", "min", "minute"):
            return bool(_SPEED_CUE.search(before[-45:] + " " + after[:30]))
        if _SAVING_BEFORE.search(before[-30:]) or _SAVING_AFTER.match(after):
            return True
        return not _TENURE_CONTEXT.search(before[-20:]) and "from" in before[-30:]
