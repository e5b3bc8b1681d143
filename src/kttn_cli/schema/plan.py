"""The plan file: what people write, and the core objects it becomes.

`kttn schema` prints the JSON Schema of `PlanFile`; the bundled plan's `#:schema` line
points to a committed copy that a test keeps equal to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kttn_cli.core import model as core
from kttn_cli.core.recurrence import Repeat, day_ok, expand, month_ok, occurrence_days
from kttn_cli.schema.fields import Email, Id, Strict, Text

PLAN_FORMAT = 2


class SignerModel(Strict):
    name: Text = Field(description="The signer's name as printed")
    title: Text = Field(description="The signer's title(s) as printed")


class PlanMeta(Strict):
    id: Id = Field(description="Short id of this plan; names its ledger file")
    number: Text = Field(description="Document number as printed, e.g. 01-KH/BCĐ")
    title: Text
    issued_on: dt.date
    place: Text
    issuer: Text = Field(description="The issuing body as the text names it, e.g. Ban Chỉ đạo tỉnh")
    header: list[Text] = Field(
        min_length=1, description="The header block as printed, line by line"
    )
    signer: SignerModel
    basis: list[Text] = Field(default_factory=list, description="Documents it implements")
    purpose: list[Text] = Field(default_factory=list, description="I.1 Mục đích")
    requirements: list[Text] = Field(default_factory=list, description="I.2 Yêu cầu")
    distribution: list[Text] = Field(default_factory=list, description="Nơi nhận")
    starts_on: dt.date | None = Field(
        default=None, description="First day a record may carry, if not the issue date"
    )
    warn_days: int = Field(default=7, ge=0, le=366, description="Warning window in days")
    unconfirmed: list[Text] = Field(
        default_factory=list,
        description="Key paths of dates copied from another plan and not yet confirmed",
    )

    def to_core(self) -> core.PlanInfo:
        return core.PlanInfo(
            id=self.id,
            number=self.number,
            title=self.title,
            issued_on=self.issued_on,
            place=self.place,
            issuer=self.issuer,
            header=tuple(self.header),
            signer=core.Signer(self.signer.name, self.signer.title),
            basis=tuple(self.basis),
            purpose=tuple(self.purpose),
            requirements=tuple(self.requirements),
            distribution=tuple(self.distribution),
            starts_on=self.starts_on,
            unconfirmed=tuple(self.unconfirmed),
        )


class DeadlineRulesModel(Strict):
    before: Literal["exclusive", "inclusive"] = Field(
        default="exclusive",
        description="How 'trước ngày X' is counted: 'exclusive' (the literal reading, the "
        "last day is X−1) or 'inclusive' (day X counts)",
    )
    shift_to_working_day: bool = Field(
        default=False,
        description="Move a last day that falls on a weekend, a public holiday or an "
        "extra day off to the next working day (Civil Code 2015, Art. 148); quarters stay "
        "in their quarter",
    )
    days_off: list[dt.date] = Field(
        default_factory=list, description="Extra days off announced by the Government"
    )
    working_days: list[dt.date] = Field(
        default_factory=list, description="Make-up working days (weekend days worked)"
    )

    def to_core(self) -> core.DeadlineRules:
        return core.DeadlineRules(
            before=core.BeforeRule(self.before),
            shift_to_working_day=self.shift_to_working_day,
            days_off=frozenset(self.days_off),
            working_days=frozenset(self.working_days),
        )


UnitKind = Literal[
    "steering_committee",
    "standing_office",
    "party_committee",
    "district_committee",
    "agency",
    "member",
    "collective",
]


class UnitModel(Strict):
    id: Id
    name: Text = Field(description="Vietnamese name")
    short: Text | None = Field(default=None, description="Tên viết tắt, e.g. Văn Lâm")
    kind: UnitKind
    email: list[Email] = Field(default_factory=list)
    active_from: dt.date | None = Field(default=None, description="First day it exists")
    active_until: dt.date | None = Field(default=None, description="Last day it exists")
    replaces: list[Id] = Field(
        default_factory=list,
        description="Units this one takes over from (records of a unit replaced by one "
        "unit are read as that unit's; a placeholder replaced by several keeps them)",
    )

    def to_core(self) -> core.Unit:
        return core.Unit(
            id=self.id,
            name=self.name,
            kind=self.kind,
            short=self.short,
            email=tuple(self.email),
            active_from=self.active_from,
            active_until=self.active_until,
            replaces=tuple(self.replaces),
        )


class GroupModel(Strict):
    id: Id
    name: Text
    members: list[Id] = Field(min_length=1)

    def to_core(self) -> core.Group:
        return core.Group(self.id, self.name, tuple(self.members))


class DateDue(Strict):
    kind: Literal["date"]
    date: dt.date | None = Field(
        default=None, description="The day the plan names; left out when the milestone repeats"
    )
    qualifier: str = Field(
        default="",
        description="The plan's word before the date: 'trước', 'xong trước', "
        "'chậm nhất', 'chậm nhất là', 'vào ngày' or '' (none)",
    )


class QuarterDue(Strict):
    kind: Literal["quarter"]
    # The I–IV range is a meaning check, so that its message can say it in words.
    quarter: int
    year: int = Field(ge=2000, le=2100)
    qualifier: str = Field(default="trong", description="'trong' (within) or ''")


class OpenDue(Strict):
    kind: Literal["ongoing", "on_request", "when_arises", "none"] = Field(
        description="ongoing: 'thường xuyên'; on_request: 'theo yêu cầu'; when_arises: "
        "'kịp thời', 'khi có …', 'nếu có thay đổi'; none: the plan gives no time"
    )


Due = Annotated[DateDue | QuarterDue | OpenDue, Field(discriminator="kind")]


class InferenceModel(Strict):
    what: Literal["inputs", "assignees", "recipients", "deadline"]
    basis: Text = Field(description="Where in the text the inference comes from")


class RepeatModel(Strict):
    every: Literal["month", "quarter", "half", "year"]
    day: int = Field(ge=-1, le=31, description="Day of the month; -1 for its last day")
    month: int = Field(
        default=-1, ge=-1, le=12, description="Month of the period (1 = first); -1 = last"
    )
    starts: dt.date = Field(alias="from")
    ends: dt.date = Field(alias="until")

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    # Values the bounds let through but a calendar does not have (core/recurrence.py).
    @field_validator("day")
    @classmethod
    def _a_day(cls, day: int) -> int:
        if not day_ok(day):
            raise PydanticCustomError("repeat_day", "day 0 does not exist")
        return day

    @field_validator("month")
    @classmethod
    def _a_month_of_the_period(cls, month: int, info: ValidationInfo) -> int:
        every = info.data.get("every")
        if every is not None and not month_ok(every, month):
            raise PydanticCustomError("repeat_month", "not a month of the period")
        return month

    @field_validator("ends")
    @classmethod
    def _after_the_start(cls, ends: dt.date, info: ValidationInfo) -> dt.date:
        data = info.data
        starts = data.get("starts")
        if starts is not None and ends < starts:
            raise PydanticCustomError("repeat_span", "until is before from")
        if starts is not None and all(k in data for k in ("every", "day", "month")):
            repeat = Repeat(data["every"], data["day"], starts, ends, data["month"])
            if not occurrence_days(repeat):
                raise PydanticCustomError("repeat_empty", "no occurrence between from and until")
        return ends


class MilestoneModel(Strict):
    id: Id
    title: Text
    short: Text | None = Field(default=None, description="Short title, e.g. 'BC 6 tháng'")
    due: Due
    due_text: str = Field(description="The plan's own wording of the deadline")
    assignees: list[Id] = Field(min_length=1, description="Units or groups that owe it")
    recipients: list[Id] = Field(
        default_factory=list, description="Units it goes to, as the text names them"
    )
    warn_days: int | None = Field(default=None, ge=0, le=366)
    inputs: list[Id] = Field(
        default_factory=list, description="Milestones whose results this one consolidates"
    )
    inferred: list[InferenceModel] = Field(
        default_factory=list, description="Facts inferred rather than read in the text"
    )
    renamed_from: list[Id] = Field(
        default_factory=list, description="Ids this milestone had before (records keep them)"
    )
    repeat: RepeatModel | None = None
    source: Text = Field(description="Where it stands in the document")

    @field_validator("repeat")
    @classmethod
    def _repeats_a_day(cls, repeat: RepeatModel | None, info: ValidationInfo) -> object:
        """The repeat gives every day: the milestone's own `due` names none, and is a
        day's (a quarter or an open deadline would be silently replaced)."""
        due = info.data.get("due")
        names_a_day = not isinstance(due, DateDue) or due.date is not None
        if repeat is not None and due is not None and names_a_day:
            raise PydanticCustomError("repeat_due", "due must be a date kind without a date")
        return repeat

    def to_core(self, task_id: str) -> tuple[core.Milestone, ...]:
        due = self.due
        deadline = core.Deadline(
            kind=due.kind,
            text=self.due_text,
            stated=due.date if isinstance(due, DateDue) else None,
            qualifier=due.qualifier if isinstance(due, DateDue | QuarterDue) else "",
            quarter=due.quarter if isinstance(due, QuarterDue) else None,
            year=due.year if isinstance(due, QuarterDue) else None,
        )
        milestone = core.Milestone(
            id=self.id,
            task_id=task_id,
            title=self.title,
            deadline=deadline,
            assignees=tuple(self.assignees),
            recipients=tuple(self.recipients),
            source=self.source,
            warn_days=self.warn_days,
            inputs=tuple(self.inputs),
            inferred=tuple(core.Inference(i.what, i.basis) for i in self.inferred),
            renamed_from=tuple(self.renamed_from),
            short=self.short,
        )
        if self.repeat is None:
            return (milestone,)
        r = self.repeat
        return expand(milestone, Repeat(r.every, r.day, r.starts, r.ends, r.month))


