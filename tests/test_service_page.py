"""The caseworker page at `/`, in a real headless browser: Playwright driving Debian's chromium
(`.ci/run` installs it; under CI a missing browser fails the run). The page answers the same
question as `POST /v1/decide` in both languages, marks an invalid field, and browses the
articles with the rules that cite each."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import jurisdiction
from service_server import Server, serving

ENGINE = jurisdiction.load()


def _chromium() -> str | None:
    found = os.environ.get("JURISDICTION_CHROMIUM") or shutil.which("chromium")
    return found if found and Path(found).exists() else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = _chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "no chromium: .ci/run installs Debian's chromium (apt-get install chromium)"
            )
        pytest.skip("no chromium here (apt-get install chromium); CI fails instead of skipping")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving() as s:
        yield s


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    failures: list[str] = []
    opened.on("pageerror", lambda exc: failures.append(str(exc)))
    opened.on("requestfailed", lambda r: failures.append(r.url))
    opened.goto(server.url + "/")
    expect(opened.locator("body")).to_have_attribute("data-ready", "true")
    yield opened
    context.close()
    assert failures == []  # no script error, and no request the page could not make (no CDN)


def _ask_unit_of_1000(page: Page) -> None:
    page.select_option("#question", "unit_management")
    page.select_option("#field-category", "other_enterprise")
    page.fill("#field-staff", "1000")
    page.fill("#field-location", "120101002001")
    page.click("#decide")


def test_the_page_answers_in_english_and_chinese(page: Page) -> None:
    decision = ENGINE.decide(
        {"kind": "unit", "category": "other_enterprise", "staff": 1000, "location": "120101002001"},
        "unit_management",
    )
    body = decision.bodies[0]
    page.click("#lang-en")
    _ask_unit_of_1000(page)
    result = page.locator("#result")
    expect(result.locator(".body")).to_have_attribute("data-place-code", body.place_code)
    expect(result.locator(".outcome")).to_contain_text(decision.outcome_name.en)
    expect(result.locator(".body")).to_contain_text(body.name.en)
    expect(result.locator(".body")).to_contain_text("(十)")
    expect(result.locator(".citation blockquote")).to_have_text(decision.citations[0].quote.en)
    expect(result).to_contain_text(decision.policy_fingerprint)
    page.click("#lang-zh")
    expect(result.locator(".outcome")).to_contain_text(decision.outcome_name.zh)
    expect(result.locator(".body")).to_contain_text(body.name.zh)
    expect(result.locator(".body")).to_contain_text("第(十)条")
    expect(result.locator(".citation blockquote")).to_have_text(decision.citations[0].quote.zh)
    expect(page.locator("#decide")).to_have_text("判定")
    page.click("#decide")  # asked again in Chinese: the same bodies
    expect(result.locator(".body")).to_have_attribute("data-place-code", body.place_code)


def test_the_page_names_a_place_code_and_marks_an_invalid_field(page: Page) -> None:
    page.click("#lang-en")
    page.select_option("#question", "unit_management")
    page.fill("#field-location", "120101002001")
    expect(page.locator('.field[data-field="location"] .place-info')).to_contain_text("community")
    page.select_option("#field-category", "other_enterprise")
    page.fill("#field-staff", "-5")
    page.click("#decide")
    expect(page.locator('.field[data-field="staff"]')).to_have_class("field invalid")
    expect(page.locator("#problems")).to_contain_text("staff")
    expect(page.locator("#result")).to_be_empty()


def test_the_page_browses_the_articles_with_the_rules_citing_each(page: Page) -> None:
    page.click("#lang-zh")
    page.click('.tab[data-tab="articles"]')
    ten = page.locator("#article-10")
    expect(ten).to_be_visible()
    expect(ten.locator("blockquote")).to_have_text(ENGINE.policy.articles[10].text.zh)
    expect(ten).to_contain_text("驻地单位的计划生育工作由哪一级负责管理（(十)）")
    expect(ten).not_to_contain_text("unit_management")  # ids only under ?ids (issue 20.8)
    page.click("#lang-en")
    expect(ten.locator("blockquote")).to_have_text(ENGINE.policy.articles[10].text.en)


def test_the_page_shows_identifiers_only_when_asked(page: Page, server: Server) -> None:
    page.click("#lang-zh")
    _ask_unit_of_1000(page)
    result = page.locator("#result")
    expect(result.locator(".outcome")).to_have_text("结论：负责机构")
    expect(result).not_to_contain_text("unit_management")
    expect(page.locator("#question option:checked")).to_have_text(
        "驻地单位的计划生育工作由哪一级负责管理"
    )
    # the place lookup the typed code started (150 ms after typing) has answered: navigating
    # while it is in flight would abort it, a failed request the fixture rightly reports
    expect(page.locator('[data-field="location"] .place-info')).not_to_be_empty()
    page.goto(server.url + "/?ids")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    _ask_unit_of_1000(page)
    expect(page.locator("#result")).to_contain_text("unit_management.district_by_staff")
