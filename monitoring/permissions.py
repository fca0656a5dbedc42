"""Who may see and do what with initiatives and progress updates.

One module answers both questions, "may this user do this to this object"
(``can``) and "which objects may this user see" (the ``*_visible_to`` and
``*_for`` querysets), and views, admin and API all ask it, so lists and
checks agree.

The rule for objects a user may not see is **404, never 403**: guessing the
address of another organisation's draft tells nothing about its existence.
A 403 is only answered for an object the user can see but may not change
(a contributor trying to approve, say).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from projects.models import OrganisationRole, Project, ProjectOrganisation
from stakeholders.models import MembershipRole, Organisation
from stakeholders.roles import UserLike, is_secretariat, organisation_ids

from .models import ProgressUpdate, UpdateStatus

# Verbs on a progress update.
VIEW = "view"
EDIT = "edit"
SUBMIT = "submit"
RETURN = "return"
APPROVE = "approve"
WITHDRAW_APPROVAL = "withdraw_approval"
# Verbs on an initiative.
REPORT = "report"  # write progress updates on it
EDIT_PROFILE = "edit_profile"  # summary, links, milestones, indicators (coordinators)

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


def can(user: UserLike, verb: str, obj: ProgressUpdate | Project) -> bool:
    """May ``user`` do ``verb`` to ``obj`` now (its state included)?"""
    if verb == VIEW and isinstance(obj, ProgressUpdate):
        # Seeing follows updates_visible_to(), anonymous visitors included (approved updates).
        return (
            obj.status == UpdateStatus.APPROVED
            or obj.organisation_id in organisation_ids(user)
            or (is_secretariat(user) and (obj.status != UpdateStatus.DRAFT or obj.author_id == user.pk))
        )
    if not user.is_authenticated or not user.is_active:
        return False
    if isinstance(obj, Project):
        if verb == REPORT:
            return projects_for(user).filter(pk=obj.pk).exists()
        if verb == EDIT_PROFILE:
            return is_secretariat(user) or projects_for(user, coordinating=True).filter(pk=obj.pk).exists()
        raise ValueError(f"unknown verb for an initiative: {verb}")

    update = obj
    if verb in (EDIT, SUBMIT):
        return update.organisation_id in organisation_ids(user) and update.is_editable
    if verb in (RETURN, APPROVE):
        # Nobody reviews their own update, not even the Secretariat.
        return is_secretariat(user) and update.status == UpdateStatus.SUBMITTED and update.author_id != user.pk
    if verb == WITHDRAW_APPROVAL:
        return is_secretariat(user) and update.status == UpdateStatus.APPROVED
    raise ValueError(f"unknown verb for a progress update: {verb}")


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
