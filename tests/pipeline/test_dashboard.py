"""The managers' dashboard, its CSV exports and the kanban board. The figures are checked on
small hand-built pipelines; this module runs on both PostgreSQL (percentiles in SQL) and SQLite
(percentiles in Python), so both paths must agree with the hand-computed numbers."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.models import FundingRecord, Startup
from pipeline.models import TransitionLog
from pipeline.selectors.dashboard import DashboardFilters, manager_dashboard
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, 12, tzinfo=timezone.get_fixed_timezone(180))


def moved(startup, source, target, entered, days, transition="accelerate"):
    TransitionLog.objects.create(
        machine="startup",
        startup=startup,
        transition=transition,
        source=source,
        target=target,
        source_entered_at=entered,
        created_at=entered + timedelta(days=days),
    )


@pytest.fixture
def pipeline_data():
    """Four startups went through incubation in 10, 20, 30 and 40 days (median 25, p90 37);
    one more is still in incubation and one left it for exited."""
    area = factories.TherapeuticAreaFactory(name="Oncology")
    call = factories.CallFactory(title="Cohort A")
    startups = []
    for n, days in enumerate([10, 20, 30, 40]):
        startup = factories.StartupFactory(
            name=f"Moved {n}",
            stage="acceleration",
            therapeutic_area=area,
            admitted_call=call,
            admitted_at=T0 - timedelta(days=50),
        )
        factories.ApplicationFactory(startup=startup, call=call, status="accepted")
        moved(startup, "application", "incubation", T0 - timedelta(days=100), 50, transition="admit")
        moved(startup, "incubation", "acceleration", T0, days)
        startups.append(startup)
    staying = factories.StartupFactory(name="Staying", stage="incubation")
    moved(staying, "application", "incubation", T0, 5, transition="admit")
    dropped = factories.StartupFactory(name="Dropped", stage="exited")
    moved(dropped, "application", "incubation", T0, 5, transition="admit")
    moved(dropped, "incubation", "exited", T0 + timedelta(days=5), 3, transition="exit")
    factories.StartupFactory(name="Applying", stage="application")
    return {"call": call, "area": area, "startups": startups}


def test_conversion_and_time_in_stage(pipeline_data):
    data = manager_dashboard(DashboardFilters())

    assert data.stage_counts["acceleration"] == 4
    assert data.total == 7
    rows = {row["source"]: row for row in data.conversion}
    assert (rows["application"]["reached"], rows["application"]["moved"]) == (7, 6)
    # Incubation was reached by the four that moved on, the one still there and the one dropped.
    assert (rows["incubation"]["reached"], rows["incubation"]["moved"]) == (6, 4)
    assert rows["incubation"]["rate"] == pytest.approx(4 / 6)
    times = {row.stage: row for row in data.stage_times}
    assert times["incubation"].moved_on == 4
    assert times["incubation"].median_days == pytest.approx(25.0)
    assert times["incubation"].p90_days == pytest.approx(37.0)
    assert times["application"].median_days == pytest.approx(50.0)
    assert times["funding"].median_days is None


def test_filters_narrow_every_panel(pipeline_data):
    other_area = factories.TherapeuticAreaFactory(name="Cardiology")
    org = factories.OrganisationFactory(short_name="MIPT")
    cardio = factories.StartupFactory(name="Cardio", stage="incubation", therapeutic_area=other_area)
    cardio.affiliations.add(org)

    by_call = manager_dashboard(DashboardFilters(call_id=pipeline_data["call"].pk))
    assert by_call.total == 4
    assert [row["title"] for row in by_call.applications_by_call] == ["Cohort A"]
    assert manager_dashboard(DashboardFilters(area_id=other_area.pk)).total == 1
    assert manager_dashboard(DashboardFilters(organisation_id=org.pk)).stage_counts["incubation"] == 1
    future = timezone.localdate() + timedelta(days=1)
    assert manager_dashboard(DashboardFilters(date_from=future)).total == 0


def test_dates_the_wrong_way_round_are_swapped_and_said_so(client, manager, pipeline_data):
    client.force_login(manager)
    today = timezone.localdate()
    earlier = today - timedelta(days=30)

    swapped = client.get(reverse("manager-home"), {"from": today.isoformat(), "to": earlier.isoformat()})
    straight = client.get(reverse("manager-home"), {"from": earlier.isoformat(), "to": today.isoformat()})

    assert swapped.context["data"].filters == straight.context["data"].filters
    assert swapped.context["data"].total == straight.context["data"].total > 0
    assert "“From” was later than “To”; the dates are swapped." in swapped.content.decode()
    assert "swapped" not in straight.content.decode()


def test_a_malformed_date_is_said_to_be_ignored(client, manager, pipeline_data):
    client.force_login(manager)

    response = client.get(reverse("manager-home"), {"from": "2026-13-01"})

    assert response.context["data"].filters.date_from is None
    assert "“From” is not a date (2026-13-01), so it is not applied." in response.content.decode()


def test_reviewer_progress_scores_funding_and_attention(pipeline_data, manager):
    call = pipeline_data["call"]
    reviewer = factories.MentorFactory(full_name="Olga Reviewer")
    done = factories.ReviewAssignmentFactory(application__call=call, reviewer=reviewer)
    factories.ReviewFactory(assignment=done, weighted_score=Decimal("7.5"))
    factories.ReviewAssignmentFactory(
        application__call=call, reviewer=reviewer, due_at=timezone.now() - timedelta(days=1)
    )
    factories.ReviewAssignmentFactory(
        application__call=call, reviewer=reviewer, due_at=timezone.now() + timedelta(days=3)
    )
    # Past due, but the application was decided meanwhile: neither open nor overdue any more.
    factories.ReviewAssignmentFactory(
        application__call=call,
        application__status="rejected",
        reviewer=reviewer,
        due_at=timezone.now() - timedelta(days=1),
    )
    startup = pipeline_data["startups"][0]
    FundingRecord.objects.create(
        startup=startup,
        kind="grant",
        date=date(2025, 1, 1),
        amount=100,
        currency="RUB",
        investor_name="Early",
    )
    FundingRecord.objects.create(
        startup=startup,
        kind="equity",
        date=date(2026, 6, 1),
        amount=900,
        currency="RUB",
        investor_name="Fund",
    )
    FundingRecord.objects.create(
        startup=startup, kind="equity", date=date(2026, 6, 1), amount=50, currency="USD", investor_name="Fund"
    )
    stalled = factories.StartupFactory(name="Stuck", stage="incubation")
    Startup.objects.filter(pk=stalled.pk).update(stage_entered_at=timezone.now() - timedelta(days=400))

    data = manager_dashboard(DashboardFilters())

    assert data.reviewer_progress == [
        {"reviewer": "Olga Reviewer", "assigned": 4, "done": 1, "open": 2, "overdue": 1}
    ]
    [scores] = [row for row in data.score_distribution if row["title"] == "Cohort A"]
    assert scores["bins"][7] == 1
    assert sum(scores["bins"]) == 1
    funding = {(row["cohort"], row["currency"]): (row["total"], row["follow_on"]) for row in data.funding}
    # Admitted 50 days before T0 minus 100 days: the 2025 grant came before, the 2026 rounds after.
    assert funding == {
        ("Cohort A", "RUB"): (Decimal("1000"), Decimal("900")),
        ("Cohort A", "USD"): (Decimal("50"), Decimal("50")),
    }
    assert "Stuck" in [row["name"] for row in data.stalled]


def test_dashboard_page_renders_charts_and_tables(client, manager, pipeline_data):
    client.force_login(manager)
    response = client.get(reverse("manager-home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-funnel"' in body
    assert 'id="dashboard-data"' in body
    assert "Conversion and time in stage" in body
    assert "/static/vendor/chart.umd.min.js" in body
    assert "Moved on" in body


def test_dashboard_is_for_managers_only(client, founder, mentor):
    for user in (founder, mentor):
        client.force_login(user)
        assert client.get(reverse("manager-home")).status_code == 403
        assert client.get(reverse("dashboard-export")).status_code == 403
        assert client.get(reverse("manager-board")).status_code == 403
        assert (
            client.post(reverse("manager-board-move"), {"startup": 1, "transition": "accelerate"}).status_code
            == 403
        )


def _bulk_pipeline(n):
    area = factories.TherapeuticAreaFactory()
    call = factories.CallFactory()
    startups = Startup.objects.bulk_create(
        Startup(
            name=f"Bulk {i}",
            slug=f"bulk-{i}-{n}",
            stage=["application", "incubation", "acceleration"][i % 3],
            therapeutic_area=area,
        )
        for i in range(n)
    )
    for startup in startups[: n // 3]:
        factories.ApplicationFactory(startup=startup, call=call, status="submitted", pitch_deck=None)
    TransitionLog.objects.bulk_create(
        TransitionLog(
            machine="startup",
            startup=s,
            transition="admit",
            source="application",
            target="incubation",
            source_entered_at=T0,
            created_at=T0 + timedelta(days=i % 40),
        )
        for i, s in enumerate(startups)
        if s.stage != "application"
    )
    return call


@pytest.mark.parametrize("size", [30, 300])
def test_dashboard_query_count_is_the_same_at_30_and_300_startups(
    client, django_assert_num_queries, size, manager
):
    _bulk_pipeline(size)
    client.force_login(manager)
    with django_assert_num_queries(13):
        response = client.get(reverse("manager-home"))
    assert response.context["data"].total == size


def _csv(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_dashboard_export_streams_the_filtered_startups_with_cyrillic_intact(client, manager):
    area = factories.TherapeuticAreaFactory(name="Онкология")
    factories.StartupFactory(name="НейроРеген", therapeutic_area=area, stage="incubation")
    factories.StartupFactory(name="Other")
    client.force_login(manager)

    response = client.get(reverse("dashboard-export") + f"?area={area.pk}")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pipeline-')
    rows = _csv(response)
    assert rows[0][:3] == ["Startup", "Stage", "In stage since"]
    assert [row[0] for row in rows[1:]] == ["НейроРеген"]
    assert rows[1][3] == "Онкология"


def test_export_quotes_text_a_spreadsheet_would_run_as_a_formula(client, manager):
    factories.StartupFactory(name='=HYPERLINK("http://evil.example","Open")')
    factories.StartupFactory(name="-1+2")
    factories.StartupFactory(name="Plain Bio")
    factories.StartupFactory(name="-42")
    client.force_login(manager)

    names = sorted(row[0] for row in _csv(client.get(reverse("dashboard-export")))[1:])

    # A plain number is left as it is: a spreadsheet reads it as a number, not a formula.
    assert names == ["'-1+2", '\'=HYPERLINK("http://evil.example","Open")', "-42", "Plain Bio"]


def test_call_export_lists_applications_with_scores(client, manager):
    call = factories.CallFactory()
    application = factories.ApplicationFactory(call=call, status="in_review", startup__name="Кардио")
    for score in (6, 8):
        factories.ReviewFactory(assignment__application=application, weighted_score=score)
    client.force_login(manager)

    ranking = client.get(reverse("manage-ranking", args=[call.slug])).content.decode()
    assert f'href="{reverse("manage-call-export", args=[call.slug])}"' in ranking
    rows = _csv(client.get(reverse("manage-call-export", args=[call.slug])))

    assert rows[0][:2] == ["Rank", "Startup"]
    assert rows[1][1] == "Кардио"
    assert rows[1][4] == "2"
    assert rows[1][6] == "7.00"


def test_call_export_keeps_the_rankings_filters_and_order(client, manager):
    call = factories.CallFactory()
    factories.ApplicationFactory(call=call, status="accepted", startup__name="Beta")
    factories.ApplicationFactory(call=call, status="accepted", startup__name="Alpha")
    factories.ApplicationFactory(call=call, status="rejected", startup__name="Gamma")
    client.force_login(manager)

    query = "status=accepted&sort=name"
    ranking = client.get(f"{reverse('manage-ranking', args=[call.slug])}?{query}").content.decode()
    export = f"{reverse('manage-call-export', args=[call.slug])}?{query}"
    assert f'href="{export.replace("&", "&amp;")}"' in ranking
    assert [row[1] for row in _csv(client.get(export))[1:]] == ["Alpha", "Beta"]
    # A status the ranking does not know is said, not silently matched by nothing.
    unknown = client.get(f"{reverse('manage-ranking', args=[call.slug])}?status=zzz").content.decode()
    assert "There is no status “zzz” among the ranking’s, so all are shown." in unknown
    assert "Gamma" in unknown


@pytest.mark.parametrize("size", [30, 300])
def test_dashboard_export_memory_path_uses_fixed_queries(
    client, django_assert_max_num_queries, size, manager
):
    _bulk_pipeline(size)
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        rows = _csv(client.get(reverse("dashboard-export")))
    assert len(rows) == size + 1


# The kanban board


@pytest.fixture
def board_startups(founder):
    ready = factories.StartupFactory(name="Ready Bio", stage="incubation", founders=[founder])
    factories.MilestoneFactory(startup=ready, status="accepted")
    blocked = factories.StartupFactory(name="Blocked Bio", stage="incubation")
    return ready, blocked


def test_board_shows_a_column_per_stage_and_move_buttons(client, manager, board_startups):
    ready, _blocked = board_startups
    client.force_login(manager)
    body = client.get(reverse("manager-board")).content.decode()
    for stage in ("application", "incubation", "acceleration", "funding", "alumni"):
        assert f'data-stage="{stage}"' in body
    assert f'id="card-{ready.pk}"' in body
    assert 'value="accelerate"' in body
    assert "Move to acceleration" in body


def test_board_applies_only_the_filters_it_shows(client, manager, board_startups):
    ready, blocked = board_startups
    area = factories.TherapeuticAreaFactory()
    Startup.objects.filter(pk=ready.pk).update(therapeutic_area=area)
    client.force_login(manager)

    # Dates and an organisation from a dashboard link are not on the board's form: not applied.
    body = client.get(
        reverse("manager-board"), {"area": area.pk, "from": "2099-01-01", "to": "2099-12-31", "org": 1}
    ).content.decode()

    assert f'id="card-{ready.pk}"' in body
    assert f'id="card-{blocked.pk}"' not in body
    assert f'action="{reverse("manager-board-move")}?area={area.pk}"' in body

    response = client.post(
        reverse("manager-board-move") + f"?area={area.pk}&from=2099-01-01",
        {"startup": ready.pk, "transition": "accelerate", "expected_state": "incubation"},
    )
    assert response.url == reverse("manager-board") + f"?area={area.pk}"


def test_board_button_move_goes_through_the_service(client, manager, board_startups):
    ready, _blocked = board_startups
    client.force_login(manager)
    response = client.post(
        reverse("manager-board-move"),
        {"startup": ready.pk, "transition": "accelerate", "expected_state": "incubation"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="board"' in response.content.decode()
    assert Startup.objects.get(pk=ready.pk).stage == "acceleration"
    log = TransitionLog.objects.get(startup=ready)
    assert (log.transition, log.actor) == ("accelerate", manager)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_move_is_confirmed_once(client, manager, board_startups, htmx: bool):
    ready, _blocked = board_startups
    client.force_login(manager)
    move = {"startup": ready.pk, "transition": "accelerate", "expected_state": "incubation"}

    if htmx:
        body = client.post(reverse("manager-board-move"), move, HTTP_HX_REQUEST="true").content.decode()
    else:
        body = client.post(reverse("manager-board-move"), move, follow=True).content.decode()

    assert body.count(f"{ready.name}: the stage is now “Acceleration”.") == 1


def test_refused_move_shows_the_guard_and_leaves_the_card(client, manager, board_startups):
    _ready, blocked = board_startups
    client.force_login(manager)
    response = client.post(
        reverse("manager-board-move"),
        {"startup": blocked.pk, "target": "acceleration", "expected_state": "incubation"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "No incubation milestones have been set for Blocked Bio yet" in body
    assert Startup.objects.get(pk=blocked.pk).stage == "incubation"
    assert not TransitionLog.objects.exists()


def test_dropping_two_columns_ahead_is_refused(client, manager, board_startups):
    ready, _blocked = board_startups
    client.force_login(manager)
    response = client.post(
        reverse("manager-board-move"),
        {"startup": ready.pk, "target": "alumni", "expected_state": "incubation"},
        follow=True,
    )
    assert "cannot go from Incubation to Alumni on the board" in response.content.decode()
    assert Startup.objects.get(pk=ready.pk).stage == "incubation"


def test_a_card_in_a_final_stage_is_said_not_to_move(client, manager):
    alumnus = factories.StartupFactory(name="Grown Bio", stage="alumni")
    client.force_login(manager)
    response = client.post(
        reverse("manager-board-move"),
        {"startup": alumnus.pk, "target": "funding", "expected_state": "alumni"},
        follow=True,
    )
    page = response.content.decode()
    assert "Grown Bio is in a final stage (Alumni): it does not move any more." in page
    assert "override a gate" not in page
    assert Startup.objects.get(pk=alumnus.pk).stage == "alumni"


def test_dropping_an_applicant_on_incubation_points_to_the_decision(client, manager):
    applicant = factories.StartupFactory(name="Early Bio")
    client.force_login(manager)
    response = client.post(
        reverse("manager-board-move"),
        {"startup": applicant.pk, "target": "incubation", "expected_state": "application"},
        follow=True,
    )
    assert "Early Bio enters incubation when its application is accepted" in response.content.decode()
    assert Startup.objects.get(pk=applicant.pk).stage == "application"


@pytest.mark.parametrize("value", ["abc", "1" * 30, "-1", "١"])
def test_a_malformed_card_id_is_not_found(client, manager, value):
    client.force_login(manager)
    response = client.post(reverse("manager-board-move"), {"startup": value, "transition": "accelerate"})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["x", "9" * 40])
def test_malformed_dashboard_filters_mean_no_filter(client, manager, value):
    client.force_login(manager)
    assert client.get(reverse("manager-home"), {"call": value, "area": value}).status_code == 200


def test_stale_board_gets_a_conflict(client, manager, board_startups):
    ready, _blocked = board_startups
    client.force_login(manager)
    response = client.post(
        reverse("manager-board-move"),
        {"startup": ready.pk, "transition": "fund", "expected_state": "acceleration"},
        HTTP_HX_REQUEST="true",
    )
    assert "was changed by someone else meanwhile" in response.content.decode()


def _investment_review(startup, verdict, days_ago):
    from incubator.models import InvestmentReadinessReview

    return InvestmentReadinessReview.objects.create(
        startup=startup,
        verdict=verdict,
        summary="Looked at the data room.",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def gated_startups():
    """Startups before each gate, from nothing done to everything done."""
    half = factories.StartupFactory(name="Half Bio", stage="incubation")
    factories.MilestoneFactory(startup=half, status="accepted")
    factories.MilestoneFactory(startup=half)
    factories.MilestoneFactory(startup=half, stage="acceleration", status="accepted")  # not this stage's
    bare = factories.StartupFactory(name="Bare Bio", stage="incubation")
    done = factories.StartupFactory(name="Done Bio", stage="incubation")
    factories.MilestoneFactory(startup=done, status="accepted")
    ready = factories.StartupFactory(name="Ready Capital", stage="acceleration")
    factories.MilestoneFactory(startup=ready, stage="acceleration", status="accepted")
    _investment_review(ready, "not_ready", days_ago=30)
    _investment_review(ready, "ready", days_ago=2)
    cooled = factories.StartupFactory(name="Cooled Capital", stage="acceleration")
    factories.MilestoneFactory(startup=cooled, stage="acceleration", status="accepted")
    _investment_review(cooled, "ready", days_ago=30)
    _investment_review(cooled, "not_ready", days_ago=2)
    unreviewed = factories.StartupFactory(name="Unreviewed Capital", stage="acceleration")
    factories.MilestoneFactory(startup=unreviewed, stage="acceleration", status="accepted")
    return {s.name: s for s in (half, bare, done, ready, cooled, unreviewed)}


def _card(body: str, startup) -> str:
    match = re.search(rf'<article[^>]*id="card-{startup.pk}".*?</article>', body, re.S)
    assert match, startup.name
    return re.sub(r"\s+", " ", match.group(0))


def test_board_cards_show_how_far_each_startup_is_through_its_next_gate(client, manager, gated_startups):
    client.force_login(manager)
    body = client.get(reverse("manager-board")).content.decode()
    cards = {name: _card(body, startup) for name, startup in gated_startups.items()}

    assert "Milestones: 1 of 2 accepted" in cards["Half Bio"]
    assert "No milestones set yet" in cards["Bare Bio"]
    assert "Milestones: 1 of 1 accepted" in cards["Done Bio"]
    assert "Reviewed as ready for investors" in cards["Ready Capital"]
    assert "Reviewed as not ready for investors yet" in cards["Cooled Capital"]  # the latest review counts
    assert "No investment-readiness review yet" in cards["Unreviewed Capital"]
    met = {name for name, card in cards.items() if "Gate met" in card}
    assert met == {"Done Bio", "Ready Capital"}


def test_a_cards_gate_progress_agrees_with_the_moves_guards(client, manager, gated_startups):
    from pipeline.services import transition_options

    client.force_login(manager)
    body = client.get(reverse("manager-board")).content.decode()
    for startup in gated_startups.values():
        startup = Startup.objects.get(pk=startup.pk)
        forward = [o for o in transition_options(startup, manager) if o.name in ("accelerate", "fund")]
        assert len(forward) == 1, startup.name
        assert ("Gate met" in _card(body, startup)) == (not forward[0].is_blocked), startup.name


@pytest.mark.parametrize("size", [30, 300])
def test_board_query_count_is_fixed(client, django_assert_num_queries, size, manager):
    _bulk_pipeline(size)
    client.force_login(manager)
    with django_assert_num_queries(9):
        client.get(reverse("manager-board"))


def test_mentor_home_shows_recent_notifications(client, mentor):
    from notifications.models import Notification

    Notification.objects.create(
        recipient=mentor,
        kind="review_assigned",
        dedup_key="x",
        context={"startup": "NeuroRegen", "call": "Autumn"},
    )
    client.force_login(mentor)
    body = client.get(reverse("mentor-home")).content.decode()
    assert "Recent notifications" in body
    assert "NeuroRegen" in body


def test_founder_to_do_has_milestones_and_overdue_reports(client, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    Startup.objects.filter(pk=startup.pk).update(admitted_at=timezone.now() - timedelta(days=90))
    factories.MilestoneFactory(
        startup=startup, title="GLP toxicology", status="in_progress", decided_at=timezone.now()
    )
    client.force_login(founder)
    body = client.get(reverse("founder-home")).content.decode()
    assert "Answer the mentor on “GLP toxicology”" in body
    assert "Send the monthly report of" in body


def test_founder_to_do_leaves_out_milestones_of_a_stage_the_startup_has_left(client, founder):
    startup = factories.StartupFactory(stage="acceleration", founders=[founder])
    today = timezone.localdate()
    factories.MilestoneFactory(startup=startup, stage="incubation", title="Skipped", due_on=today)
    factories.MilestoneFactory(startup=startup, stage="acceleration", title="Pilot", due_on=today)
    client.force_login(founder)

    body = client.get(reverse("founder-home")).content.decode()

    assert "“Pilot”" in body
    assert "“Skipped”" not in body
    # In funding, acceleration milestones are still the team's to reach.
    Startup.objects.filter(pk=startup.pk).update(stage="funding")
    body = client.get(reverse("founder-home")).content.decode()
    assert "“Pilot”" in body
    assert "“Skipped”" not in body


def test_a_month_inside_a_sentence_reads_as_running_text_in_russian(client, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    Startup.objects.filter(pk=startup.pk).update(admitted_at=timezone.now() - timedelta(days=90))
    client.force_login(founder)
    client.cookies["django_language"] = "ru"

    body = client.get(reverse("founder-home")).content.decode()

    months = "январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
    assert re.search(rf"отчёт стартапа {startup.name} за ({months}) \d{{4}}\.<", body)
    assert "г.." not in body


def test_founder_to_do_marks_what_is_overdue_and_what_is_due_soon(client, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    today = timezone.localdate()
    for title, due in [
        ("Late", today - timedelta(days=1)),
        ("Today", today),
        ("Near", today + timedelta(days=2)),
        ("Far", today + timedelta(days=30)),
    ]:
        factories.MilestoneFactory(startup=startup, title=title, status="in_progress", due_on=due)
    client.force_login(founder)

    body = client.get(reverse("founder-home")).content.decode()

    def item(title):
        start = body.index(f"“{title}”")
        return body[start : body.index("</li>", start)]

    assert "overdue" in item("Late")
    assert "due soon" in item("Today")
    assert "overdue" not in item("Today")
    assert "due soon" in item("Near")
    assert "due soon" not in item("Far")
    assert "overdue" not in item("Far")


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(8.125, 2, "8.13"), (8.124, 2, "8.12"), (-0.0005, 3, "-0.001"), (2.0, 2, "2.00"), (None, 2, "")],
)
def test_exported_figures_round_as_the_pages_do(value, places, text):
    from pipeline.views.dashboard import fixed

    assert fixed(value, places) == text


def test_every_managers_address_refuses_founders_and_mentors(client, founder, mentor):
    """Every address under /manage/, by GET and POST, whatever its view."""
    from django.urls import get_resolver

    call = factories.CallFactory()
    application = factories.ApplicationFactory(call=call, status="in_review")
    assignment = factories.ReviewAssignmentFactory(application=application, reviewer=mentor)
    values = {"slug": call.slug, "pk": application.pk}
    names = [
        name
        for name, [(forms, pattern, _defaults, _converters)] in get_resolver().reverse_dict.lists()
        if isinstance(name, str) and pattern.startswith("manage/")
        for _form in forms[:1]
    ]
    assert "manage-call-export" in names
    assert len(names) >= 14
    for user in (founder, mentor):
        client.force_login(user)
        for name in names:
            params = get_resolver().reverse_dict.getlist(name)[0][0][0][1]
            kwargs = {param: values[param] for param in params}
            if name == "manage-unassign":
                kwargs = {"pk": assignment.pk}
            url = reverse(name, kwargs=kwargs)
            assert client.get(url).status_code in (403, 405), (user, url)
            assert client.post(url).status_code == 403, (user, url)


def test_the_dashboard_says_what_waits_for_the_managers_in_each_call(client, manager, mentor):
    from pipeline.services import application_transition

    call = factories.CallFactory(title="Spring call", min_reviews=2)
    factories.CallFactory(title="Quiet call")
    factories.ApplicationFactory(call=call, status="submitted")
    factories.ApplicationFactory(call=call, status="submitted")
    short = factories.ApplicationFactory(call=call, status="in_review")
    factories.ReviewAssignmentFactory(application=short)
    factories.ReviewAssignmentFactory(application=short, declined_at=timezone.now())
    covered = factories.ApplicationFactory(call=call, status="in_review")
    factories.ReviewAssignmentFactory.create_batch(2, application=covered)
    full = factories.ApplicationFactory(call=call, status="in_review")
    for _ in range(2):
        factories.ReviewFactory(assignment__application=full)
    application_transition(application=full, name="reject", actor=manager, reason="Weak data.")
    client.force_login(manager)

    body = client.get(reverse("manager-home")).content.decode()

    section = body.split("Waiting for you in the calls")[1].split("Stalled beyond")[0]
    assert "Spring call" in section
    assert "Quiet call" not in section
    assert "2 submitted applications without reviewers" in section
    # One reviewer left of the two the call needs; the other in review has both.
    assert "1 application in review with fewer reviewers than the reviews it needs" in section
    assert "1 decision not released to the founders" in section
    assert reverse("manage-ranking", args=[call.slug]) in section


def test_recent_changes_follow_the_dashboards_filters(client, manager):
    neurology, oncology = factories.TherapeuticAreaFactory(), factories.TherapeuticAreaFactory()
    for name, area in (("NeuroRegen", neurology), ("OncoTarget", oncology)):
        startup = factories.StartupFactory(name=name, stage="incubation", therapeutic_area=area)
        TransitionLog.objects.create(
            startup=startup,
            machine="startup",
            transition="accelerate",
            source="incubation",
            target="acceleration",
            actor=manager,
        )
    client.force_login(manager)

    everything = [log.startup.name for log in client.get(reverse("manager-home")).context["recent"]]
    narrowed = client.get(reverse("manager-home"), {"area": neurology.pk}).context["recent"]

    assert sorted(everything) == ["NeuroRegen", "OncoTarget"]
    assert [log.startup.name for log in narrowed] == ["NeuroRegen"]
