"""The scoring page in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import screenshot


def test_typing_a_reply_shows_its_score_and_feedback(page: Page, base_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "/score")
    page.get_by_label("Stage of the conversation").select_option("ask")
    page.get_by_label("Your reply").fill(
        "Thanks for the feedback. Given the 12% drop in churn, I'd like a bonus of 10%."
    )
    page.get_by_role("button", name="Score").click()
    result = page.get_by_role("region", name="Result")
    expect(result).to_contain_text("Score")
    expect(result).to_contain_text("ask stage")
    expect(result).to_contain_text("Ground your figure in research")
    screenshot(page, "score-page")
    assert errors == []


def test_an_empty_reply_is_explained(page: Page, base_url: str) -> None:
    page.goto(base_url + "/score")
    page.get_by_label("Your reply").fill("   ")
    page.evaluate("document.getElementById('reply').removeAttribute('required')")
    page.get_by_role("button", name="Score").click()
    expect(page.get_by_role("region", name="Result")).to_contain_text("empty")
