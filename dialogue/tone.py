"""Tone: a number from -1 (hostile) to 1 (courteous and professional) for any English text.

A small lexicon of politeness and hostility markers, read in one regex pass; each marker adds
its weight, capped per marker so repetition does not run away, and the sum is squashed by tanh.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Final

from dialogue.lexicon import KeyedPattern, PhraseMatches
from dialogue.text import ACRONYMS, normalise

# (group name, weight, pattern); names let one pass over the text say which marker matched.
_MARKERS: Final = (
    ("please", 0.9, r"\bplease\b|\bpls\b|\bplz\b|\bkindly\b"),
    ("thanks", 1.1, r"\bthank\w*|\bthx\b|\bappreciat\w*|\bgrateful\b|\bgratitude\b|🙏"),
    (
        "request",
        0.7,
        r"\b(?:could|would|can|may)\s+(?:you|we|i)\b(?!\s+not\b)|\bwould\s+it\s+be\s+possible"
        r"|\bwould\s+\w+\s+work\s+for\s+you|\bwould\s+you\s+mind|\bi\s+was\s+hoping|\bi\s+wonder"
        r"|\bjust\s+a\s+(?:quick|friendly|gentle)|\bgently\b|\bquick\s+reminder\b"
        r"|\bif\s+possible\b|\bwhen\s+you\s+(?:get|have)\s+a\s+(?:chance|moment|minute)"
        r"|\bif\s+you\s+don'?t\s+mind\b|\bwhenever\s+(?:you|it)",
    ),
    (
        "warm",
        0.8,
        r"\bhappy\s+to\b|\bglad\b|\bpleasure\b|\blook(?:ing)?\s+forward\b|\bhope\b"
        r"|\bwelcome\b|\bno\s+problem\b|\bof\s+course\b|\bi'?d\s+(?:like|love)\b|\bwould\s+love\b"
        r"|\bkind\b|\bwonderful\b|\bexcellent\b|\bgreat\s+(?:to|question|point|work|job)\b"
        r"|\bhave\s+a\s+(?:good|great|nice)\b|😊|🙂|😀|👍",
    ),
    (
        "empathy",
        0.8,
        r"\bunderstand\w*\b|\bhear\s+you\b|\bmakes\s+sense\b|\bfair\s+(?:point|enough)"
        r"|\bi\s+see\b|\bapologi[sz]e\b|\bsorry\b|\brespect\w*\b|\bno\s+worries\b|\btotally\s+get",
    ),
    (
        "soft",
        0.4,
        r"\bperhaps\b|\bmaybe\b|\bmight\b|\bpossibly\b|\bi\s+think\b|\bi\s+believe\b"
        r"|\bwondering\b|\bjust\s+wanted\b|\bhelp\b|\btogether\b|\bopen\s+to\b",
    ),
    (
        "greeting",
        0.5,
        r"\b(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening))\b"
        r"|\b(?:best|kind|warm)\s+regards\b|\bcheers\b|\bbest,|\bsincerely\b",
    ),
    (
        "insult",
        -2.2,
        r"\bidiot\w*|\bstupid\b|\bmoron\w*|\bincompeten\w*|\bpathetic\b|\bclueless\b"
        r"|\buseless\b|\bworthless\b|\bloser\b|\bjerk\b|\bdumb\b|\bshut\s+up\b|\bscrew\s+(?:you|this|that)"
        r"|\bgo\s+to\s+hell\b|\bdisgrac\w*|\bliar\b|\blying\b|\bscam\w*|\bcheap\s*skate\b|\bgreedy\b"
        r"|\bgarbage\b|\btrash\b|\bdump\b|\bparasite\b|\bhack\b|\bclowns?\b|\bpig\b|\bsucker\b|\bfool\b"
        r"|\bselfish\b|\binconsiderate\b|\bfigurehead\b|\bcrumbs\b|\bcharity\s+case\b|\brip-?off\b"
        r"|\bdisgusting\b|\bno\s+clue\b|\bbiased\b|\bgo\s+cry\b|\bcry\s+about\s+it\b|\bget\s+lost\b"
        r"|\bbite\s+me\b|\bgrow\s+up\b|\bloser\b|\bnitwit\b|\bimbecile\b|\bridiculous\s+person",
    ),
    (
        "swear",
        -1.4,
        r"\bdamn\w*|\bcrap\w*|\bbs\b|\bbull\s?shit\b|\bshit\w*|\bfuck\w*|\bf\*+\w*"
        r"|\bwtf\b|\bhell\b|\bbloody\b|\bpiss\w*|\bsucks?\b|\bass\b|🤬|😡|🖕",
    ),
    (
        "hostile",
        -1.3,
        r"\bridiculous\b|\babsurd\b|\binsult\w*|\bjoke\b|\blaughable\b|\bunacceptable\b"
        r"|\boutrage\w*|\bsick\s+of\b|\bfed\s+up\b|\btired\s+of\b|\bwaste\s+of\b|\byou\s+people\b"
        r"|\byou\s+(?:never|always)\b|\byour\s+fault\b|\bhow\s+dare\b|\bnonsense\b|\bterrible\b"
        r"|\bawful\b|\bhorrible\b|\bunbelievable\b|\bi\s+don'?t\s+care\b|\bwhatever\b"
        r"|\bpeanuts\b|\bslap\s+in\s+the\s+face\b|\bexploit\w*|\bannoy\w*|\bmess\b|\blazy\b|\bhate\b"
        r"|\bsick\b|\bangry\b|\bfurious\b|🙄|\bworst\b|\bunreal\b|\bugh\b|\bfor\s+god'?s\s+sake\b"
        r"|\bthat'?s\s+low\b|\bzero\s+sense\b|\bnot\s+that\s+hard\b|\bfor\s+once\b|\bplan\s+better\b"
        r"|\bfigure\s+it\s+out\s+yourself\b|\bif\s+you\s+have\s+a\s+problem\b|\bwhether\s+you\s+like\s+it"
        r"|\btough\b|\bi'?m\s+done\b|\bdon'?t\s+bother\b|\bevery\s+single\s+time\b|\bheard\s+that\s+(?:one\s+)?before"
        r"|\bas\s+i'?ve\s+already\s+(?:told|said)|\balready\s+told\s+you\b|\bstop\s+(?:emailing|wasting|lying"
        r"|asking|bothering)|\bdid\s+you\s+even\b|\bdo\s+you\s+(?:even|actually|really)\s+(?:read|know|care|think"
        r"|listen)|\bnot\s+part\s+of\s+your\s+job\b|\bisn'?t\s+it\s+obvious\b|\bwhat\s+do\s+you\s+mean\b"
        r"|\bare\s+you\s+(?:kidding|serious|joking)\b|\bdo\s+you\s+think\s+i'?m\b|\byou\s+(?:actually|really"
        r"|seriously)\s+expect\b|\bwhat(?:'s|\s+is)\s+wrong\s+with\s+you\b|\byou\s+(?:stole|ruined|ignored|lied"
        r"|dump|dumped|wouldn'?t\s+(?:know|recogni[sz]e)|can'?t\s+even|don'?t\s+even)\b|\bshouldn'?t\s+have\s+to"
        r"|\byou\s+still\s+haven'?t\b|\bkeep\s+your\b|\bsome\s+of\s+us\b|\bnot\s+good\s+enough\b"
        r"|\byou\s+know\s+(?:exactly|it|full\s+well)\b|\bwe\s+both\s+know\b|\bdo(?:ing)?\s+your\s+job\b"
        r"|\bactually\s+know\s+how\b|\bnot\s+my\s+fault\b|\bnot\s+me\b|\bthis\s+is\s+what\s+i\s+get\b"
        r"|\bbreak\s+my\s+back\b|\bcan\s+you\s+not\b|\bliterally\b|\bif\s+you\s+(?:paid|cared|listened"
        r"|bothered)\b|\byour\s+own\s+damn\b",
    ),
    (
        "threat",
        -1.6,
        r"\bor\s+else\b|\bor\s+i'?(?:m|ll)\b|\bunless\s+you\b|\bi'?m\s+(?:going\s+straight"
        r"|reporting|calling|throwing|telling\s+everyone)|\bi'?ll\s+sue\b|\bi'?ll\s+(?:quit|leave"
        r"|report|escalate|sue|call|go\s+to|take)|\blawyer\b|\blast\s+(?:chance|warning)\b|\bfinal\s+warning"
        r"|\bnon[\s-]?negotiable\b|\btake\s+it\s+or\s+leave\s+it\b|\bregret\b|\byou'?ll\s+see\b",
    ),
    (
        "demand",
        -0.9,
        r"\byou\s+(?:need|have|had\s+better|better)\s+to\b|\byou'?d\s+better\b|\bi\s+demand"
        r"|\bimmediately\b|\bright\s+now\b|\basap\b|\bno\s+excuses\b|\b(?<=[,.]\s)period\s*[.!]|\b(?<=[,.])period\s*[.!]|\bend\s+of\s+story\b"
        r"|\bi\s+deserve\b|\bjust\s+(?:do|give|send|pay|fix|tell)\b|\bgive\s+me\b|\bi\s+want\s+(?:it|my|the)\b"
        r"|\bdon'?t\s+(?:give\s+me|bother|waste)\b|\bstop\b|\bmove\s+it\b|\bnow\.|\bnow!|\bnow\s*$"
        r"|\bi\s+(?:want|expect)\s+(?:my|full|a|an|it|compensation|the|this)\b|\bi\s+insist\b"
        r"|\ban\s+answer\s+(?:today|now|by|this\s+week)",
    ),
    (
        "sarcasm",
        -1.3,
        r"\boh\s+(?:great|sure|wonderful|perfect|wow|joy)\b|\byeah\s+right\b|\bnice\s+try\b"
        r"|\bright\.\s|\bshame\s+you\b|\bgenius\b|\bfunny\s+how\b|\bhow\s+convenient\b|\bthat'?s\s+it\?"
        r"|\bthanks?\s+(?:a\s+lot\s+)?for\s+nothing\b|\bwhat\s+a\s+(?:joke|surprise|shock)\b|\bsure\s+you\s+did"
        r"|\bgreat\s+leadership\b|\bwow\b|\bclassic\b|\btypical\b|\bcongrat\w*\s+on\s+nothing",
    ),
    (
        "curt",
        -0.5,
        r"^\s*(?:no|fine|whatever|nope)[.!]*\s*$|^\s*no[,.!]|\bseriously\b|\balready\.|^\s*(?:no|fine)\.\s|\bno\.\s*$"
        r"|\bwhy\s+(?:haven'?t|didn'?t|isn'?t|aren'?t|can'?t|won'?t)\s+you\b|\bwhere\s+is\s+(?:it|my)\b"
        r"|\bagain\?|\bstill\s+(?:waiting|no|nothing|not)\b|\bhurry\b|\bget\s+(?:it|this)\s+done\b",
    ),
    (
        "command",
        -0.6,
        r"(?:^|[.!?]\s+)\s*(?:send|give|fix|tell|stop|get|do|move|turn|pay|answer|explain|make|bring|return"
        r"|call|refund|reply|respond|change|take|hand|cut|exchange|read|check|wash|clean|shut|credit)\b(?!\s+you\b)",
    ),
    ("bang", -0.35, r"!{2,}|\?{2,}|\?!|!\?"),
)
_MARKER_PATTERNS: Final = tuple(
    (name, weight, KeyedPattern(pattern, re.MULTILINE)) for name, weight, pattern in _MARKERS
)
_WEIGHTS: Final = {name: weight for name, weight, _ in _MARKERS}
_CAP_PER_MARKER: Final = 3
_SHOUT: Final = re.compile(r"\b[A-Z]{3,}(?:'[A-Z]+)?\b|\b(?:NO|NOT|ME|MY|DO)\b")

_SHOUT_WEIGHT: Final = -0.9
_SCALE: Final = 2.2


def tone_of(text: str, phrases: PhraseMatches | None = None) -> float:
    """The tone of `text`, from -1 (hostile) to 1 (courteous), 0 when neutral.

    `phrases`: the reply's phrase matches, when the caller has scanned it already.
    """
    found_phrases = phrases if phrases is not None else PhraseMatches(normalise(text))
    counts: Counter[str] = Counter()
    for name, _, pattern in _MARKER_PATTERNS:
        found = len(pattern.matches(found_phrases))
        if found:
            counts[name] = found
    total = sum(_WEIGHTS[name] * min(count, _CAP_PER_MARKER) for name, count in counts.items())
    shouted = sum(1 for m in _SHOUT.finditer(text) if m[0] not in ACRONYMS)
    if shouted:
        total += _SHOUT_WEIGHT * min(shouted, 4) / 2
    if counts and total < 0 and counts.get("thanks") and counts.get("sarcasm"):
        total -= _WEIGHTS["thanks"]  # thanks inside sarcasm is not courtesy
    return round(math.tanh(total / _SCALE), 3)
