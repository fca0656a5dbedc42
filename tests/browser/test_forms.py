"""Forms people fill in right the first time (issue 23), in a real browser at 1366 px and 390 px wide.

Every form of the site is drawn by one field template (``templates/forms/field.html``): each label sits directly
above its field (measured: the label's box above the field's box, overlapping it horizontally, no other field in
between), a checkbox left of its label. After a failed submit the error summary has the focus and links to each
invalid field. The progress-update form can be filled and submitted with the keyboard alone. axe-core finds no
serious or critical violation. Starting a second update for a period leads to the first one.

With ``FORMS_SCREENSHOTS=<directory>`` the tests also save a full-page screenshot of each state, to look at.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from monitoring import update_services as services
from monitoring.models import (
    Meeting,
    MeetingKind,
    ProgressUpdate,
    ReportingCycle,
    UpdateStatus,
    WorkPlanItem,
)
from tests.conftest import content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2030"  # the personas' (tests/factories.py UserFactory)
WIDTHS = {"wide": 1366, "narrow": 390}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# Each visible field of the page's forms: its label's box, its control's box, the other controls between them.
FIELDS_JS = """(scope) => {
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const controlOf = field => field.querySelector("input:not([type=hidden]), select, textarea");
  const controls = [...document.querySelectorAll(scope + " .field")].filter(shown).map(controlOf).filter(Boolean);
  return [...document.querySelectorAll(scope + " .field")].filter(shown).map(field => {
    const label = field.querySelector(".field-label");
    const control = controlOf(field);
    const l = label.getBoundingClientRect(), c = control.getBoundingClientRect();
    const between = controls.filter(other => other !== control).filter(other => {
      const o = other.getBoundingClientRect();
      return o.top >= l.bottom - 1 && o.bottom <= c.top + 1 && o.left < Math.max(l.right, c.right)
        && o.right > Math.min(l.left, c.left);
    }).map(other => other.name);
    return {name: control.name, type: control.type, text: label.textContent.trim(),
            label: [l.left, l.top, l.right, l.bottom], control: [c.left, c.top, c.right, c.bottom], between};
  });
}"""


def shoot(page, name: str) -> None:
    directory = os.environ.get("FORMS_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{directory}/{name}.png", full_page=True)


def assert_one_column(page, scope: str = "main form") -> int:
    """Each label directly above its field (a checkbox: left of its label), nothing running off the screen."""
    fields = page.evaluate(FIELDS_JS, scope)
    assert fields, f"no field in {scope}"
    for f in fields:
        (ll, lt, lr, lb), (cl, ct, cr, cb) = f["label"], f["control"]
        where = f"{f['name']} ({f['text']!r})"
        if f["type"] == "checkbox":
            assert ll >= cr - 1 and lt < cb and ct < lb, f"{where}: the checkbox is not left of its label"
        else:
            assert lb <= ct + 1, f"{where}: the label is not above its field"
            assert ll < cr and cl < lr, f"{where}: the label and its field do not overlap horizontally"
            assert ct - lb < 250, f"{where}: the field is far below its label"
        assert f["between"] == [], f"{where}: other fields between the label and its field: {f['between']}"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    return len(fields)


def assert_accessible(page, name: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"


def assert_summary_has_focus_and_links_each_invalid_field(page) -> list[str]:
    """The error summary has the focus; each of its links leads to an invalid field (or a fieldset) that names
    the same message by its field; every invalid field is linked."""
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')"), "the summary has no focus"
    links = summary.locator("a")
    targets = []
    for index in range(links.count()):
        link = links.nth(index)
        target_id = link.get_attribute("href").removeprefix("#")
        target = page.locator(f"[id='{target_id}']")
        expect(target).to_have_count(1)
        if target.evaluate("el => el.matches('input, select, textarea')"):
            assert target.get_attribute("aria-invalid") == "true", target_id
            described = target.get_attribute("aria-describedby") or ""
            texts = " ".join(page.locator(f"[id='{ref}']").inner_text() for ref in described.split())
            assert link.inner_text().split(": ")[-1] in texts, (target_id, texts)
        targets.append(target_id)
    invalid = page.eval_on_selector_all("[aria-invalid=true]", "els => els.map(el => el.id)")
    assert set(invalid) <= set(targets), f"invalid fields not in the summary: {set(invalid) - set(targets)}"
    return targets


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def cycle(world) -> ReportingCycle:
    """An open cycle over 2026–2027, with one work-plan item for the world's initiative."""
    opening = Meeting.objects.create(kind=MeetingKind.ASEMME, number=10, year=2025)
    cycle = ReportingCycle.objects.create(
        number=3,
        opening_meeting=opening,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        submission_opens=datetime.date(2026, 1, 1),
        submission_closes=datetime.date(2027, 12, 31),
    )
    WorkPlanItem.objects.create(
        cycle=cycle, project=world.project, planned_activity="Alumni meeting in Seoul", expected_output="45 alumni"
    )
    return cycle


