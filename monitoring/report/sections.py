"""The plan's hierarchy, objective → subgoal → action → initiative, with counts per objective and per action."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .data import ActionSection, CountRow, ObjectiveSection, SubgoalSection
from .initiatives import Initiatives
from .plan import Plan


def initiatives_of_objectives(plan: Plan, initiatives: Initiatives) -> dict[int, set[int]]:
    """Objective number → the pks of the initiatives under it (through their actions)."""
    return {
        objective.number: initiatives.ids(lambda entry, number=objective.number: number in entry.objectives)
        for objective in plan.objectives
    }


def count_row(key: str, label: str, ids: set[int], initiatives: Initiatives) -> CountRow:
    active, reported = ids & initiatives.active, ids & initiatives.reported
    return CountRow(
        key=key,
        label=label,
        initiatives=len(ids),
        active=len(active),
        new=len(ids & initiatives.new),
        reported=len(reported),
        not_reported=len(active - reported),
    )


def build_sections(plan: Plan, initiatives: Initiatives):
    """(the objectives' sections, a ``CountRow`` per objective, a ``CountRow`` per action). An action's
    initiatives are listed under every subgoal it serves."""
    under_objective = initiatives_of_objectives(plan, initiatives)

    def action_section(action) -> ActionSection:
        refs = [initiatives.refs[pk] for pk in initiatives.by_action.get(action.pk, [])]
        return ActionSection(number=action.number, description=action.description, initiatives=refs)

    sections = [
        ObjectiveSection(
            number=objective.number,
            title=objective.title,
            colour=objective.colour,
            initiatives=len(under_objective[objective.number]),
            reported=len(under_objective[objective.number] & initiatives.reported),
            subgoals=[
                SubgoalSection(
                    code=subgoal.code,
                    text=subgoal.text,
                    actions=[action_section(action) for action in subgoal.actions.all()],
                )
                for subgoal in objective.subgoals.all()
            ],
        )
        for objective in plan.objectives
    ]
    per_objective = [
        count_row(str(objective.number), str(objective.label), under_objective[objective.number], initiatives)
        for objective in plan.objectives
    ]
    per_action = [
        count_row(
            str(action.number),
            _("Action %(number)s") % {"number": action.number},
            set(initiatives.by_action.get(action.pk, [])),
            initiatives,
        )
        for action in plan.actions
    ]
    return sections, per_objective, per_action
