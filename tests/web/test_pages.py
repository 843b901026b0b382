"""The pages in Debian's Chromium: practise, review, export, drill; accessible and safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.conversations import GRANTED
from tests.live import ServerProcess
from tests.web.axe import violations
from tests.web.conftest import screenshot


def start(page: Page, base_url: str, title: str = "The supportive manager") -> None:
    page.goto(base_url + "/")
    page.get_by_role("button", name=re.compile(f"^Start {re.escape(title)}")).click()
    expect(page).to_have_url(re.compile(r"/practice/"))
    expect(page.get_by_role("status")).to_have_text("Connected")


def say(page: Page, text: str) -> None:
    log = page.get_by_role("log")
    before = log.locator(".bubble.manager, .bubble.narration").count()
    box = page.get_by_role("textbox", name="Your reply")
    box.fill(text)
    box.press("Enter")
    expect(log.locator(".bubble.manager, .bubble.narration")).to_have_count(before + 1)
    page.wait_for_timeout(220)  # a person does not type six replies a second


def no_serious_violations(page: Page) -> None:
    assert violations(page) == []


def test_home_offers_each_scenario_and_its_drills(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    for title in ("The supportive manager", "The budget freeze", "The policy wall"):
        expect(page.get_by_role("button", name=re.compile(f"^Start {title}"))).to_be_visible()
    assert page.get_by_role("button", name=re.compile(r"^Drill")).count() >= 6
    expect(page.get_by_role("link", name="read the guide's essentials")).to_be_visible()
    no_serious_violations(page)
    screenshot(page, "home")


def test_play_a_whole_conversation_and_find_it_in_the_transcripts(
    page: Page, base_url: str
) -> None:
    start(page, base_url)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    say(page, GRANTED[0])
    feedback = log.locator(".feedback").first
    expect(feedback).to_contain_text("Score 80/100")
    expect(feedback).to_contain_text("Met: requests meeting")
    expect(log.locator("mark").first).to_be_visible()  # the words that earned it
    page.get_by_role("button", name="Hint").click()
    expect(page.locator("#hint-panel")).to_contain_text("Thank them")
    for text in GRANTED[1:5]:
        say(page, text)
    expect(page.get_by_role("textbox", name="Your reply")).to_have_attribute(
        "rows", "12"
    )  # the email
    no_serious_violations(page)
    screenshot(page, "practice")
    say(page, GRANTED[5])
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("Outcome: granted")
    expect(summary).to_contain_text("Weakest reply")
    expect(summary.get_by_role("button", name="Practise this scenario again")).to_be_visible()
    no_serious_violations(page)
    screenshot(page, "summary")
    scores = [s.inner_text() for s in log.locator(".feedback .score").all()]
    page.get_by_role("link", name="Your transcripts").click()
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="The supportive manager")).to_be_visible()
    for text in GRANTED:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    for score in scores:
        number = score.split()[1]
        expect(page.get_by_text(f"score {number}").first).to_be_visible()
    no_serious_violations(page)
    screenshot(page, "transcript")


def test_reload_mid_conversation_and_continue(page: Page, base_url: str) -> None:
    start(page, base_url)
    say(page, GRANTED[0])
    say(page, GRANTED[1])
    page.reload()
    expect(page.get_by_role("status")).to_have_text("Connected")
    expect(page.get_by_role("log").locator(".bubble.user")).to_have_count(2)
    say(page, GRANTED[2])
    expect(page.get_by_role("log").locator(".bubble.user")).to_have_count(3)


def test_drill_a_pushback_state_directly(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("button", name="Drill: Priya counters your figure").click()
    first = page.get_by_role("log").locator(".bubble").first
    expect(first).to_contain_text("counter offer")
    expect(first).to_contain_text("14%")
    expect(page.locator('#stages li[aria-current="step"]')).to_contain_text("reaction")


def test_export_a_transcript(page: Page, base_url: str) -> None:
    start(page, base_url)
    say(page, GRANTED[0])
    page.get_by_role("link", name="Open the transcript").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Markdown").click()
    path = download_info.value.path()
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# The supportive manager") and GRANTED[0] in text
    with page.expect_download() as json_info:
        page.get_by_role("link", name="Export JSON").click()
    assert json_info.value.suggested_filename.endswith(".json")


def test_markup_in_a_reply_shows_as_text(page: Page, base_url: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    start(page, base_url)
    say(page, "<img src=x onerror=alert(1)> could we book 30 minutes?")
    log = page.get_by_role("log")
    expect(log).to_contain_text("<img src=x onerror=alert(1)>")
    assert log.locator("img").count() == 0 and dialogs == []
    page.get_by_role("link", name="Open the transcript").click()
    expect(page.get_by_text("<img src=x onerror=alert(1)>", exact=False)).to_be_visible()
    assert page.locator("main img").count() == 0 and dialogs == []


def test_keyboard_only(page: Page, base_url: str) -> None:
    start(page, base_url)
    box = page.get_by_role("textbox", name="Your reply")
    box.focus()
    page.keyboard.type("Hi Priya,")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("could we book 30 minutes to discuss my bonus?")
    assert "\n" in box.input_value()
    page.keyboard.press("Enter")
    expect(page.get_by_role("log").locator(".bubble.user")).to_have_count(1)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Send"


def test_prepared_notes_shape_the_feedback(page: Page, base_url: str) -> None:
    page.goto(base_url + "/prepare/supportive")
    page.get_by_label("Your accomplishments").fill("Cut fraud losses 18% ($420k a year)")
    page.get_by_label("The bonus you will ask for").fill("10%")
    page.get_by_label("Your market research").fill("Levels.fyi shows 8-12% for my level")
    no_serious_violations(page)
    screenshot(page, "prepare")
    page.get_by_role("button", name="Start The supportive manager with these notes").click()
    expect(page.get_by_role("status")).to_have_text("Connected")
    for text in GRANTED[:3]:
        say(page, text)
    say(page, "I'd like a bonus of 20%.")
    expect(page.get_by_role("log").locator(".feedback").last).to_contain_text("your own research")


def test_transcripts_page_charts_progress(page: Page, base_url: str) -> None:
    start(page, base_url)
    for text in GRANTED:
        say(page, text)
    page.goto(base_url + "/transcripts")
    expect(page.get_by_role("img", name="Score per attempt, by scenario")).to_be_visible()
    expect(page.get_by_text("latest:").first).to_be_visible()
    page.get_by_label("Scenario", exact=True).select_option("budget-freeze")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"scenario=budget-freeze"))
    no_serious_violations(page)
    page.goto(base_url + "/transcripts")
    no_serious_violations(page)
    screenshot(page, "transcripts")


@pytest.mark.parametrize("path", ["/guide", "/score"])
def test_other_pages_are_accessible(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    no_serious_violations(page)
    screenshot(page, path.strip("/"))


def test_phone_sized_practice(phone: Page, base_url: str) -> None:
    start(phone, base_url)
    say(phone, GRANTED[0])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    no_serious_violations(phone)
    screenshot(phone, "practice-phone")


def test_losing_the_server_shows_it_and_resumes(page: Page, tmp_path: Path) -> None:
    server = ServerProcess("--db", f"sqlite:///{tmp_path / 'r.sqlite3'}", cwd=tmp_path)
    server.start()
    try:
        start(page, server.base_url)
        say(page, GRANTED[0])
        server.kill9()
        expect(page.get_by_role("status")).to_contain_text("reconnecting")
        server.start()
        expect(page.get_by_role("status")).to_have_text("Connected", timeout=20_000)
        say(page, GRANTED[1])
        expect(page.get_by_role("log").locator(".bubble.user")).to_have_count(2)
    finally:
        server.stop()


def test_a_second_attempt_is_compared_with_the_first(page: Page, base_url: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for _ in range(2):
        start(page, base_url)
        for text in GRANTED:
            say(page, text)
    summary = page.get_by_role("region", name="Summary")
    summary.get_by_role("link", name="Open the transcript").click()
    compare = page.get_by_role("table").filter(has_text="Previous")
    expect(compare).to_contain_text("Score")
    expect(compare).to_contain_text("granted")
    # Everything the pages load comes from this server: it works offline.
    assert requests and all(url.startswith(base_url) for url in requests)