@pytest.mark.parametrize("width", WIDTHS)
def test_the_update_form_empty_and_with_errors(live_server, page, world, cycle, tmp_path, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    base = live_server.url
    log_in(page, base, "author")
    page.goto(base + reverse("updates:update-create", args=["duo-fellowship"]))
    expect(page.get_by_role("heading", name="New progress update", level=1)).to_be_visible()
    assert assert_one_column(page) >= 12
    # Optional fields say so; required ones do not.
    expect(page.get_by_text("Achievements (optional)", exact=True)).to_be_visible()
    expect(page.get_by_text("Start of the period", exact=True)).to_be_visible()
    assert_accessible(page, f"update form, empty, {width}")
    shoot(page, f"update-form-empty-{width}")

    # Wrong on purpose: a period end before the cycle's, a delayed milestone without its new date, a negative
    # count dated after the period, and a file chosen (which a browser cannot keep).
    page.get_by_label("End of the period").fill("2026-06-30")
    page.get_by_label("Achievements").fill("110 pairs exchanged.")
    page.get_by_label("Outcome").select_option("delayed")
    page.get_by_label("Value (participants)").fill("-5")
    page.get_by_label("As of").fill("2026-07-15")
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Evidence file 1").set_input_files(str(evidence))
    page.get_by_role("button", name="Save draft").click()

    expect(page).to_have_title(re.compile("^Error: "))
    targets = assert_summary_has_focus_and_links_each_invalid_field(page)
    assert {"id_milestones-0-new_date", "id_indicators-0-value", "id_indicators-0-as_of", "id_file_1"} <= set(targets)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Give the new date of a delayed milestone.")
    expect(summary).to_contain_text("A value cannot be negative.")
    expect(summary).to_contain_text(
        "Give a date within the update's period, 1 January 2026 – 30 June 2026: this value belongs to another one."
    )
    expect(summary).to_contain_text("Choose the file again: minutes.pdf")
    # What the person typed is kept, and each error stands by its field.
    expect(page.get_by_label("Achievements")).to_have_value("110 pairs exchanged.")
    expect(page.get_by_label("As of")).to_have_value("2026-07-15")
    expect(page.locator("#id_indicators-0-as_of_error")).to_contain_text("within the update's period")
    assert assert_one_column(page) >= 12
    assert_accessible(page, f"update form, with errors, {width}")
    shoot(page, f"update-form-errors-{width}")

    # A link of the summary takes the focus to its field.
    summary.get_by_role("link", name=re.compile("A value cannot be negative")).click()
    assert page.evaluate("document.activeElement.id") == "id_indicators-0-value"
    assert not ProgressUpdate.objects.exists()


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector`` (the keyboard's own path through the page)."""
    for _ in range(limit):
        if page.evaluate("sel => document.activeElement.matches(sel)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_a_person_fills_and_submits_the_update(live_server, page, world, cycle):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, "author")
    page.goto(live_server.url + reverse("updates:update-create", args=["duo-fellowship"]))
    tab_to(page, "[name=period_end]")
    page.keyboard.type("06302026")  # the date picker's own fields, month / day / year
    tab_to(page, "[name=achievements]")
    page.keyboard.type("110 pairs exchanged; 45 alumni met in Seoul.")
    tab_to(page, "[name=initiative_status]")
    page.keyboard.press("Space")  # the first status, "Planned"
    tab_to(page, "[name='workplan-0-status']")
    page.keyboard.type("Done")  # a closed select picks the option typed
    tab_to(page, "[name='milestones-0-outcome']")
    page.keyboard.type("Achieved")
    tab_to(page, "[name='milestones-0-achieved_on']")
    page.keyboard.type("05022026")
    tab_to(page, "[name='indicators-0-value']")
    page.keyboard.type("110")
    tab_to(page, "[name='indicators-0-as_of']")
    page.keyboard.type("06302026")
    tab_to(page, "button[name=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()

    update = ProgressUpdate.objects.get()
    assert (update.status, update.initiative_status) == (UpdateStatus.SUBMITTED, "planned")
    assert (update.period_start, update.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert update.milestone_reports.get().achieved_on == datetime.date(2026, 5, 2)
    assert update.indicator_values.get().as_of == datetime.date(2026, 6, 30)
    assert update.work_plan_reports.get().done


def test_a_second_update_for_the_period_leads_to_the_first(live_server, page, world, cycle):
    first = services.create_update(
        project=world.project,
        organisation=world.lead,
        author=world.colleague,
        content=content(period_start=cycle.period_start, period_end=cycle.period_end),
    )
    log_in(page, live_server.url, "author")
    page.get_by_role("link", name="Write an update").first.click()
    expect(page).to_have_url(re.compile(reverse("updates:update-edit", args=[first.pk]) + "$"))
    expect(
        page.get_by_text("already has an update on this initiative for 1 January 2026 – 31 December 2027")
    ).to_be_visible()
    expect(page.get_by_label("Achievements")).to_have_value("120 pairs exchanged.")
    assert ProgressUpdate.objects.count() == 1


def test_preview_saves_the_draft_with_its_file_and_shows_the_whole_update(live_server, page, world, cycle, tmp_path):
    log_in(page, live_server.url, "author")
    page.goto(live_server.url + reverse("updates:update-create", args=["duo-fellowship"]))
    page.get_by_label("Achievements").fill("110 pairs exchanged.")
    page.get_by_label("Done?").select_option("done")
    page.get_by_label("Outcome").select_option("achieved")
    page.get_by_label("Date achieved").fill("2026-05-02")
    page.get_by_label("Value (participants)").fill("110")
    page.get_by_label("As of").fill("2026-06-30")
    page.get_by_label("Evidence links").fill("Report | https://example.org/report.pdf")
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Evidence file 1").set_input_files(str(evidence))
    page.get_by_role("button", name="Save and preview").click()

    preview = page.locator("#preview")
    expect(preview).to_contain_text("110 pairs exchanged.")
    expect(preview).to_contain_text("Alumni meeting in Seoul: done")
    expect(preview).to_contain_text("Alumni meeting: Achieved (achieved on 2 May 2026)")
    expect(preview).to_contain_text("110 participants (as of 30 June 2026); target: at least 300 by 2030")
    expect(preview.get_by_role("link", name="Report")).to_be_visible()
    expect(preview.get_by_role("link", name="minutes.pdf")).to_be_visible()
    update = ProgressUpdate.objects.get()
    assert update.status == UpdateStatus.DRAFT and update.evidence.exclude(file="").count() == 1
    assert_accessible(page, "update form with its preview")
    shoot(page, "update-form-preview-wide")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_profile_form_empty_and_with_errors(live_server, page, world, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    log_in(page, live_server.url, "coordinator")
    page.get_by_role("link", name="Edit the initiative's profile").click()
    expect(page.get_by_role("heading", name="Edit the initiative's profile", level=1)).to_be_visible()
    assert assert_one_column(page) >= 15
    expect(page.get_by_label("Delete this milestone")).to_be_visible()
    assert_accessible(page, f"profile form, empty, {width}")
    shoot(page, f"profile-form-empty-{width}")

    page.locator("#id_milestones-0-title").fill("")
    page.locator("#id_indicators-0-target_year").fill("-1")
    page.locator("#id_links-0-url").fill("not an address")
    page.get_by_role("button", name="Save the profile").click()

    targets = assert_summary_has_focus_and_links_each_invalid_field(page)
    assert {"id_milestones-0-title", "id_indicators-0-target_year", "id_links-0-url"} <= set(targets)
    expect(page.locator("[data-error-summary]")).to_contain_text("Alumni meeting, Title: This field is required.")
    assert assert_one_column(page) >= 15
    assert_accessible(page, f"profile form, with errors, {width}")
    shoot(page, f"profile-form-errors-{width}")


# --- Every other form of the site: the same layout ---------------------------------------------------------------


def other_forms(world, cycle) -> dict[str, tuple[str | None, str]]:
    """Each form's page: who opens it (None: nobody signed in) and its address."""
    submitted = services.submit_update(
        update=services.create_update(
            project=world.project, organisation=world.lead, author=world.author, content=content()
        ),
        user=world.author,
    )
    approved = services.create_update(
        project=world.project,
        organisation=world.lead,
        author=world.author,
        content=content(period_start=datetime.date(2026, 7, 1), period_end=datetime.date(2026, 12, 31)),
    )
    services.submit_update(update=approved, user=world.author)
    services.approve_update(update=approved, reviewer=world.secretariat)
    uid = urlsafe_base64_encode(force_bytes(world.author.pk))
    token = default_token_generator.make_token(world.author)
    return {
        "login": (None, reverse("accounts:login")),
        "password-reset": (None, reverse("accounts:password-reset")),
        "password-reset-confirm": (None, reverse("accounts:password-reset-confirm", args=[uid, token])),
        "password-change": ("author", reverse("accounts:password-change")),
        "invite": ("secretariat", reverse("accounts:invite")),
        "two-factor": ("secretariat", reverse("accounts:two-factor")),
        "return": ("secretariat", reverse("updates:update-return", args=[submitted.pk])),
        "withdraw": ("secretariat", reverse("updates:update-withdraw", args=[approved.pk])),
        "publish": ("secretariat", reverse("reports:report-publish", args=[cycle.number])),
        "import-work-plan": ("secretariat", reverse("admin:monitoring_reportingcycle_import", args=[cycle.pk])),
        "directory": (None, reverse("initiatives:project-list")),
        "documents": (None, reverse("documents:document-list")),
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_other_form_has_the_same_layout(live_server, page, world, cycle, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    signed_in = None
    for name, (persona, url) in other_forms(world, cycle).items():
        if persona != signed_in:
            page.context.clear_cookies()
            if persona:
                log_in(page, live_server.url, persona)
            signed_in = persona
        if name == "two-factor":  # the set-up step shows the code's form
            page.goto(live_server.url + url)
            page.get_by_role("button", name="Set up two-factor sign-in").click()
        else:
            page.goto(live_server.url + url)
        scope = "#content-main form" if name == "import-work-plan" else "main form:not(.inline-form)"
        assert_one_column(page, scope)
        if name != "import-work-plan":  # the admin's own pages are issue 22's
            assert_accessible(page, f"{name}, {width}")
        shoot(page, f"form-{name}-{width}")


def test_a_simple_form_after_an_error_focuses_its_summary(live_server, page, world):
    """The same summary through ``{{ form }}``: the sign-in form with a wrong password."""
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("author")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("There is a problem")
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    link = summary.get_by_role("link")
    expect(link).to_have_attribute("href", "#id_username")
    assert_one_column(page)
    shoot(page, "form-login-errors-wide")
