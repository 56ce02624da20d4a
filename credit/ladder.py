"""The violation points ladder: points over a rolling 12 months that escalate the measure automatically.

Configured in settings.VIOLATION_POINT_LADDER as "points:measure[:days]" steps, comma-separated, e.g. the
default "12:trading_restriction:7,24:suspension:14,36:suspension:21,48:termination" (pure functions, no queries).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from credit.choices import MEASURE_LEVEL, Measure


@dataclass(frozen=True)
class LadderStep:
    threshold: int
    measure: str
    days: int | None

    @property
    def level(self) -> int:
        return MEASURE_LEVEL[self.measure]

    @property
    def duration(self) -> timedelta | None:
        return timedelta(days=self.days) if self.days else None

    @property
    def label(self) -> str:
        return str(Measure(self.measure).label)


def _bad(spec: str, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"VIOLATION_POINT_LADDER={spec!r}: {why}")


def parse_ladder(spec: str) -> tuple[LadderStep, ...]:
    steps: list[LadderStep] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        fields = part.split(":")
        if len(fields) not in (2, 3) or not fields[0].strip().isdigit():
            raise _bad(spec, f"{part!r} is not points:measure[:days]")
        threshold, measure = int(fields[0]), fields[1].strip()
        if measure not in MEASURE_LEVEL:
            raise _bad(spec, f"{measure!r} is not trading_restriction, suspension or termination")
        days = fields[2].strip() if len(fields) == 3 else ""
        if measure == Measure.TERMINATION:
            if days:
                raise _bad(spec, "a termination has no days")
            steps.append(LadderStep(threshold, measure, None))
            continue
        if not days.isdigit() or int(days) < 1:
            raise _bad(spec, f"{part!r} needs a number of days of at least 1")
        steps.append(LadderStep(threshold, measure, int(days)))
    if not steps:
        raise _bad(spec, "no steps")
    for lower, higher in zip(steps, steps[1:], strict=False):
        if not 0 < lower.threshold < higher.threshold:
            raise _bad(spec, "thresholds must be positive and rise")
        if higher.level < lower.level:
            raise _bad(spec, "a higher threshold cannot have a weaker measure")
    if steps[0].threshold < 1:
        raise _bad(spec, "thresholds must be positive and rise")
    return tuple(steps)


def point_ladder() -> tuple[LadderStep, ...]:
    return parse_ladder(settings.VIOLATION_POINT_LADDER)


def step_reached(total: int) -> LadderStep | None:
    """The highest step a points total reaches."""
    reached = [step for step in point_ladder() if step.threshold <= total]
    return reached[-1] if reached else None


def step_crossed(previous: int, total: int) -> LadderStep | None:
    """The highest step crossed when the total rose from `previous` to `total` (one measure, the strongest)."""
    crossed = [step for step in point_ladder() if previous < step.threshold <= total]
    return crossed[-1] if crossed else None


def next_step(total: int) -> LadderStep | None:
    """The next step above a points total (what the merchant is heading for)."""
    return next((step for step in point_ladder() if step.threshold > total), None)
