"""The lecture's asides and the trained model's chapters, rendered from a changed beat, are
their whole renders (the checks of tests/test_from_beat_chapters.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_from_beat_chapters import LECTURE_ASIDES, assert_renders_from_a_changed_beat

pytestmark = pytest.mark.render


@pytest.mark.parametrize("class_name", LECTURE_ASIDES)
def test_a_lecture_chapter_rendered_from_a_changed_beat_is_its_whole_render(
    class_name: str, tmp_path: Path
) -> None:
    assert_renders_from_a_changed_beat(class_name, tmp_path)