class TaskModel(Strict):
    id: Id = Field(description="The plan's numbering, e.g. II.4 or III.2")
    section: Text
    title: Text
    text: Text = Field(description="The plan's original wording")
    source: Text
    ad_hoc: bool = Field(
        default=False, description="The item ad-hoc tasks are added to (`kttn task add`)"
    )
    milestones: list[MilestoneModel] = Field(default_factory=list)

    def to_core(self) -> core.Task:
        return core.Task(
            id=self.id,
            section=self.section,
            title=self.title,
            text=self.text,
            source=self.source,
            milestones=tuple(o for m in self.milestones for o in m.to_core(self.id)),
            ad_hoc=self.ad_hoc,
        )


class PlanFile(Strict):
    """A plan: the document, its units and groups, its tasks and their milestones."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="kttn plan",
        json_schema_extra={"$id": "https://kttn.invalid/plan.schema.json"},
    )

    schema_version: Literal[2]
    plan: PlanMeta
    deadline_rules: DeadlineRulesModel = Field(default_factory=DeadlineRulesModel)
    units: list[UnitModel] = Field(min_length=1)
    groups: list[GroupModel] = Field(default_factory=list)
    tasks: list[TaskModel] = Field(min_length=1)

    def to_core(self) -> core.Plan:
        return core.Plan(
            info=self.plan.to_core(),
            warn_days=self.plan.warn_days,
            rules=self.deadline_rules.to_core(),
            units=tuple(u.to_core() for u in self.units),
            groups=tuple(g.to_core() for g in self.groups),
            tasks=tuple(t.to_core() for t in self.tasks),
        )


# The discriminator values of the plan's unions, for locating validation errors.
TAGS = frozenset(
    tag
    for model in get_args(get_args(Due)[0])
    for tag in get_args(model.model_fields["kind"].annotation)
)
