"""Owners configure micro-surveys; pages carry the enabled ones for survey.js."""
from portal.extensions import db
from portal.feedback.surveys import get_settings


def test_surveys_are_off_by_default(client, docs):
    assert not any(s.enabled for s in get_settings(db.session).values())
    assert "survey-config" not in client.get("/en/docs/guide/install").get_data(as_text=True)


def test_owner_switches_a_survey_on(client, docs, login_as):
    login_as("owner")
    response = client.post("/admin/surveys", data={"nps-enabled": "on", "nps-rate": "25",
                                                   "ces-rate": "10", "csat-rate": "10"})
    assert response.status_code == 303
    settings = get_settings(db.session)
    assert settings["nps"].enabled and settings["nps"].sample_rate == 0.25
    assert not settings["ces"].enabled
    html = client.get("/en/docs/guide/install").get_data(as_text=True)
    assert 'data-surveys="nps:0.25"' in html


def test_bad_rate_is_explained_and_nothing_saved(client, docs, login_as):
    login_as("owner")
    response = client.post("/admin/surveys", data={"nps-enabled": "on", "nps-rate": "250",
                                                   "ces-rate": "x", "csat-rate": "10"})
    assert response.status_code == 422
    assert "from 0 to 100" in response.get_data(as_text=True)
    assert not get_settings(db.session)["nps"].enabled


def test_only_owners_may_change_surveys(client, docs, login_as):
    assert client.get("/admin/surveys").status_code == 302  # to the login page
    login_as("writer")
    assert client.get("/admin/surveys").status_code == 403
