"""The offline presenter in a real browser: Debian's chromium driven by selenium, no network
(see tests/browser_helpers.py). Screenshots of the first, a middle and the last step are
kept in the test's temp folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import chromium, console_errors, needs_chromium, press, wait_for
from lecture_helpers import exported_lecture, tiny_render

from explainer.outputs.lecture import LectureInput, LectureReport

__all__ = ["tiny_render"]  # the shared fixture, imported so pytest finds it

pytestmark = [
    pytest.mark.render,
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]


@pytest.fixture(scope="module")
def exported(
    tiny_render: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[LectureInput, LectureReport]:
    return exported_lecture(tiny_render, tmp_path_factory, "browser")


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as browser:
        yield browser


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
    wait_for(lambda: driver.execute_script("return document.body.dataset.beat") is not None)
    driver.get_log("browser")  # start each test with an empty console log
    return driver


def _beat(driver: Any) -> str:
    return driver.execute_script("return document.body.dataset.beat")


def _video(driver: Any) -> dict[str, Any]:
    return driver.execute_script(
        "const v = document.getElementById('video');"
        "return {src: v.currentSrc, time: v.currentTime, duration: v.duration, muted: v.muted,"
        " loop: v.loop, paused: v.paused, error: v.error && v.error.code};"
    )


def _beats(exported: tuple[LectureInput, LectureReport]) -> list[str]:
    made, _ = exported
    return [f"{scene.id}/{beat.id}" for scene, beat in made.beats()]


def test_keys_step_through_every_beat(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    beats = _beats(exported)
    assert _beat(page) == beats[0]
    current = "return document.querySelector('.step.current').dataset.beat"
    assert page.execute_script(current) == beats[0]
    press(page, Keys.ARROW_RIGHT)
    assert wait_for(lambda: _beat(page) == beats[1])
    press(page, " ")
    assert wait_for(lambda: _beat(page) == beats[2])
    press(page, Keys.ARROW_LEFT)
    assert wait_for(lambda: _beat(page) == beats[1])
    press(page, Keys.END)
    assert wait_for(lambda: _beat(page) == beats[-1])
    press(page, Keys.ARROW_RIGHT)  # past the end: stays
    assert _beat(page) == beats[-1]
    press(page, Keys.HOME)
    assert wait_for(lambda: _beat(page) == beats[0])
    page.find_element("id", "stage").click()
    assert wait_for(lambda: _beat(page) == beats[1])
    press(page, "f")  # fullscreen (or, where the browser refuses, nothing) but no error
    wait_for(lambda: page.execute_script("return document.fullscreenElement !== null"), 1)
    press(page, "f")
    assert _beat(page) == beats[1]
    assert console_errors(page) == []


def test_a_step_plays_its_own_segment(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    made, report = exported
    press(page, Keys.ARROW_RIGHT)
    scene, beat = made.beats()[1]
    segment = report.segments[1]
    assert wait_for(lambda: _video(page)["src"].endswith(f"segments/{segment.name}"))
    playing = wait_for(lambda: (v := _video(page))["time"] > 0.2 and not v["paused"] and v, 8)
    assert playing, _video(page)
    assert playing["duration"] == pytest.approx(beat.frames / made.fps, abs=0.1)
    assert playing["time"] < playing["duration"]
    assert playing["error"] is None
    press(page, "r")  # replay: back to the start of the same segment
    assert wait_for(lambda: _video(page)["time"] < 0.5)
    assert _video(page)["src"].endswith(segment.name)
    assert console_errors(page) == []


def test_n_mutes_the_narration_and_l_loops(page: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    assert _video(page)["muted"] is False
    press(page, "n")
    assert wait_for(lambda: _video(page)["muted"] is True)
    assert page.find_element("id", "flag-muted").is_displayed()
    press(page, Keys.ARROW_RIGHT)  # stays muted on the next step
    assert wait_for(lambda: _video(page)["muted"] is True and _beat(page) != "tokens/split")
    press(page, "n")
    assert wait_for(lambda: _video(page)["muted"] is False)
    press(page, "l")
    assert wait_for(lambda: _video(page)["loop"] is True)
    press(page, "l")
    assert wait_for(lambda: _video(page)["loop"] is False)
    assert console_errors(page) == []


def test_hash_keeps_the_position_across_a_reload(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    beats = _beats(exported)
    press(page, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert wait_for(lambda: _beat(page) == beats[3])
    assert page.execute_script("return location.hash") == f"#{beats[3]}"
    page.refresh()
    assert wait_for(lambda: _beat(page) == beats[3])
    page.execute_script(f"location.hash = '#{beats[1]}'")
    assert wait_for(lambda: _beat(page) == beats[1])
    assert console_errors(page) == []


def test_chapter_menu_jumps_to_a_chapter(page: Any, exported) -> None:
    made, _ = exported
    second = made.scenes[1]
    press(page, "g")
    assert wait_for(lambda: page.find_element("id", "menu").is_displayed())
    page.find_element("css selector", f'#menu a[data-index="{len(made.scenes[0].beats)}"]').click()
    assert wait_for(lambda: _beat(page) == f"{second.id}/{second.beats[0].id}")
    assert not page.find_element("id", "menu").is_displayed()
    assert second.title in page.find_element("id", "chapter-title").text
    press(page, "g", str(made.scenes[0].chapter))  # or the chapter's number
    assert wait_for(lambda: _beat(page) == f"{made.scenes[0].id}/{made.scenes[0].beats[0].id}")
    assert console_errors(page) == []


def test_presenter_view_follows_the_main_window(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    made, _ = exported
    beats = _beats(exported)
    main = page.current_window_handle
    press(page, "p")
    assert wait_for(lambda: len(page.window_handles) == 2)
    presenter = next(h for h in page.window_handles if h != main)
    page.switch_to.window(presenter)
    assert wait_for(lambda: _beat(page) == beats[0])
    assert page.execute_script("return document.body.classList.contains('presenter')")
    notes = page.find_element("css selector", ".step.current .narration").text
    assert notes == made.beats()[0][1].text
    page.switch_to.window(main)
    press(page, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert wait_for(lambda: _beat(page) == beats[2])
    page.switch_to.window(presenter)
    assert wait_for(lambda: _beat(page) == beats[2])
    assert page.find_element("css selector", ".step.current .narration").text == (
        made.beats()[2][1].text
    )
    press(page, Keys.ARROW_LEFT)  # and the main window follows the presenter
    page.switch_to.window(main)
    assert wait_for(lambda: _beat(page) == beats[1])
    for handle in (presenter, main):
        page.switch_to.window(handle)
        assert console_errors(page) == []


def test_e_opens_the_explorer_at_the_chapters_view(page: Any, exported) -> None:
    from selenium.webdriver.common.keys import Keys

    from explainer.outputs.explore import view_for

    made, report = exported
    assert made.explorer is not None  # the render wrote explorer.html beside the video
    views = [view_for(scene.class_name) for scene in made.scenes]
    assert views == ["tokens", "blend"]  # the tiny script's Tokens and ValueBlend
    main = page.current_window_handle
    press(page, "e")
    assert wait_for(lambda: len(page.window_handles) == 2)
    explorer = next(handle for handle in page.window_handles if handle != main)
    page.switch_to.window(explorer)
    shown_view = "return document.body && document.body.dataset.view"
    assert wait_for(lambda: page.execute_script(shown_view) == views[0])
    assert page.current_url.endswith(f"explorer.html#{views[0]}")
    assert console_errors(page) == []
    page.switch_to.window(main)
    press(page, Keys.END)  # the last chapter: the same explorer window follows
    press(page, "e")
    page.switch_to.window(explorer)
    assert wait_for(lambda: page.execute_script(shown_view) == views[-1])
    for handle in (explorer, main):
        page.switch_to.window(handle)
        assert console_errors(page) == []


VIDEO_READY = "return document.querySelector('video').readyState > 1"


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
        press(page, *keys)
        assert wait_for(lambda i=index: _beat(page) == beats[i])
        wait_for(lambda: page.execute_script(VIDEO_READY))
        path = shots / f"{name}.png"
        page.save_screenshot(str(path))
        with Image.open(path) as image:
            colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 20, f"{name}: a blank page"
    assert console_errors(page) == []
