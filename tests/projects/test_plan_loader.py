"""The plan as loaded by ``load_action_plan``: counts, idempotence, and faithfulness to the seed."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import ActionContribution, Indicator, Milestone, OrganisationRole, Project
from stakeholders.models import Country, Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


def normalise(text: str) -> str:
    """Undo the PDF's line wrapping the same way on both sides."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(\w)- (?=\w)", r"\1-", text)  # a word split at its hyphen
    text = re.sub(r"(^| )- ", r"\1-", text)  # list bullets
    return text.strip()


def seed_pieces(text: str, seed: str) -> tuple[list[str], list[str]]:
    """Split ``text`` into the fewest contiguous runs of words found in ``seed``; also return words not found."""
    words = normalise(text).split(" ")
    pieces, missing, i = [], [], 0
    while i < len(words):
        j = i + 1
        if words[i] not in seed:
            missing.append(words[i])
            i += 1
            continue
        while j <= len(words) and " ".join(words[i:j]) in seed:
            j += 1
        pieces.append(" ".join(words[i : j - 1]))
        i = j - 1
    return pieces, missing


def test_counts_of_the_plan(loaded_plan):
    assert StrategicObjective.objects.count() == 4
    assert Subgoal.objects.count() == 10
    assert list(StrategicObjective.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert [o.subgoals.count() for o in StrategicObjective.objects.all()] == [2, 2, 4, 2]
    assert list(Action.objects.values_list("number", flat=True)) == list(range(1, 18))
    # Every action serves at least one subgoal, and every subgoal is served.
    assert not Action.objects.filter(subgoals=None).exists()
    assert not Subgoal.objects.filter(actions=None).exists()
    assert Project.objects.count() == 50
    assert ActionContribution.objects.count() == 52
    # Every action has at least one initiative row.
    assert set(ActionContribution.objects.values_list("action__number", flat=True)) == set(range(1, 18))
    # Every initiative has at least one lead.
    assert not Project.objects.exclude(participations__role=OrganisationRole.LEAD).exists()
    assert Project.objects.filter(is_new=True).count() >= 15


def test_countries_and_partners(loaded_plan):
    assert Country.objects.filter(is_asem_partner=True).count() == 51
    assert Country.objects.filter(region="asia").count() == 21
    assert Country.objects.filter(region="europe").count() == 30
    assert Country.objects.get(iso_code="NO").name == "Norway"
    assert (
        Organisation.objects.filter(kind=OrganisationKind.PARTNER_GOVERNMENT, slug__startswith="ministry-").count()
        == 51
    )
    institutional = set(
        Organisation.objects.filter(kind=OrganisationKind.INSTITUTIONAL_PARTNER, parent=None).values_list(
            "slug", flat=True
        )
    )
    assert {"european-union", "asean-secretariat"} <= institutional
    # The stakeholders of section 3.2 and the footnote, and the wider ecosystem of section 6.
    for acronym in [
        "ASEF", "AEI", "ADB", "AUN", "EURASHE", "CEDEFOP", "DAAD", "EEAS", "ENQA", "EQAR", "ESN", "ESU",
        "EU-SHARE", "ETF", "EUA", "IAU", "IAL", "SEAMEO RIHED", "TH Aschaffenburg", "UNESCO", "UNESCO UIL",
        "UNESCO UNEVOC", "ASEM-DUO", "ASEM LLL Hub", "AES", "BFUG", "APEC", "OECD", "GDN", "ENIC-NARIC",
    ]:  # fmt: skip
        assert Organisation.objects.filter(acronym=acronym).exists(), acronym
    assert Organisation.objects.get(acronym="UNESCO UIL").parent.acronym == "UNESCO"
    assert Organisation.objects.get(acronym="OECD").kind == OrganisationKind.WIDER_ECOSYSTEM


def test_one_initiative_with_one_row_per_action(loaded_plan):
    duo = Project.objects.get(slug="asem-duo-fellowship-programme")
    assert sorted(duo.rows.values_list("action__number", flat=True)) == [1, 4]
    assert list(duo.participations.filter(role="lead").values_list("organisation__slug", flat=True)) == [
        "asem-duo-secretariat"
    ]
    asef = Project.objects.get(slug="asef-education-programmes")
    assert sorted(asef.rows.values_list("action__number", flat=True)) == [1, 9]
    # ASEF's own programmes name no lead in brackets: the implied lead is ASEF, and the reason is recorded.
    assert list(asef.participations.filter(role="lead").values_list("organisation__slug", flat=True)) == ["asef"]
    assert asef.lead_note


def test_verbatim_samples(loaded_plan, seed_text):
    duo = ActionContribution.objects.get(project__slug="asem-duo-fellowship-programme", action__number=1)
    assert duo.activities.startswith("Support the exchange of more than 100 pairs of students/professors per year")
    assert "More than 300 pairs of students and professors are exchanged every year." in duo.expected_outcomes
    assert Action.objects.get(number=1).description == (
        "Further develop, promote and support connectivity, mobility and exchanges between Europe and Asia"
    )
    seed = normalise(seed_text)
    for objective in StrategicObjective.objects.all():
        assert normalise(objective.title) in seed
    for subgoal in Subgoal.objects.all():
        assert normalise(subgoal.text) in seed, subgoal.code
    gender = Project.objects.get(is_new=True, title__startswith="Project on Strengthening Leadership with Gender")
    assert set(gender.participations.values_list("organisation__slug", flat=True)) >= {
        "seameo-rihed",
        "british-council",
    }


def test_every_action_description_is_verbatim(loaded_plan, seed_text):
    seed = normalise(seed_text)
    for action in Action.objects.all():
        pieces, missing = seed_pieces(action.description, seed)
        # Descriptions sit in the first column; a page break or a word the PDF
        # split without a hyphen ("recommendation/s", action 10) may cut one.
        assert len(pieces) <= 3 and not missing, (action.number, pieces, missing)


def test_every_row_text_is_verbatim(loaded_plan, seed_text):
    """Each row's texts are made of at most three runs of the seed's own words.

    A row's cell can be cut by a page break (and the next columns' text), so a
    verbatim text is one, two or three contiguous runs of the seed; a paraphrase
    or a typo breaks it into many. Only URL fragments the PDF split inside a word
    may be missing.
    """
    seed = normalise(seed_text)
    for row in ActionContribution.objects.select_related("project", "action"):
        for text in (row.activities, row.expected_outcomes):
            assert text, (row.project.slug, row.action.number)
            pieces, missing = seed_pieces(text, seed)
            assert len(pieces) <= 3, (row.project.slug, row.action.number, pieces)
            assert all("." in word for word in missing) and len(missing) <= 2, (row.project.slug, missing)


def test_dated_facts_and_quantified_outcomes(loaded_plan):
    summer = Milestone.objects.get(project__slug="aei-asem-summer-school", title__contains="5th")
    assert (summer.planned_start.isoformat(), summer.planned_end.isoformat()) == ("2020-09-14", "2020-09-18")
    assert summer.status == "achieved"
    assert "256" in summer.note + summer.title
    duo = Indicator.objects.get(project__slug="asem-duo-fellowship-programme")
    assert (duo.baseline, duo.target, duo.target_comparator, duo.target_year) == (
        Decimal("100.00"),
        Decimal("300.00"),
        "gt",
        2030,
    )


def test_loader_is_idempotent(loaded_plan):
    from projects.models import Project as P

    history_before = P.history.count() + Milestone.history.count() + Organisation.history.count()
    out = StringIO()
    versions = dict(P.objects.values_list("slug", "version"))
    call_command("load_action_plan", stdout=out)
    assert out.getvalue().strip() == "The plan is up to date: nothing changed."
    assert P.history.count() + Milestone.history.count() + Organisation.history.count() == history_before
    assert Project.objects.count() == 50
    assert dict(P.objects.values_list("slug", "version")) == versions  # no profile form opened since conflicts


def test_loader_restores_an_edited_text_and_records_it(loaded_plan):
    row = ActionContribution.objects.get(project__slug="asem-duo-fellowship-programme", action__number=4)
    original = row.activities
    row.activities = "Tampered"
    row.save()
    out = StringIO()
    call_command("load_action_plan", stdout=out)
    row.refresh_from_db()
    assert row.activities == original
    assert "rows of the plan: 0 created, 1 updated" in out.getvalue()
    # The loader changed this initiative: a profile form opened before conflicts; the others' versions stay.
    assert dict(Project.objects.filter(version__gt=1).values_list("slug", "version")) == {
        "asem-duo-fellowship-programme": 2
    }


def test_dry_run_saves_nothing(db):
    out = StringIO()
    call_command("load_action_plan", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing saved.")
    assert Project.objects.count() == 0


def test_inconsistent_data_is_a_clear_error(db, tmp_path):
    (tmp_path / "objectives.yaml").write_text("objectives: []\n")
    (tmp_path / "initiatives.yaml").write_text(
        "initiatives:\n  - {slug: x, title: X, leads: [nobody], rows: []}\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="unknown organisation 'nobody'"):
        call_command("load_action_plan", "--path", str(tmp_path))
    assert Project.objects.count() == 0  # nothing half-loaded


def test_secretariat_group_is_created(loaded_plan):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Secretariat")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_project", "change_milestone", "view_organisation", "change_action"} <= codenames
    assert "add_user" not in codenames
