"""The offline presenter in a real browser: Debian's chromium driven by selenium, no network.

The page is opened from ``file://`` with every network request failing (a dead proxy and
a resolver that finds nothing), so anything it fetched from elsewhere would break it.
Screenshots of the first, a middle and the last step are kept in the test's temp folder.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lecture_helpers import exported_lecture, tiny_render

from explainer.lecture import LectureInput, LectureReport

__all__ = ["tiny_render"]  # the shared fixture, imported so pytest finds it

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.render,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
        reason="needs Debian's chromium and chromium-driver (make setup installs them)",
    ),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]


@pytest.fixture(scope="module")
def exported(
    tiny_render: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[LectureInput, LectureReport]:
    return exported_lecture(tiny_render, tmp_path_factory, "browser")


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,800",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def page(driver: Any, exported: tuple[LectureInput, LectureReport]) -> Any:
    """The presenter, freshly loaded at its first step, only its own window open."""
    _, report = exported
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get(report.presenter.as_uri())
    driver.execute_script("history.replaceState(null, '', location.pathname); location.reload()")
    _wait(lambda: driver.execute_script("return document.body.dataset.beat") is not None)
    driver.get_log("browser")  # start each test with an empty console log
    return driver


def _wait(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def _beat(driver: Any) -> str:
    return driver.execute_script("return document.body.dataset.beat")


def _video(driver: Any) -> dict[str, Any]:
    return driver.execute_script(
        "const v = document.getElementById('video');"
        "return {src: v.currentSrc, time: v.currentTime, duration: v.duration, muted: v.muted,"
        " loop: v.loop, paused: v.paused, error: v.error && v.error.code};"
    )


def _console_errors(driver: Any) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def _beats(exported: tuple[LectureInput, LectureReport]) -> list[str]:
    made, _ = exported
    return [f"{scene.id}/{beat.id}" for scene, beat in made.beats()]


def test_keys_step_through_every_beat(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    beats = _beats(exported)
    assert _beat(page) == beats[0]
    current = "return document.querySelector('.step.current').dataset.beat"
    assert page.execute_script(current) == beats[0]
    _press(page, Keys.ARROW_RIGHT)
    assert _wait(lambda: _beat(page) == beats[1])
    _press(page, " ")
    assert _wait(lambda: _beat(page) == beats[2])
    _press(page, Keys.ARROW_LEFT)
    assert _wait(lambda: _beat(page) == beats[1])
    _press(page, Keys.END)
    assert _wait(lambda: _beat(page) == beats[-1])
    _press(page, Keys.ARROW_RIGHT)  # past the end: stays
    assert _beat(page) == beats[-1]
    _press(page, Keys.HOME)
    assert _wait(lambda: _beat(page) == beats[0])
    page.find_element("id", "stage").click()
    assert _wait(lambda: _beat(page) == beats[1])
    _press(page, "f")  # fullscreen (or, where the browser refuses, nothing) but no error
    _wait(lambda: page.execute_script("return document.fullscreenElement !== null"), 1)
    _press(page, "f")
    assert _beat(page) == beats[1]
    assert _console_errors(page) == []


def test_a_step_plays_its_own_segment(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    made, report = exported
    _press(page, Keys.ARROW_RIGHT)
    scene, beat = made.beats()[1]
    segment = report.segments[1]
    assert _wait(lambda: _video(page)["src"].endswith(f"segments/{segment.name}"))
    playing = _wait(lambda: (v := _video(page))["time"] > 0.2 and not v["paused"] and v, 8)
    assert playing, _video(page)
    assert playing["duration"] == pytest.approx(beat.frames / made.fps, abs=0.1)
    assert playing["time"] < playing["duration"]
    assert playing["error"] is None
    _press(page, "r")  # replay: back to the start of the same segment
    assert _wait(lambda: _video(page)["time"] < 0.5)
    assert _video(page)["src"].endswith(segment.name)
    assert _console_errors(page) == []


def test_n_mutes_the_narration_and_l_loops(page: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    assert _video(page)["muted"] is False
    _press(page, "n")
    assert _wait(lambda: _video(page)["muted"] is True)
    assert page.find_element("id", "flag-muted").is_displayed()
    _press(page, Keys.ARROW_RIGHT)  # stays muted on the next step
    assert _wait(lambda: _video(page)["muted"] is True and _beat(page) != "tokens/split")
    _press(page, "n")
    assert _wait(lambda: _video(page)["muted"] is False)
    _press(page, "l")
    assert _wait(lambda: _video(page)["loop"] is True)
    _press(page, "l")
    assert _wait(lambda: _video(page)["loop"] is False)
    assert _console_errors(page) == []


def test_hash_keeps_the_position_across_a_reload(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    beats = _beats(exported)
    _press(page, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert _wait(lambda: _beat(page) == beats[3])
    assert page.execute_script("return location.hash") == f"#{beats[3]}"
    page.refresh()
    assert _wait(lambda: _beat(page) == beats[3])
    page.execute_script(f"location.hash = '#{beats[1]}'")
    assert _wait(lambda: _beat(page) == beats[1])
    assert _console_errors(page) == []


def test_chapter_menu_jumps_to_a_chapter(page: Any, exported) -> None:
    made, _ = exported
    second = made.scenes[1]
    _press(page, "g")
    assert _wait(lambda: page.find_element("id", "menu").is_displayed())
    page.find_element("css selector", f'#menu a[data-index="{len(made.scenes[0].beats)}"]').click()
    assert _wait(lambda: _beat(page) == f"{second.id}/{second.beats[0].id}")
    assert not page.find_element("id", "menu").is_displayed()
    assert second.title in page.find_element("id", "chapter-title").text
    _press(page, "g", str(made.scenes[0].chapter))  # or the chapter's number
    assert _wait(lambda: _beat(page) == f"{made.scenes[0].id}/{made.scenes[0].beats[0].id}")
    assert _console_errors(page) == []


def test_presenter_view_follows_the_main_window(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    made, _ = exported
    beats = _beats(exported)
    main = page.current_window_handle
    _press(page, "p")
    assert _wait(lambda: len(page.window_handles) == 2)
    presenter = next(h for h in page.window_handles if h != main)
    page.switch_to.window(presenter)
    assert _wait(lambda: _beat(page) == beats[0])
    assert page.execute_script("return document.body.classList.contains('presenter')")
    notes = page.find_element("css selector", ".step.current .narration").text
    assert notes == made.beats()[0][1].text
    page.switch_to.window(main)
    _press(page, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert _wait(lambda: _beat(page) == beats[2])
    page.switch_to.window(presenter)
    assert _wait(lambda: _beat(page) == beats[2])
    assert page.find_element("css selector", ".step.current .narration").text == (
        made.beats()[2][1].text
    )
    _press(page, Keys.ARROW_LEFT)  # and the main window follows the presenter
    page.switch_to.window(main)
    assert _wait(lambda: _beat(page) == beats[1])
    for handle in (presenter, main):
        page.switch_to.window(handle)
        assert _console_errors(page) == []


def test_screenshots_of_first_middle_and_last_step(page: Any, exported, tmp_path_factory) -> None:
    from PIL import Image
    from selenium.webdriver.common.keys import Keys

    shots = tmp_path_factory.mktemp("screenshots")
    beats = _beats(exported)
    for name, keys, index in (
        ("first", (), 0),
        ("middle", (Keys.ARROW_RIGHT,) * 3, 3),
        ("last", (Keys.END,), len(beats) - 1),
    ):
        _press(page, *keys)
        assert _wait(lambda i=index: _beat(page) == beats[i])
        _wait(lambda: page.execute_script("return document.querySelector('video').readyState > 1"))
        path = shots / f"{name}.png"
        page.save_screenshot(str(path))
        with Image.open(path) as image:
            colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 20, f"{name}: a blank page"
    assert _console_errors(page) == []
