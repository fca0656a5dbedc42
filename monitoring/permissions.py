"""Who may see and do what with initiatives and progress updates.

One module answers "may this user do this to this object" (``can``, a yes or no), "and if not, why" (``require``,
which raises the one right error with its message) and "which objects may this user see" (the ``*_visible_to``
and ``*_for`` querysets). Views, admin, API and services all ask it, so lists, buttons and refusals agree.

The rule for objects a user may not see is **404, never 403**: guessing the address of another organisation's
draft tells nothing about its existence. The views and the API read what a user may see through the querysets
(a 404 before any verb is asked); ``require(user, VIEW, update)`` says the same. Of what one may see:

- a verb that is not one's to do (a contributor approving, a Secretariat member approving their own update) is
  ``PermissionDenied`` (403);
- a verb that is one's to do, but not in the object's state (submitting an approved update, approving a draft)
  is ``WorkflowError`` (409 in the API, a message on the web);
- so is a verb that the update's reporting cycle no longer allows (``_cycle_refusal``): once the cycle is
  published, nothing is submitted to it, approved into it or withdrawn from it; once its window (and any
  late-submission allowance) has closed, a draft is no longer submitted to it (a returned update still may be,
  until the report is published), and its drafts and returned updates may move to the current cycle. The web,
  the API and the admin all meet this one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import WorkflowError
from projects.models import OrganisationRole, Project, ProjectOrganisation
from stakeholders.models import MembershipRole, Organisation
from stakeholders.roles import UserLike, is_secretariat, organisation_ids

from .models import CycleStatus, ProgressUpdate, ReportingCycle, UpdateStatus, UpdateTransition

# Verbs on a progress update.
VIEW = "view"
VIEW_WORKFLOW = "view_workflow"  # its author, its history and the workflow's buttons (members, the Secretariat)
EDIT = "edit"
SUBMIT = "submit"
RETURN = "return"
APPROVE = "approve"
WITHDRAW_APPROVAL = "withdraw_approval"
MOVE_TO_CURRENT_CYCLE = "move_to_current_cycle"  # a draft or returned update left in a cycle that takes no more
# Verbs on an initiative.
REPORT = "report"  # write progress updates on it
EDIT_PROFILE = "edit_profile"  # summary, links, milestones, indicators (coordinators)
# Verbs on nothing in particular.
REVIEW = "review"  # the review queue (the Secretariat)

#: The roles on an initiative whose organisations report on it (a funder does not).
REPORTING_ROLES = (OrganisationRole.LEAD, OrganisationRole.PARTNER)


def projects_for(user: UserLike, *, coordinating: bool = False) -> QuerySet[Project]:
    """'My initiatives': those where one of the user's organisations is lead or partner."""
    orgs = organisation_ids(user, role=MembershipRole.COORDINATOR if coordinating else None)
    if not orgs:
        return Project.objects.none()
    involved = ProjectOrganisation.objects.filter(
        project=OuterRef("pk"), organisation_id__in=orgs, role__in=REPORTING_ROLES
    )
    return Project.objects.filter(Exists(involved))


def profiles_editable_by(user: UserLike) -> QuerySet[Project]:
    """The initiatives whose profile ``user`` may edit: every one for the Secretariat, else those of the
    organisations they coordinate (EDIT_PROFILE's rule, as a queryset)."""
    if not (user.is_authenticated and user.is_active):
        return Project.objects.none()
    if is_secretariat(user):
        return Project.objects.all()
    return projects_for(user, coordinating=True)


def updates_visible_to(user: UserLike) -> QuerySet[ProgressUpdate]:
    """Approved updates for everyone; members see their organisation's; the Secretariat every non-draft."""
    visible = Q(status=UpdateStatus.APPROVED)
    orgs = organisation_ids(user)
    if orgs:
        visible |= Q(organisation_id__in=orgs)
    if is_secretariat(user):
        visible |= ~Q(status=UpdateStatus.DRAFT) | Q(author=user)
    return ProgressUpdate.objects.filter(visible)


