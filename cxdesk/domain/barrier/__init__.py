"""The front-line barrier survey (EO 12862 1(e)): its words, its periods, asking
staff and keeping their answers anonymously."""

from cxdesk.domain.barrier.answers import (
    MIN_GROUP,
    AskStatus,
    BarrierAnswers,
    BarrierSettings,
    NamesInIdea,
    ask_status,
    barrier_settings,
    defer,
    has_answered,
    names_in_idea,
    set_barrier_settings,
    submit_answers,
)
from cxdesk.domain.barrier.periods import MONTH, PERIOD_KINDS, QUARTER, BarrierPeriod, parse_period, period_of
from cxdesk.domain.barrier.survey import DONT_KNOW, POSITIVE, SCALE, BarrierSurvey, load_barrier_survey

__all__ = [
    "DONT_KNOW", "MIN_GROUP", "MONTH", "PERIOD_KINDS", "POSITIVE", "QUARTER", "SCALE",
    "AskStatus", "BarrierAnswers", "BarrierPeriod", "BarrierSettings", "BarrierSurvey", "NamesInIdea",
    "ask_status", "barrier_settings", "defer", "has_answered", "load_barrier_survey", "names_in_idea",
    "parse_period", "period_of", "set_barrier_settings", "submit_answers",
]
