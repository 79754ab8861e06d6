"""The quarter's survey report (EO 12862 Sec. 2): figures checked against hand counts of the
test data, comments with personal details withheld, the change since the last quarter."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from click.testing import CliRunner

from cxdesk.cli import main
from cxdesk.domain.surveys import invitations
from cxdesk.domain.surveys.questions import Answer
from cxdesk.reports.comments import withhold_personal
from cxdesk.reports.survey_report import survey_report
from cxdesk.vocab import HANDOVER
from tests.factories import FIXED_NOW, answer_all, serve, survey_many


def test_figures_by_service_segment_and_language_match_a_hand_count(db, office, signed_in):
    # survey_many: change_address 5 and 4, replacement_card 4 and 2 (veteran, "Too slow"),
    # one skipped (change_address), one never offered (change_address).
    survey_many(db, office, signed_in)
    with db.session() as session:
        report = survey_report(session, 2027, 1)
    total = report.total
    assert (total.served, total.offered, total.respondents) == (6, 5, 4)
    assert total.response_rate == Decimal("80.0") and total.trust_agree == Decimal("75.0")
    by_service = {cut.value: cut for cut in report.cuts["service"]}
    assert (by_service["change_address"].served, by_service["change_address"].respondents) == (4, 2)
    assert by_service["replacement_card"].trust.counts == (0, 1, 0, 1, 0)
    # Every respondent picked "effectiveness" on their branch: 3 went well, 1 didn't: net (3-1)/4 = +50.
    effectiveness = next(d for d in total.drivers if d.driver == "effectiveness")
    assert (effectiveness.kind, effectiveness.value, effectiveness.answers) == ("net", Decimal("50"), 4)
    assert {cut.value for cut in report.cuts["segment"]} == {"retiree", "veteran"}
    assert [cut.value for cut in report.cuts["language"]] == ["en"]
    # Drivers nobody named are not places to act; the lowest named one is.
    assert report.places_to_act[0].driver == "effectiveness"
    assert report.trust_statement == "I trust this agency to deliver on their mission for the American public."


def test_comments_keep_the_words_and_withhold_personal_details(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
        answers = answer_all(run, 2)
        answers["comment"] = Answer(text="Call me at (312) 555-0199 or ana@example.org, SSN 123-45-6789. Slow!")
        invitations.finish(session, run.invitation_id, answers, language="en", ended_early=False, now=FIXED_NOW)
        report = survey_report(session, 2027, 1)
    [comment] = report.comments
    assert comment.text == "Call me at [withheld] or [withheld], SSN [withheld]. Slow!"
    assert comment.trust == 2
    assert withhold_personal("Window 3 was quick") == "Window 3 was quick"


def test_change_since_the_last_quarter(db, office, signed_in):
    earlier = FIXED_NOW - timedelta(days=70)  # mid-September: FY2026 Q4
    visit = serve(db, office, signed_in, now=earlier)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=earlier)
        invitations.finish(session, run.invitation_id, answer_all(run, 2), language="en", ended_early=False,
                           now=earlier)
    survey_many(db, office, signed_in)
    with db.session() as session:
        report = survey_report(session, 2027, 1)
    assert report.previous_label == "FY2026Q4"
    assert (report.previous.respondents, report.previous.trust_agree) == (1, Decimal("0.0"))
    assert report.total.trust_agree - report.previous.trust_agree == Decimal("75.0")


def test_report_surveys_command_in_three_formats(db, office, signed_in, db_url, tmp_path):
    survey_many(db, office, signed_in)
    runner = CliRunner()
    text = runner.invoke(main, ["report", "surveys", "--db", db_url, "--quarter", "FY2027Q1"])
    assert text.exit_code == 0, text.output
    assert "respondents 4" in text.output and "Places to act" in text.output and "Too slow" in text.output
    csv_out = runner.invoke(main, ["report", "surveys", "--db", db_url, "--quarter", "FY2027Q1", "--format", "csv"])
    assert "FY2027Q1,service,change_address,served,4" in csv_out.output
    html = runner.invoke(main, ["report", "surveys", "--db", db_url, "--quarter", "FY2027Q1", "--format", "html",
                                "--out", str(tmp_path / "r.html")])
    assert html.exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and "<caption>By service" in page
    bad = runner.invoke(main, ["report", "surveys", "--db", db_url, "--quarter", "Q1"])
    assert bad.exit_code == 1 and "FY2027Q1" in bad.output