def review_queue(user: UserLike) -> QuerySet[ProgressUpdate]:
    if not is_secretariat(user):
        return ProgressUpdate.objects.none()
    return ProgressUpdate.objects.filter(status=UpdateStatus.SUBMITTED)


def _is_member(user: UserLike, update: ProgressUpdate) -> bool:
    return user.is_authenticated and user.is_active and update.organisation_id in organisation_ids(user)


def can(user: UserLike, verb: str, obj: ProgressUpdate | Project | None = None) -> bool:
    """May ``user`` do ``verb`` to ``obj`` now (its state included)?"""
    return _refusal(user, verb, obj) is None


def require(user: UserLike, verb: str, obj: ProgressUpdate | Project | None = None) -> None:
    """Nothing if ``user`` may do ``verb`` to ``obj`` now; else raise why not (see the module's docstring)."""
    refusal = _refusal(user, verb, obj)
    if refusal is not None:
        raise refusal


def _refusal(user: UserLike, verb: str, obj) -> Exception | None:
    """The error that says why ``user`` may not do ``verb`` to ``obj`` now, or None if they may: the one rule that
    ``can`` and ``require`` read. The questions come in order: may they see it, is it theirs to do, does the state
    allow it."""
    if verb == REVIEW:
        return None if is_secretariat(user) else PermissionDenied(_("Only the Secretariat reviews updates."))
    if isinstance(obj, Project):
        return _project_refusal(user, verb, obj)
    if isinstance(obj, ProgressUpdate):
        return _update_refusal(user, verb, obj)
    raise ValueError(f"unknown verb or object: {verb} {obj!r}")


def _project_refusal(user: UserLike, verb: str, project: Project) -> Exception | None:
    signed_in = user.is_authenticated and user.is_active
    if verb == REPORT:
        if signed_in and projects_for(user).filter(pk=project.pk).exists():
            return None
        return PermissionDenied(_("You may only report on your organisation's initiatives."))
    if verb == EDIT_PROFILE:
        if profiles_editable_by(user).filter(pk=project.pk).exists():
            return None
        # The initiative is public: saying "not yours" reveals nothing.
        return PermissionDenied(_("Only the coordinators of this initiative's organisations edit its profile."))
    raise ValueError(f"unknown verb for an initiative: {verb}")


@dataclass(frozen=True, kw_only=True)
class UpdateRule:
    """Whose verb it is on a progress update, in which of its states, and what each refusal says."""

    secretariat: bool  # the Secretariat's verb; else the verb of the reporting organisation's members
    states: tuple[str, ...]  # the update's states that allow it
    not_theirs: str  # to anyone it is not for (403)
    wrong_state: str  # in any other state (409); ``%(status)s`` is the state in words
    done: str = ""  # instead of ``wrong_state`` when the update is already where the verb leads
    done_state: str = ""
    own: str = ""  # if set, nobody does this to an update they wrote (``wrote``), the Secretariat included (403)


EDITABLE = (UpdateStatus.DRAFT, UpdateStatus.RETURNED)

UPDATE_RULES = {
    EDIT: UpdateRule(
        secretariat=False,
        states=EDITABLE,
        not_theirs=gettext_lazy("You may not edit this update."),
        wrong_state=gettext_lazy("This update is %(status)s and can no longer be edited."),
    ),
    SUBMIT: UpdateRule(
        secretariat=False,
        states=EDITABLE,
        not_theirs=gettext_lazy("You may not submit this update."),
        wrong_state=gettext_lazy("This update cannot be submitted in its current state."),
        done=gettext_lazy("This update has already been submitted."),
        done_state=UpdateStatus.SUBMITTED,
    ),
    RETURN: UpdateRule(
        secretariat=True,
        states=(UpdateStatus.SUBMITTED,),
        not_theirs=gettext_lazy("Only the Secretariat reviews updates."),
        wrong_state=gettext_lazy("Only a submitted update can be returned."),
        own=gettext_lazy("Nobody reviews an update they wrote, edited or submitted, or one of their organisation's."),
    ),
    APPROVE: UpdateRule(
        secretariat=True,
        states=(UpdateStatus.SUBMITTED,),
        not_theirs=gettext_lazy("Only the Secretariat approves updates."),
        wrong_state=gettext_lazy("Only a submitted update can be approved."),
        own=gettext_lazy("Nobody approves an update they wrote, edited or submitted, or one of their organisation's."),
    ),
    MOVE_TO_CURRENT_CYCLE: UpdateRule(
        secretariat=False,
        states=EDITABLE,
        not_theirs=gettext_lazy("You may not move this update."),
        wrong_state=gettext_lazy("Only a draft or a returned update moves to another cycle."),
    ),
    WITHDRAW_APPROVAL: UpdateRule(
        secretariat=True,
        states=(UpdateStatus.APPROVED,),
        not_theirs=gettext_lazy("Only the Secretariat withdraws approvals."),
        wrong_state=gettext_lazy("Only an approved update can be withdrawn."),
    ),
}


