"""One detector per rubric id: whether the reply meets it, and the words that show it.

Detectors are registered by id with `@detector`, the same way a scenario author's own would be;
the scorer runs whatever the registry holds for the rubric's ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

from dialogue.analysis import Analysis
from dialogue.lexicon import KeyedPattern, strip_verbose
from dialogue.spans import Span
from dialogue.text import ACRONYMS
from dialogue.vocabulary import technical_terms

Detector = Callable[[Analysis], list[Span]]
DETECTORS: dict[str, Detector] = {}


def detector(cid: str) -> Callable[[Detector], Detector]:
    """Register `func` as the detector of criterion or violation `cid`."""

    def register(func: Detector) -> Detector:
        DETECTORS[cid] = func
        return func

    return register


def _find(pattern: KeyedPattern, a: Analysis) -> list[Span]:
    return [Span(start, end, a.raw[start:end]) for start, end in pattern.matches(a.phrases)]


def _figure_spans(a: Analysis, figures: Iterable[object]) -> list[Span]:
    spans = []
    for fig in figures:
        start, end = fig.start, fig.end  # type: ignore[attr-defined]
        spans.append(Span(start, end, a.raw[start:end]))
    return spans


def _rx(pattern: str) -> KeyedPattern:
    return KeyedPattern(pattern, re.VERBOSE)


# Gaps between cue words: a few words, never across a sentence; bounded, so no runaway backtracking.
_GAP: Final = r"(?:[^\w.!?\n]+\w+(?:\.\w+)*){0,%d}?[^\w.!?\n]+"


def _gap(words: int) -> str:
    return _GAP % words


_TOPIC = (
    r"(?:(?:a|my|the|potential|possible)\s+)?(?:performance[\s-]*(?:based\s+)?bonus\w*|bonus\w*"
    r"|compensation|comp\b|pay\b|salary|performance|contributions?|recognition|results|raise"
    r"|rewards?|year[\s-]end|review|impact)"
)
_PURPOSE = _rx(
    rf"""\b(?:(?<!as\s)(?<!we\s)discuss\w*|talk(?:ing)?(?:\s+(?:about|through|over))?|chat\s+about
    |go(?:ing)?\s+over|review(?:ing)?|revisit\w*|conversation\s+(?:about|on|around|regarding)
    |(?:meeting|chat|call|1:1|1-1|one[\s-]on[\s-]one|sync|discussion|conversation|time|minutes|mins
    |note|email)(?:\s+\w+){{0,3}}?\s+(?:about|on|regarding|re|to\s+discuss)|sit\s+down\s+(?:about|on|to)|bring(?:ing)?\s+up
    |rais(?:e|ing)\s+(?:the\s+(?:topic|question|subject)\s+of)?|explore|exploring|touch\s+base\s+(?:on|about)
    |catch\s+up\s+(?:on|about)|reason\s+(?:i|for)|purpose|here\s+to|want(?:ed)?\s+to\s+(?:ask\s+about
    |address)|asked\s+for\s+this\s+meeting|this\s+meeting\s+(?:is|was))(?:{_gap(6)})?{_TOPIC}
    |\b(?:bonus|compensation|comp|pay)\s+(?:discussion|conversation|chat|review|request)\b
    |\btalk\s+(?:money|comp|bonus\w*|pay)\b"""
)


@detector("purpose_stated")
def purpose_stated(a: Analysis) -> list[Span]:
    return _find(_PURPOSE, a)


_MEETING_NOUN = (
    r"(?:meeting|follow[\s-]?up|time|minutes|mins|slot|call|1:1|1-1|one[\s-]on[\s-]one|one[\s-]to[\s-]one|chat"
    r"|sync|sit[\s-]?down|catch[\s-]?up|conversation|half[\s-]hour|hour|session)"
)
_REQUESTS_MEETING = _rx(
    rf"""\b(?:do|would)\s+you\s+have\s+(?:\w+\s+){{0,2}}?(?:\d+|a\s+few|some|an|a)\s*(?:min|mins|minutes|hour
    |moment|time|slot)\b|\b(?:steal|grab|borrow|find|found|get|need|want|request)\s+(?:a\s+few\s+|some\s+|an?\s+
    |\d+\s*)?(?:min|mins|minutes|hour|half[\s-]hour|meeting|slot|1:1|call|\d+[\s-]minute\s+(?:meeting|call|slot))\b
    |\bgrateful\s+for\s+(?:a|an|some)\s+(?:\d+[\s-]minute\s+)?(?:meeting|call|chat|time)
    |\bcould\s+we\s+do\s+(?:\d+|a|an|half)|\bset\s+a\s+(?:date|time)\s+to\s+(?:review|discuss|talk|meet)
    |\b(?:could|can|would|may|might|shall|should|do|does|is|are|could\s+i|can\s+i)\b
    {_gap(5)}(?:book|schedule|set\s+up|grab|get|find|have|put|arrange|carve\s+out|block|make
    |spare|fit|squeeze|sit\s+down|meet|free|available|open)\b(?:{_gap(5)})?{_MEETING_NOUN}
    |\b(?:book|schedule|set\s+up|arrange|request|grab)(?:{_gap(3)})?(?:a|some|an|the|\d+)
    {_gap(3)}?{_MEETING_NOUN}
    |\b(?:are|would)\s+you\s+(?:be\s+)?(?:free|available|around|open)\b
    |\bon\s+your\s+(?:calendar|cal|diary|schedule)\b
    |\b(?:send|sent|put\s+in|dropped|drop)\s+(?:you\s+)?(?:a|an)\s+(?:calendar\s+)?invite
    |\b(?:monday|tuesday|wednesday|thursday|friday|tomorrow|next\s+week|this\s+week)\b[^.!?\n]{{0,40}}
    \b(?:work|suit|good|ok|okay|possible)\b[^.!?\n]{{0,20}}\?
    |\bwhen\s+(?:would\s+be|is|are\s+you)\s+(?:a\s+)?(?:good|free|available|convenient)"""
)


@detector("requests_meeting")
def requests_meeting(a: Analysis) -> list[Span]:
    return _find(_REQUESTS_MEETING, a)


_GRATITUDE = _rx(
    r"""\b(?:thank(?:s|\s+you|you|ing\s+you)?|thx|thnx|thanx|tks|ty|tysm|much\s+appreciated
    |appreciate[ds]?|appreciating|appreciation|grateful|gratitude|cheers)\b"""
)
_NOT_GRATITUDE = re.compile(r"^(?:\s+(?:a\s+lot\s+)?for\s+nothing|\s+but\s+no)|(?:no|no,)\s*$")


@detector("gratitude")
def gratitude(a: Analysis) -> list[Span]:
    spans = []
    for span in _find(_GRATITUDE, a):
        before = a.low[max(0, span.start - 5) : span.start]
        after = a.low[span.end : span.end + 20]
        if not (_NOT_GRATITUDE.search(after) or _NOT_GRATITUDE.search(before)):
            spans.append(span)
    return spans


@detector("quantified_impact")
def quantified_impact(a: Analysis) -> list[Span]:
    return _figure_spans(a, a.impact_figures)


_BUSINESS = _rx(
    r"""\b(?:revenue|sales|profit\w*|margins?|arr|mrr|bookings|top[\s-]line|bottom[\s-]line|roi
    |return\s+on\s+investment|cost\s+savings?|savings|saved\s+(?:us|the\s+company|the\s+team)
    |(?:infra|infrastructure|cloud|compute|aws|gcp|operating|support|hosting|labeling|labelling)
    \s+(?:costs?|spend|bill)|costs?|spend|churn|retention|retain\w*|efficien\w*|productivity
    |hours\s+(?:a|per)\s+(?:week|month)|time\s+sav\w*|saved\s+\S+\s+hours|manual\s+(?:work|effort
    |review)|customer\s+(?:satisfaction|experience|complaints|retention)|satisfaction|csat|nps
    |complaints|fraud|chargebacks?|losses|risk|compliance|conversion\w*|sign[\s-]?ups|upsell\w*
    |engagement|click[\s-]?through|ctr|customers?|dollars|budget\s+saved|write[\s-]?offs|inventory
    |business\s+(?:value|impact|outcomes?))\b(?!\s+(?:model|models|project|work|stuff|dashboard
    |detection|team|target|pipeline|breakdown|numbers|system|classifier|service|piece|option))
    |\bsav(?:e|es|ed|ing)\s+(?:us\s+|the\s+company\s+)?(?:about\s+|around\s+|roughly\s+|~)?[$€£\d]"""
)


@detector("business_impact")
def business_impact(a: Analysis) -> list[Span]:
    return _find(_BUSINESS, a)


@detector("technical_credibility")
def technical_credibility(a: Analysis) -> list[Span]:
    return technical_terms(a.reply)


_DOCUMENT = (
    r"(?:reports?|dashboards?|write[\s-]?ups?|docs?|documents?|documentation|deck|slides?"
    r"|spreadsheets?|sheet|one[\s-]pager|summary|notebooks?|data|numbers|metrics|figures|analysis"
    r"|case\s+study|memo|wiki|confluence|results|breakdown|charts?|graphs?|evidence|details|stats"
    r"|receipts|notes|brief|readout|business\s+case|load[\s-]test\s+numbers)"
)
_EVIDENCE = _rx(
    rf"""\b(?:attach\w*|shar(?:e|ed|ing)|send(?:ing)?|sent|show(?:ing)?|walk\s+you\s+through
    |put\s+together|prepared|compiled|pull(?:ed)?\s+up|link\w*|forward\w*|bring|brought|provide
    |included|enclos\w*|here\s+is|here's|circulate\w*|drop\s+in|email\w*|upload\w*|created|built
    |made|wrote|written|have|got|see|check|documented|look\s+at|put)
    (?:{_gap(5)})?{_DOCUMENT}\b
    |\b(?:i'?ve|i\s+have|i|all|fully|it's|its|everything's)\s+(?:\w+\s+)?documented
    |\b{_DOCUMENT}\s+(?:is|are)\s+(?:attached|in\s+the|on\s+the|linked|here|ready|enclosed)
    |\b(?:is|are)\s+in\s+(?:the|a|our|my)\s+(?:[\w-]+\s+){{0,2}}?{_DOCUMENT}
    |\b(?:are|is)\s+(?:all\s+)?in\s+(?:confluence|notion|the\s+wiki|drive|jira|github|the\s+repo|sharepoint)
    |\b{_DOCUMENT}\s+(?:\w+\s+)?here\s+if\s+you|\bwr(?:ote|ite)\s+up\s+(?:the|a|my)
    |\b(?:like|such\s+as)\s+a\s+(?:short\s+|quick\s+)?(?:write-?up|report|summary|doc)
    |\b(?:in|on)\s+(?:the|my|our|this)\s+(?:[\w-]+\s+)?(?:report|dashboard|doc|document|deck|slides
    |spreadsheet|write-?up|one-pager|notebook)\b
    |\b{_DOCUMENT}\s+(?:i'?ve\s+|i\s+)(?:attached|shared|sent|linked|prepared|put\s+together)"""
)


_NEGATED = re.compile(r"(?:n't|\bnot|\bno|\bwithout|\bnever)(?:\s+\w+){0,3}\s*$")


def _not_negated(spans: list[Span], a: Analysis) -> list[Span]:
    """Drop spans that follow a negation: "I don't really have a benchmark" cites none."""
    return [s for s in spans if not _NEGATED.search(a.low, max(0, s.start - 40), s.start)]


@detector("evidence_offered")
def evidence_offered(a: Analysis) -> list[Span]:
    return _not_negated(_find(_EVIDENCE, a), a)


_NARROW_PERCENT_POINTS: Final = 5.0
_NARROW_RATIO: Final = 1.5


@detector("specific_ask")
def specific_ask(a: Analysis) -> list[Span]:
    narrow = []
    for fig in a.ask_figures:
        if fig.high is None:
            narrow.append(fig)
            continue
        width_ok = fig.kind == "percent" and fig.high - fig.value <= _NARROW_PERCENT_POINTS
        if width_ok or fig.high <= fig.value * _NARROW_RATIO:
            narrow.append(fig)
    return _figure_spans(a, narrow)


_MARKET = _rx(
    r"""\blevels(?:\.fyi|\s*fyi)?\b|\bglassdoor\b|\bbuilt\s*in\b|\bpayscale\b|\bradford\b
    |\bcarta\b|\bpave\b|\bblind\b|\bmarket\s+(?:data|rates?|benchmarks?|research|value|range
    |median|average|standard|norms?|comp\w*|pay)|\bindustry\s+(?:benchmarks?|standards?|averages?
    |data|norms?|surveys?|rates?|figures|range)|\bbenchmark\w*|\bsalary\s+(?:surveys?|data)
    |\bcomp(?:ensation)?\s+(?:data|surveys?|bands?|benchmarks?|research)|\btypical\s+(?:for|bonus
    |range)|\b(?:pay|salary|comp|bonus|compensation)\s+bands?\b|\bband\b|\btarget\s+bonus
    |\bbonus\s+(?:structure|policy|bands?|target|guidelines|framework|range|percentages?|matrix
    |pool|scheme|plan)|\bcompany(?:'s)?\s+(?:bonus|comp\w*|policy|guidelines|structure)
    |\b(?:similar|comparable|equivalent|other)\s+(?:roles?|companies|positions)\b
    |\bin\s+line\s+with\s+(?:the\s+)?(?:market|industry)|\bresearch(?:ed)?\b|\bfor\s+my\s+level\b
    |\bpolicy\s+(?:guide|doc\w*|says|allows)|\b(?:bonus|comp)\s+policy|\b(?:l[3-7]|senior|staff)\s+(?:engineers?|mles?)\s+(?:at|in)\b"""
)


@detector("market_reference")
def market_reference(a: Analysis) -> list[Span]:
    return _not_negated(_find(_MARKET, a), a)


_ACK_PHRASE = (
    r"\bi\s+(?:totally\s+|completely\s+|fully\s+|do\s+)?(?:understand|get\s+(?:it|that|why)"
    r"|hear\s+(?:you|that|the|your|what))\b|\bunderstood\b|\bunderstandable\b|\bthat'?s\s+fair\b"
    r"|\bfair\s+(?:enough|point)\b|\bthat\s+makes\s+sense\b|\bi\s+see\s+(?:your|the|where)"
    r"|\btotally\s+get\b|\bi\s+can\s+(?:see|imagine)\b|\bi\s+respect\s+(?:that|the|your)"
    r"|\bi\s+appreciate\s+(?:the|your)\s+(?:honesty|candou?r|transparency|position|constraints?|point"
    r"|situation|openness)|\bi\s+(?:know|realis\w*|realiz\w*|recogni[sz]\w*|acknowledge)\s+(?:that\s+)?"
    r"(?:the\s+(?:budget|timing|freeze|process|numbers)|this\s+(?:year|quarter|cycle)|you\s+(?:need|have"
    r"|can'?t|don'?t)|budgets?|timing|money|there'?s\s+(?:no|not|a\s+freeze|limited))\b"
)
_CONSTRAINT = (
    r"(?<!training\s)(?<!learning\s)(?<!conference\s)(?<!there's\s)(?<!there\sis\s)\b(?:budgets?|freeze|frozen|approvals?|sign[\s-]?off"
    r"|precedent|the\s+concern|your\s+(?:concern|point|position|constraints?|hands)"
    r"|(?:isn'?t|wasn'?t)\s+(?:possible|doable|feasible|an\s+option)|discretionary\s+pool|locked"
    r"|hard\s+stop|busy\s+(?:period|time|quarter)|hands\s+are\s+tied|headcount|constraints?"
    r"|limitations?|tight|needs?\s+(?:vp|director|finance|hr)\s+approval|bonus\s+pool"
    r"|(?:budget|review|planning|bonus)\s+cycle|timing)\b"
)
_ACKNOWLEDGES = _rx(f"{_ACK_PHRASE}|{_CONSTRAINT}")


@detector("acknowledges_constraints")
def acknowledges_constraints(a: Analysis) -> list[Span]:
    return _find(_ACKNOWLEDGES, a)


_ALTERNATIVE_STRUCTURE = _rx(
    r"""\bphased?\b|\bphasing\b|\bin\s+(?:two|2|three|3)\s+(?:parts|payments|instal+ments|tranches
    |stages|halves|chunks)|\binstal+ments?\b|\btranches?\b|\bsplit(?:ting)?\s+(?:it|the|that|this|into
    |between|bonus|payment|across)|\bpart\s+now\b|\bhalf\s+now\b|\bsome\s+now\b|\bspread\s+(?:it|the
    |that|out)|\bdeferred\s+bonus\b|\bretention\s+bonus\b|\bwritten\s+(?:commitment|note|confirmation|agreement)\b
    |\bnow\s+and\s+(?:another|the\s+rest|the\s+remainder|\S+\s+(?:later|after|once|in))
    |\bpay\s+(?:it\s+)?out\s+(?:in|at|after|next)\b|\btalk\s+again\s+(?:after|in|once|next)|\bin\s+writing\b
    |\bput\s+(?:it|that|this)\s+(?:down\s+)?(?:in|on)\s+(?:writing|paper|record)
    |\b(?:tie|tied|tying|link|linked|linking|attach|tie\s+it)\s+(?:it\s+|this\s+|that\s+|the\s+bonus
    \s+|part\s+of\s+it\s+|some\s+of\s+it\s+)?to\s+(?:\w+\s+){0,3}?(?:goals|milestones|targets|okrs
    |kpis|results|performance|deliverables|outcomes|metrics|objectives|project|launch)"""
)
_ALTERNATIVE_OFFER = _rx(
    r"""\b(?:revisit|re-?visit|review\s+(?:it|this|the\s+bonus)|reconsider|come\s+back\s+to|circle\s+back
    |pick\s+(?:this|it)\s+up|look\s+at\s+(?:it|this)\s+again|reassess)\w*\b[^.!?\n]{0,40}\b(?:q[1-4]
    |next|january|february|march|april|may|june|july|august|september|october|november|december
    |in\s+\w+\s+months?|after\s+(?:the\s+)?(?:q[1-4]|h[12]|budget|reviews?|cycle|calibration)|at\s+the
    |during|end\s+of|mid-?year|budget|cycle)
    |\b(?:future|next\s+(?:quarter|year|half|cycle)'?s?)\s+(?:goals|milestones|targets|performance
    |objectives|okrs|bonus|cycle|budget)
    |\b(?:extra|additional|more)\s+(?:pto|time\s+off|vacation|days\s+off|leave)
    |\b(?:training|learning|conference|education|development)\s+(?:budget|stipend|allowance)
    |\b(?:equity|stock|rsus?|options?\s+grant|title\s+change|promotion\s+path|spot\s+bonus
    |non[\s-]?cash|other\s+forms?\s+of\s+recognition|alternative\s+(?:structure|forms?|options?|ways?))
    \b|\b(?:conference|certification|course)\b|\bnext\s+(?:budget\s+)?cycle\b|\bmid[\s-]?year
    \s+review\b|\bpro[\s-]?rated\b|\bstaggered\b|\bmilestone[\s-]based\b|\bperformance\s+goals\b
    |\b(?:could|can|shall)\s+we\s+[^.!?\n]{0,60}?\b(?:budget\s+(?:review|cycle|round|planning)
    |review\s+cycle|annual\s+cycle|next\s+(?:quarter|cycle|round|review)|mid-?year|q[1-4]\b)
    |\b(?:agenda|calendar)\s+for\s+the\s+(?:\w+\s+){0,2}?(?:budget|review|cycle|round)"""
)


@detector("proposes_alternatives")
def proposes_alternatives(a: Analysis) -> list[Span]:
    return _find(_ALTERNATIVE_STRUCTURE, a) + _find(_ALTERNATIVE_OFFER, a)


_COLLABORATIVE = _rx(
    r"""\bopen\s+to\s+(?:\w+\s+){0,2}?(?:discuss\w*|talk\w*|further|other|ideas|options|suggestions
    |alternatives|explor\w*|hear\w*|whatever|any|finding|working|a\s+conversation)
    |\b(?:find|work\s+out|reach|come\s+to|figure\s+out|land\s+on|arrive\s+at|agree\s+on)\s+
    (?:\w+\s+){0,3}?(?:solution|way|arrangement|compromise|middle\s+ground|something|option|plan
    |path|approach)
    |\bworks?\s+for\s+(?:both|everyone|us|the\s+team|you|all)
    |\bwithin\s+(?:the\s+)?(?:company\s+|our\s+|current\s+)?(?:policy|policies|guidelines|budget
    |framework|rules)|\b(?:aligns?|in\s+line)\s+with\s+(?:\w+\s+){0,2}polic
    |\b(?:committed|commitment|dedicated|invested|excited|here)\s+(?:to|in)\s+(?:\w+\s+){0,3}?(?:team
    |company|success|mission|growth|future|role|work|long[\s-]term)
    |\bnext\s+steps?\b|\blet'?s\s+(?:follow\s+up|reconnect|touch\s+base|circle\s+back|revisit|regroup
    |set|schedule|book|pick|keep|check\s+in|sync|discuss|plan|meet|aim)
    |\bhappy\s+to\s+(?:discuss|talk|work|keep|continue|help|revisit|explore|follow)
    |\blook(?:ing)?\s+forward\s+to|\bkeep\s+(?:the|this)\s+conversation|\bwork\s+together
    |\bcontinue\s+(?:the|this|our)\s+(?:conversation|discussion)
    |\bcheck\s+back\s+in|\bi'?ll\s+(?:follow\s+up|reach\s+out|check\s+in|touch\s+base|circle\s+back)
    |\bmutually\b|\bwin[\s-]win\b|\bon\s+the\s+same\s+page\b
    |\boutside\s+(?:of\s+)?(?:the\s+)?(?:normal\s+|usual\s+)?(?:policy|process|guidelines)
    |\brevisit\w*|\bcircle\s+back|\btouch\s+base|\bcheck\s+in\b
    |\bfollow(?:ed|ing)?[\s-]up\s+(?:in\s+(?!writing)|with\s+you|next|again|after|once)
    |\bcatch\s+up\s+(?:next|again|after|in|on)|\bwe\s+catch\s+up|\breconnect
    |\bmake\s+(?:it|this)\s+work\s+here|\bnot\s+going\s+anywhere|\b(?:stay|keep\s+growing|grow)
    \s+(?:here|with\s+(?:the|this)\s+team)|\banything\s+(?:else\s+)?i\s+can\s+(?:do|put|prepare|send)
    |\bwould\s+it\s+help\s+if\s+i|\bto\s+make\s+(?:that|it|this)\s+easier|\bwait\s+to\s+hear
    |\bset\s+a\s+(?:date|time)|\bsum\s+up|\bkeep\s+you\s+(?:posted|updated|in\s+the\s+loop)
    |\bif\s+you\s+need\s+anything|\bcome\s+back\s+to\s+me|\bget\s+back\s+to\s+me
    |\bhappy\s+to\s+(?:wait|answer|share|provide|clarify)|\blet'?s\s+grab
    |\b(?:you'll|you\s+will|you'?re\s+(?:gonna|going\s+to)|we'll|we\s+will)\s+(?:\w+\s+){0,2}?(?:check
    |send|talk|raise|review|get\s+back|come\s+back|share|look|reconnect|catch\s+up|update|bring
    |propose|take\s+it|put\s+(?:it|the)\s+forward|speak|loop|confirm|meet|revisit|find\s+out)\b"""
)


@detector("collaborative_close")
def collaborative_close(a: Analysis) -> list[Span]:
    if ultimatum(a):
        return []  # a threat is not an open door, whatever else the reply says
    return _find(_COLLABORATIVE, a)


_RECAP = _rx(
    r"""\bto\s+(?:quickly\s+)?recap\b|\brecap(?:ping)?\b|\bto\s+summari[sz]e\b|\bin\s+summary\b
    |\bsummary\s+of\s+(?:our|the|what)|\bsummari[sz]\w*\s+(?:our\s+(?:conversation|discussion|meeting|chat)|what\s+we)|\bsum\s+up
    |\bas\s+(?:we\s+)?(?:discussed|agreed)|\bwe\s+(?:agreed|discussed|decided|settled|landed)
    |\b(?:agreed|decided)\s+(?:that|to|on)\b|\bper\s+our\s+(?:conversation|discussion|meeting|chat)
    |\byou(?:'ll|\s+will|\s+said|\s+mentioned|\s+suggested|\s+noted|\s+offered|\s+agreed|\s+plan
    |\s+would)\s+(?:\w+\s+){0,2}?(?:check|talk|raise|take|look|follow|confirm|review|revisit|speak
    |get\s+back|put|send|discuss|bring|push|advocate|share|submit|run|loop|that|you)
    |\bmy\s+understanding\s+is\b|\bwhere\s+we\s+landed\b|\bwhat\s+we\s+(?:agreed|discussed)"""
)


@detector("recap")
def recap(a: Analysis) -> list[Span]:
    return _find(_RECAP, a)


_LEAVE_ACTION = (
    r"(?:leav(?:e|ing)|quit(?:ting)?|walk(?:ing)?(?:\s+out|\s+away)?|resign(?:ing)?"
    r"|look(?:ing)?\s+(?:elsewhere|around)|start\s+(?:looking|interviewing)|go(?:ing)?\s+elsewhere"
    r"|tak(?:e|ing)\s+(?:the|that|another|their|an?)\s+(?:\w+\s+)?(?:offer|job|role)"
    r"|accept(?:ing)?\s+(?:it|that|them|the|their|another|his|her)\b"
    r"|consider(?:ing)?\s+(?:the|that|their|my|other)\s+(?:\w+\s+)?(?:offer|options)"
    r"|find(?:ing)?\s+(?:another|a\s+new)\s+(?:job|role|company)|escalat\w*"
    r"|go(?:ing)?\s+(?:over\s+your\s+head|to\s+(?:hr|your\s+(?:boss|manager|director)|the\s+(?:vp|ceo"
    r"|cto)|leadership|legal|skip))|tak(?:e|ing)\s+(?:this|it)\s+(?:to|up\s+with)\s+(?:hr|your|the|leadership"
    r"|legal)|rais(?:e|ing)\s+(?:this|it)\s+with\s+(?:hr|your|the|leadership|legal)"
    r"|fil(?:e|ing)\s+a\s+complaint|stop\s+(?:doing|working)|be\s+(?:gone|out)"
    r"|have\s+no\s+(?:other\s+)?choice|reconsider(?:ing)?\s+my\s+(?:future|position|place)"
    r"|(?:put|putting|hand|handing)\s+in\s+my\s+notice|two\s+weeks'?\s+notice|lawyer"
    r"|update\s+my\s+(?:cv|resume|linkedin))"
)
# Threats that name an action (leave, escalate, take the offer): only worth trying when the
# reply holds such an action, which keeps "if if if ..." from costing a scan per word. Each
# branch below has the action start a word; so does this check, which makes it fail at once
# inside words (9.3 -> 5.8 us a reply over the realistic corpus).
_LEAVE_ANYWHERE = re.compile(r"\b" + _LEAVE_ACTION)
_ULTIMATUM_ACTION = KeyedPattern(
    strip_verbose(
        rf"""\b(?:if|unless|otherwise|or\s+else|or)\b[^.!?\n]{{0,90}}?\b(?:i'?ll|i\s+will|i'?m\s+going
    \s+to|i'?d\s+have\s+to|i\s+would\s+have\s+to|i\s+have\s+to|i\s+must|i'?m|i\s+am|i\s+may|i\s+might
    |gonna|then\s+i)\b[^.!?\n]{{0,30}}?\b{_LEAVE_ACTION}
    |\b(?:i'?ll|i\s+will|i'?m\s+going\s+to|i'?m\s+gonna)\s+(?:\w+\s+){{0,3}}?{_LEAVE_ACTION}
    [^.!?\n]{{0,60}}?\b(?:unless|if\s+(?:you|this|it|we|i\s+don't|i\s+do\s+not)|or\s+else|otherwise)
    |\bthen\s+(?:i'?ll|i\s+will|i'?m\s+going\s+to)\s+(?:\w+\s+){{0,3}}?{_LEAVE_ACTION}"""
    ),
    requires=_LEAVE_ANYWHERE,
)
_ULTIMATUM_FIXED = _rx(
    r"""\bgo(?:ing)?\s+over\s+your\s+head|\bor\s+i\s+(?:walk|leave|quit|go|resign)\b
    |\b(?:match\s+(?:it|the\s+offer|this)|meet\s+(?:my|this)\s+(?:number|ask)|pay\s+up|give\s+me
    \s+(?:the|my|this)\s+\w+)\s+or\b|\btake\s+it\s+or\s+leave\s+it|\bnon[\s-]?negotiable
    |\bfinal\s+(?:offer|ask)|\bor\s+i'?m\s+(?:out|gone|done|leaving|walking)
    |\b(?:by|before)\s+(?:friday|monday|tuesday|wednesday|thursday|eod|end\s+of\s+(?:the\s+)?(?:day
    |week|month)|tomorrow|next\s+week)\b[^.!?\n]{0,40}?\b(?:or|otherwise)\b"""
)


@detector("ultimatum")
def ultimatum(a: Analysis) -> list[Span]:
    return _find(_ULTIMATUM_ACTION, a) + _find(_ULTIMATUM_FIXED, a)


_HOSTILE = _rx(
    r"""\b(?:ridiculous|absurd|insult\w*|a\s+joke|joke\s+of|laughable|unacceptable|pathetic
    |stupid|idiot\w*|moron\w*|incompeten\w*|clueless|bs|bull\s?shit|shit\w*|crap\w*|damn\w*
    |wtf|hell\b|screw\s+(?:this|that|you)|bloody|f\*+|fuck\w*|sick\s+of|fed\s+up|tired\s+of
    |waste\s+of\s+(?:my\s+)?time|you\s+people|you\s+(?:never|always)|your\s+fault|you\s+failed
    |(?<!understand\s)(?<!know\s)(?<!get\s)(?<!that\s)you\s+(?:need|have|had\s+better|better)\s+to|you'?d\s+better|i\s+demand|demand\s+(?:a|my|the|that)
    |i\s+deserve\s+(?:it|this|more|better)[,.\s]+(?:period|end\s+of\s+story|full\s+stop)
    |don'?t\s+give\s+me|thanks?\s+(?:a\s+lot\s+)?for\s+nothing|yeah\s+right|oh\s+(?:great|sure
    |wonderful|perfect)|nice\s+try|shut\s+up|how\s+dare|seriously\?|are\s+you\s+(?:kidding
    |serious|joking)|give\s+me\s+a\s+break|what\s+a\s+(?:joke|surprise)|of\s+course\s+there'?s\s+no
    |peanuts|not\s+good\s+enough|cop\s+out|keep\s+promising|clearly\s+there'?s|should(?:n'?t)?\s+have\s+to\s+remind|not\s+leaving\s+(?:here\s+)?without|slap\s+in\s+the\s+face|spit\s+in|exploit\w*|underpaid\s+(?:and|for)
    |whatever\.|just\s+pay\s+me|pay\s+me\s+what|disgrac\w*|outrage\w*|lazy|useless|worthless)"""
)

_CAPS_WORD: Final = re.compile(r"\b[A-Z]{2,}(?:'[A-Z]+)?\b")


@detector("aggressive")
def aggressive(a: Analysis) -> list[Span]:
    spans = _find(_HOSTILE, a)
    shouted = [m for m in _CAPS_WORD.finditer(a.raw) if m[0] not in ACRONYMS]
    if len(shouted) >= 2:
        spans.extend(Span(m.start(), m.end(), m[0]) for m in shouted)
    return spans


_VALUE_CLAIM = _rx(
    r"""\b(?:work(?:ed|ing)?\s+(?:really\s+|so\s+|very\s+|extremely\s+|incredibly\s+)?hard
    |hard[\s-]?work\w*|add(?:ed|ing)?\s+(?:a\s+lot\s+of\s+|so\s+much\s+|tons\s+of\s+|huge\s+
    |tremendous\s+|real\s+|significant\s+|massive\s+|serious\s+)?value|(?:above\s+and\s+beyond)
    |(?:i'?m|i\s+am)\s+(?:the\s+|a\s+|one\s+of\s+the\s+)?(?:best|top|rockstar|star|key|indispensable
    |invaluable|irreplaceable|essential|critical|go-to)|(?:huge|big|massive|significant|major|great
    |enormous|tremendous|real|serious)\s+(?:impact|contributions?|difference|value|results)
    |everyone\s+knows|(?:deliver(?:ed)?|contribut(?:ed|e))\s+(?:a\s+lot|so\s+much|tons|loads)
    |always\s+deliver|done\s+(?:a\s+lot|so\s+much|great\s+(?:work|things)|amazing)|exceeded
    \s+expectations|key\s+(?:player|contributor)|crush(?:ed|ing)\s+it|kill(?:ed|ing)\s+it
    |carr(?:y|ied|ying)\s+the\s+team|dedicat(?:ed|ion)|(?:great|amazing|excellent|outstanding
    |solid|strong)\s+(?:job|work|year|performance)|(?:lots?\s+of|so\s+many|many)\s+(?:wins|projects
    |improvements|contributions)|made\s+(?:a\s+)?(?:big|huge|real)?\s*difference|improved\s+(?:things
    |a\s+lot|everything)|(?:really|so)\s+(?:valuable|important)\s+to
    |(?:big|great|strong|huge|productive|good|incredible)\s+(?:year|quarter|stretch|half)
    |speak\s+for\s+themselves|\ba\s+lot\s+of\s+(?:long|late|\d+[\s-]hour)|(?:long|longer|late)\s+hours
    |\d+[\s-]hour\s+weeks|way\s+better|way\s+more\s+(?:efficient|accurate|reliable)|much\s+better
    |a\s+lot\s+better|(?:improv|reduc|increas|cut|boost|grew|lower|speed|sped)\w*\s+(?:\w+\s+){0,4}?
    (?:significantly|dramatically|substantially|massively|hugely|a\s+lot\b(?!\s+of))
    |(?:significantly|dramatically|substantially|massively)\s+(?:improv|reduc|increas|better|faster
    |cut|boost|lower)|never\s+missed|exceeded
    \s+(?:every|all|my)\s+(?:goals?|targets?|expectations)|carr(?:y|ying|ied)\s+(?:this|the)\s+team
    |work\s+of\s+two|shipped\s+more\s+than|everyone'?s\s+happy|(?:accuracy|precision|performance
    |things|results)\s+(?:is|are)\s+(?:up|better|way\s+up|much\s+better)|(?:really|very|super
    |incredibly)\s+productive)"""
)


_ABOUT_THEM = re.compile(r"\byour\b")


@detector("vague_claims")
def vague_claims(a: Analysis) -> list[Span]:
    if a.impact_figures:
        return []
    spans = []
    for span in _find(_VALUE_CLAIM, a):
        left, _ = a.reply.sentence(span.start)
        if not _ABOUT_THEM.search(a.low, left, span.start):  # praise of the manager is no claim
            spans.append(span)
    return spans


_PEER_SUBJECT = (
    r"(?:colleagues?|co-?workers?|teammates?|team\s?mates|peers?|others|other\s+(?:engineers"
    r"|people|folks|devs|members|mles|data\s+scientists)|everyone\s+else|the\s+rest\s+of\s+(?:the|my)"
    r"\s+team|someone|somebody|he|she|they|my\s+(?:peer|counterpart|colleague)s?)"
)
_PEER = _rx(
    rf"""\b{_PEER_SUBJECT}\b[^.!?\n]{{0,40}}?\b(?:got|gets|getting|received|receiv\w*|was\s+given
    |were\s+given|make|makes|making|earn|earns|earning|is\s+paid|are\s+paid|get\s+paid|gets\s+paid
    |paid|took\s+home|walked\s+away\s+with|landed)\b[^.!?\n]{{0,40}}?(?:bonus|raise|more|higher
    |bigger|paid|salary|\d|[$€£])
    |\b(?:than|as)\s+(?:my\s+)?(?:colleagues?|co-?workers?|teammates?|peers?|others|everyone\s+else
    |[a-z]+\s+(?:on|in)\s+(?:my|the)\s+team)\b[^.!?\n]{{0,20}}?(?:get|got|make|earn|paid|bonus|do)?
    |\b(?:paid|earn\w*|make|making)\s+less\s+than\b|\b(?:earning|earn|earns|paid|making|make|makes)
    \s+(?:\w+\s+)?more\s+than\s+(?:i\s+do|me|i\s+am)\b|\bunderpaid\s+(?:compared|relative)
    |\b(?:why|how\s+come)\s+(?:did|does|do)\s+\w+\s+get\b
    |\b(?:same|bigger|larger|similar)\s+bonus\s+(?:as|than)\b"""
)
_NAMED_PEER = re.compile(
    r"\b(?!I\b|The\b|My\b|Our\b|We\b|You\b|It\b|This\b|That\b|Finance\b|HR\b|Leadership\b)"
    r"[A-Z][a-z]+(?:\s+(?:and\s+[A-Z][a-z]+|both|also|just|already|even|all))*"
    r"(?:\s+(?:on|in|from)\s+(?:my|the|our)\s+(?:\w+\s+)?team)?"
    r"\s+(?:got|gets|received|was\s+given|were\s+given|makes|earns|is\s+paid|took\s+home)\b"
    r"[^.!?\n]{0,40}?(?:bonus|raise|more|paid|salary|\d|[$€£]|exactly\s+that|the\s+same)"
)


@detector("peer_comparison")
def peer_comparison(a: Analysis) -> list[Span]:
    spans = _find(_PEER, a)
    spans.extend(Span(m.start(), m.end(), m[0]) for m in _NAMED_PEER.finditer(a.raw))
    return spans


_APOLOGETIC = _rx(
    r"""\b(?:sorry|apolog\w*)\b(?![^.!?\n]{0,25}\b(?:late|delay|typo|hear|missed|confusion|slow
    |wait|mix[\s-]?up|took\s+(?:me\s+)?(?:so\s+)?long|interrupt\w*\s+earlier|formatting|loss))
    |\bi\s+hate\s+to\s+(?:ask|bring|bother|raise)|\b(?:probably|likely)\s+(?:not\s+possible|too\s+much
    |unrealistic|a\s+long\s+shot|out\s+of\s+the\s+question|asking\s+too\s+much)|\bwhatever\s+you\s+think
    |\bwhatever\s+(?:is\s+)?(?:fair|works|you\s+can)|\bfeel\s+free\s+to\s+say\s+no|\bno\s+pressure
    |\bif\s+it'?s\s+not\s+too\s+much\s+(?:trouble|to\s+ask)|\bdon'?t\s+want\s+to\s+(?:be\s+)?(?:greedy
    |a\s+bother|pushy|bother|impose|overstep|seem\s+greedy)|\bnot\s+sure\s+(?:if\s+)?i\s+deserve
    |\bstupid\s+question|\bit'?s\s+(?:totally\s+)?(?:fine|ok|okay)\s+if\s+not|\btotally\s+understand\s+if\s+(?:not|you\s+can'?t|it'?s\s+not)
    |\bunderstand\s+if\s+(?:not|you\s+can'?t|it'?s\s+not)|\bi\s+know\s+i'?m\s+asking\s+a\s+lot|\bmaybe\s+i\s+don'?t
    \s+deserve|\bif\s+that'?s\s+(?:even\s+)?(?:ok|okay|possible|alright)|\bany(?:thing)?\s+(?:at\s+all
    |amount)\s+(?:would|is)|\bi\s+know\s+(?:it'?s|this\s+is)\s+(?:a\s+lot|probably|a\s+big\s+ask
    |unlikely)|\bbother(?:ing)?\s+you|\bi\s+feel\s+(?:bad|awkward|guilty)\s+(?:asking|about)
    |\bnot\s+a\s+big\s+deal\s+if|\bsilly\s+(?:thing|question|to\s+ask)|\bforget\s+i\s+(?:mentioned|asked)
    |\bshouldn'?t\s+have\s+asked|\bwasn'?t\s+a\s+reasonable\s+ask|\bwon'?t\s+push|\bwont\s+push
    |\bi\s+guess\?|\bwould\s+be\s+nice,?\s+i\s+guess|\bno\s+worries\s+if\s+not|\bdon'?t\s+mean\s+to\s+(?:ask|be|sound)"""
)


@detector("apologetic")
def apologetic(a: Analysis) -> list[Span]:
    return _find(_APOLOGETIC, a)
