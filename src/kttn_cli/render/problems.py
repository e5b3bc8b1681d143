"""The words of every problem (`core.problems.Problem`), one sentence per code.

`problem_line` is what `kttn check` prints and what an error quotes:
`FILE:LINE:COL: key.path: message`.
"""

from __future__ import annotations

from kttn_cli.core.problems import Problem, dotted
from kttn_cli.i18n import N_, _

MESSAGES: dict[str, str] = {
    # meaning (plan)
    "duplicate_id": N_("duplicate id {id!r}"),
    "life_span_reversed": N_("unit {id!r} ends (active_until) before it starts (active_from)"),
    "replaces_itself": N_("unit {id!r} cannot replace itself"),
    "replaces_cycle": N_("units replace each other in a circle: {cycle}"),
    "unknown_unit": N_("unknown unit {id!r}"),
    "unknown_assignee": N_("unknown unit or group {id!r}"),
    "unknown_milestone": N_("unknown milestone {id!r}"),
    "second_ad_hoc_item": N_(
        "task {id!r} is a second item for ad-hoc tasks (ad_hoc = true); a plan has one"
    ),
    "renamed_from_taken": N_(
        "{id!r} cannot be an old id here: a milestone has that id now, or another "
        "milestone was renamed from it"
    ),
    "input_cycle": N_("input cycle: {cycle}"),
    "unconfirmed_date": N_(
        "date copied from the previous plan and not yet confirmed: check it against the "
        "new plan's text, then remove its line from plan.unconfirmed"
    ),
    "bad_quarter": N_("quarter {quarter} is outside I–IV (1–4)"),
    "bad_qualifier": N_(
        "unknown word before the date {value!r}: use 'trước', 'xong trước', 'chậm nhất', "
        "'chậm nhất là', 'vào ngày' or '' (and 'trong' or '' for a quarter)"
    ),
    "date_missing": N_("a 'date' deadline needs a date (or a repeat)"),
    "date_out_of_range": N_("the date {value} is outside the years {first}–{last}"),
    # meaning (ledger)
    "unknown_target": N_("unknown record {id!r}"),
    "orphan_milestone": N_(
        "record {record} names milestone {id!r}, which the plan no longer has: add "
        "renamed_from = [{id!r}] to the milestone it became, or withdraw the record with "
        "`kttn void {record} --reason …`"
    ),
    "orphan_unit": N_(
        "record {record} names unit {id!r}, which the plan no longer has: add "
        "replaces = [{id!r}] to the unit(s) that took over, or withdraw the record with "
        "`kttn void {record} --reason …`"
    ),
    "not_assigned": N_(
        "record {record}: milestone {milestone!r} is not assigned to unit {unit!r}; fix "
        "the plan, or withdraw the record with `kttn void {record} --reason …`"
    ),
    "no_ad_hoc_item": N_("ad-hoc task {id!r}: the plan has no item for ad-hoc tasks"),
    "ad_hoc_collision": N_(
        "ad-hoc task {id!r} has the id of a milestone of the plan or of another ad-hoc "
        "task; withdraw it with `kttn void` and add it again"
    ),
    "wrong_plan": N_("the ledger belongs to plan {found!r}, not {expected!r}"),
    "ledger_layout": N_(
        "the records are not one [[records]] table each (e.g. `records = []`), so kttn "
        "cannot add to them: write each record as a [[records]] table, or delete an "
        "empty `records = []` line"
    ),
    "empty_ledger": N_(
        "the ledger file is empty (a damaged write?); restore it with `kttn restore`"
    ),
    # reading the file
    "not_utf8": N_("file is not UTF-8 (invalid byte {byte}); save it again as UTF-8"),
    "too_deep": N_("arrays or tables nested more than {depth} deep"),
    "syntax_date": N_("TOML syntax error: invalid date"),
    "syntax_impossible_date": N_("TOML syntax error: impossible date {value}"),
    "syntax_unclosed_string_line": N_(
        "TOML syntax error: string not closed: the closing quote is missing before the end "
        "of the line"
    ),
    "syntax_value": N_("TOML syntax error: invalid value (text must be in double quotes)"),
    "syntax_equals": N_("TOML syntax error: expected '=' after the key"),
    "syntax_overwrite": N_("TOML syntax error: this key already has a value above"),
    "syntax_unclosed_array": N_("TOML syntax error: list not closed with ']'"),
    "syntax_unclosed_table": N_("TOML syntax error: table not closed with '}'"),
    "syntax_trailing": N_("TOML syntax error: unexpected text after the value; one key per line"),
    "syntax_table_header": N_("TOML syntax error: expected ']' at the end of the table name"),
    "syntax_array_header": N_("TOML syntax error: expected ']]' at the end of the array name"),
    "syntax_statement": N_("TOML syntax error: invalid line"),
    "syntax_unclosed_string": N_("TOML syntax error: string not closed"),
    "syntax_other": N_("TOML syntax error"),
    # the shape of the file (pydantic's error types)
    "schema.missing": N_("required key missing"),
    "schema.extra_forbidden": N_("unknown key (not part of the file format)"),
    "schema.string_type": N_("expected text in double quotes"),
    "schema.int_type": N_("expected a whole number"),
    "schema.bool_type": N_("expected true or false"),
    "schema.date_type": N_("expected a date YYYY-MM-DD (without quotes)"),
    "schema.datetime_type": N_("expected a date and time"),
    "schema.list_type": N_("expected a list [ … ]"),
    "schema.model_type": N_("expected a table"),
    "schema.dict_type": N_("expected a table"),
    "schema.string_too_short": N_("must not be empty"),
    "schema.too_short": N_("the list must not be empty"),
    "schema.string_pattern_mismatch": N_(
        "wrong form (an id has only ASCII letters, digits, '.', '_' and '-'; an e-mail "
        "address is name@domain)"
    ),
    "schema.string_too_long": N_("too long (at most {limit} characters)"),
    "schema.greater_than_equal": N_("too small (at least {limit})"),
    "schema.less_than_equal": N_("too large (at most {limit})"),
    "schema.literal_error": N_("invalid value; expected {expected}"),
    "schema.union_tag_invalid": N_("invalid kind {tag!r}; expected {expected}"),
    "schema.union_tag_not_found": N_("missing key {key}"),
    "schema.repeat_day": N_("day 0 does not exist: use 1–31, or -1 for the last day of the month"),
    "schema.repeat_month": N_(
        "not a month of the period: use 1–3 for a quarter, 1–6 for a half-year, 1–12 for a "
        "year, 1 for a month, or -1 for the period's last month"
    ),
    "schema.repeat_span": N_("`until` is before `from`"),
    "schema.repeat_empty": N_("no day of the repeat falls between `from` and `until`"),
    "schema.repeat_due": N_(
        'a repeating milestone\'s due has kind = "date" and no date: the repeat gives each day'
    ),
    # contacts and settings files
    "contacts_not_address": N_("expected an e-mail address or a list of them"),
    "contacts_bad_address": N_("invalid e-mail address {value!r}"),
    "contacts_unknown_unit": N_(
        "the plan has no unit {id!r}: each key is the id of a unit (see `kttn units`)"
    ),
    "unknown_plan": N_("no plan with id {id!r} in the register"),
}
# Any other pydantic error type.
GENERIC_SCHEMA = N_("invalid value")
OTHER_LINE = N_("(first at line {line})")
DID_YOU_MEAN = N_("did you mean {suggestion!r}?")


def problem_text(problem: Problem) -> str:
    """The message of one problem, in the language in use."""
    template = MESSAGES.get(problem.code)
    if template is None:
        template = GENERIC_SCHEMA if problem.code.startswith("schema.") else problem.code
    params = {k: v for k, v in problem.args.items() if k != "detail"}
    # Only a message with values is a format string: "table not closed with '}'" is not.
    text = _(template).format(**params) if params else _(template)
    if problem.code == "syntax_other" and "detail" in problem.args:
        text += f" ({problem.args['detail']})"
    if "suggestion" in problem.args:
        text += "; " + _(DID_YOU_MEAN).format(suggestion=problem.args["suggestion"])
    if problem.related_line:
        text += " " + _(OTHER_LINE).format(line=problem.related_line)
    return text


def problem_line(problem: Problem) -> str:
    """`FILE:LINE:COL: key.path: message`."""
    where = dotted(problem.where)
    prefix = f"{where}: " if where else ""
    return f"{problem.path}:{problem.line}:{problem.col}: {prefix}{problem_text(problem)}"