def _update_refusal(user: UserLike, verb: str, update: ProgressUpdate) -> Exception | None:
    if verb == VIEW:
        # Seeing follows updates_visible_to(), anonymous visitors included (approved updates).
        visible = (
            update.status == UpdateStatus.APPROVED
            or _is_member(user, update)
            or (is_secretariat(user) and (update.status != UpdateStatus.DRAFT or update.author_id == user.pk))
        )
        return None if visible else Http404()
    if verb == VIEW_WORKFLOW:
        if _is_member(user, update) or is_secretariat(user):
            return None
        return PermissionDenied(_("Only the reporting organisation's members and the Secretariat follow its workflow."))
    rule = UPDATE_RULES.get(verb)
    if rule is None:
        raise ValueError(f"unknown verb for a progress update: {verb}")
    theirs = is_secretariat(user) if rule.secretariat else _is_member(user, update)
    if not theirs:
        return PermissionDenied(str(rule.not_theirs))
    if update.status not in rule.states:
        if rule.done and update.status == rule.done_state:
            return WorkflowError(str(rule.done))
        return WorkflowError(str(rule.wrong_state) % {"status": update.get_status_display().lower()})
    if rule.own and wrote(user, update):
        return PermissionDenied(str(rule.own))
    if update.cycle_id is not None:
        return _cycle_refusal(verb, update, update.cycle)
    if verb == MOVE_TO_CURRENT_CYCLE:
        return WorkflowError(_("This update belongs to no cycle yet: saving it puts it in the current one."))
    return None


def _cycle_refusal(verb: str, update: ProgressUpdate, cycle: ReportingCycle) -> WorkflowError | None:
    """What the update's reporting cycle, in its state today, no longer allows (see the module's docstring)."""
    today = timezone.localdate()
    status = cycle.status_on(today)
    names = {"number": cycle.number, "label": cycle.label}
    if status == CycleStatus.PUBLISHED:
        names["date"] = date_format(cycle.published_on)
        if verb == SUBMIT:
            return WorkflowError(
                _(
                    "The report of cycle %(number)s (%(label)s) was published on %(date)s: nothing more can be "
                    "submitted to it. Move this update to the current cycle, from its page or your dashboard."
                )
                % names
            )
        if verb == APPROVE:
            return WorkflowError(
                _(
                    "The report of cycle %(number)s (%(label)s) was published on %(date)s: nothing more can be "
                    "approved into it. Return the update, so that its author can move it to the current cycle."
                )
                % names
            )
        if verb == WITHDRAW_APPROVAL:
            return WorkflowError(
                _(
                    "The report of cycle %(number)s (%(label)s) was published on %(date)s with this update in it: "
                    "its approval can no longer be withdrawn."
                )
                % names
            )
    if verb == MOVE_TO_CURRENT_CYCLE and cycle.accepts_submissions(today):
        return WorkflowError(_("Cycle %(number)s (%(label)s) still takes submissions: submit it there.") % names)
    if verb == SUBMIT and update.status == UpdateStatus.DRAFT and not cycle.accepts_submissions(today):
        if status == CycleStatus.PLANNED:
            names["date"] = date_format(cycle.submission_opens)
            return WorkflowError(_("Cycle %(number)s (%(label)s) takes submissions from %(date)s.") % names)
        names["date"] = date_format(cycle.last_submission_day())
        return WorkflowError(
            _(
                "Cycle %(number)s (%(label)s) took its last submissions on %(date)s. Move this draft to the "
                "current cycle, from its page or your dashboard."
            )
            % names
        )
    return None


