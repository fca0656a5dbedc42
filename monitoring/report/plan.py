"""The Action Plan as the report reads it: objectives → subgoals → actions, and every action."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from actions.models import Action, StrategicObjective, Subgoal


@dataclass(kw_only=True)
class Plan:
    objectives: list[StrategicObjective]  # each with its subgoals, each with the actions serving it
    actions: list[Action]  # every action, in number order
    objectives_of_action: dict[int, set[int]]  # action pk → the numbers of the objectives it serves


def read_plan() -> Plan:
    """Four queries: objectives, their subgoals, the actions serving each subgoal, every action."""
    serving = Prefetch("actions", queryset=Action.objects.order_by("number"))
    subgoals = Prefetch("subgoals", queryset=Subgoal.objects.order_by("position").prefetch_related(serving))
    objectives = list(StrategicObjective.objects.order_by("number").prefetch_related(subgoals))
    objectives_of_action: dict[int, set[int]] = defaultdict(set)
    for objective in objectives:
        for subgoal in objective.subgoals.all():
            for action in subgoal.actions.all():
                objectives_of_action[action.pk].add(objective.number)
    return Plan(
        objectives=objectives,
        actions=list(Action.objects.order_by("number")),
        objectives_of_action=objectives_of_action,
    )