# Four eyes: who wrote an update ----------------------------------------------------------------------------------


def wrote(user: UserLike, update: ProgressUpdate) -> bool:
    """Did ``user`` take part in writing ``update``: one of ``writers(update)``, or (the Secretariat too) a member
    of its organisation, who may edit it at any time? Such a person does not review it."""
    return update.organisation_id in organisation_ids(user) or user.pk in {w["id"] for w in writers(update)}


def writers(update: ProgressUpdate) -> list[dict]:
    """Everyone who wrote ``update``, as ``{"id", "name"}`` by name; kept on the update as ``update.writers``
    (``attach_writers`` gives a whole list theirs in four queries)."""
    if getattr(update, "writers", None) is None:
        attach_writers([update])
    return update.writers


def attach_writers(updates) -> None:
    """Give each of ``updates`` its ``writers`` (see :func:`writers_by_update`)."""
    updates = list(updates)
    if not updates:
        return
    found = writers_by_update(ProgressUpdate.objects.filter(pk__in=[update.pk for update in updates]))
    for update in updates:
        update.writers = found.get(update.pk, [])


def writers_by_update(updates: QuerySet[ProgressUpdate]) -> dict[int, list[dict]]:
    """Everyone who wrote each of ``updates``, from its own records, as ``{update id: [{"id", "name"}, …]}`` by
    name (four queries whatever the number): who created it, whoever saved its content (its history's saves
    that kept its state: a change of state is a transition, not an edit) and whoever submitted it (its
    transitions from draft or returned)."""
    people: dict[int, set[int]] = {}
    for pk, author_id in updates.values_list("pk", "author_id"):
        people[pk] = {author_id} if author_id else set()
    saves = (
        ProgressUpdate.history.filter(id__in=updates.values("pk"))
        .order_by("id", "history_id")
        .values_list("id", "history_user_id", "status")
    )
    previous: tuple[int, str] | None = None
    for pk, user_id, state in saves:
        state_before = previous[1] if previous is not None and previous[0] == pk else None
        if user_id is not None and pk in people and state_before in (None, state):
            people[pk].add(user_id)
        previous = (pk, state)
    submissions = UpdateTransition.objects.filter(
        update__in=updates.values("pk"), to_status=UpdateStatus.SUBMITTED, from_status__in=EDITABLE
    ).values_list("update_id", "actor_id")
    for pk, actor_id in submissions:
        if actor_id is not None and pk in people:
            people[pk].add(actor_id)
    everyone = set().union(*people.values()) if people else set()
    names = {
        user.pk: user.get_full_name().strip() or user.get_username()
        for user in User.objects.filter(pk__in=everyone).only("pk", "first_name", "last_name", "username")
    }
    return {
        pk: sorted(({"id": uid, "name": names[uid]} for uid in ids if uid in names), key=_by_name)
        for pk, ids in people.items()
    }


def _by_name(person: dict) -> tuple[str, int]:
    return person["name"].lower(), person["id"]


def reporting_organisations(user: UserLike, project: Project) -> QuerySet:
    """The user's organisations that may report on ``project``: those that are its lead or a partner.

    The one rule for "which organisation may this progress update be for", asked by the form, the API and
    ``services.create_update`` alike (a funder, or an organisation not on the initiative, does not report).
    """
    orgs = organisation_ids(user)
    if not orgs:
        return Organisation.objects.none()
    takes_part = ProjectOrganisation.objects.filter(
        project=project, organisation=OuterRef("pk"), role__in=REPORTING_ROLES
    )
    return Organisation.objects.filter(Exists(takes_part), pk__in=orgs)
