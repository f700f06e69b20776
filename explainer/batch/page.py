"""A batch's overview: a poster per video and ``index.html`` listing every variant.

The page is one offline HTML file beside the videos (relative links, no scripts, no
network): a card per variant with its poster, sentence, focus, duration and a link to
the video; a failed variant shows its one-line error instead. The poster is committed into
the video's folder like its other outputs (:func:`explainer.core.staging.staged_outputs`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from explainer.core.cache import write_atomic
from explainer.core.manifest import Older
from explainer.core.media import run_ffmpeg
from explainer.core.staging import staged_outputs
from explainer.outputs.lecture import LectureInput
from explainer.outputs.lecture.thumbnail import best_scene

__all__ = ["INDEX_NAME", "POSTER_NAME", "format_duration", "write_index", "write_poster"]

INDEX_NAME = "index.html"
POSTER_NAME = "poster.jpg"
POSTER_WIDTH = 640


def write_poster(
    render_dir: Path, name: str, *, force: bool = False, older: Older | None = None
) -> Path:
    """``render_dir/poster.jpg``: the last frame of the chapter with the most weights on
    screen (the lecture thumbnail's choice), 640 px wide.

    A poster explainer did not write stops it (one line), unless ``force``; ``older``
    names a poster an older version wrote (see :mod:`explainer.core.manifest`).
    """
    lecture = LectureInput.from_render(render_dir, name=name)
    scene = best_scene(lecture)
    # the chapter's last beat holds its final picture: two frames before the end is in it
    seconds = max(0.0, (scene.frames - 2) / lecture.fps)
    with staged_outputs(render_dir, force=force, older=older) as staging:
        run_ffmpeg(
            ["-ss", f"{seconds:.3f}", "-i", scene.clip, "-frames:v", "1",
             "-vf", f"scale={POSTER_WIDTH}:-2", "-q:v", "4", staging.path / POSTER_NAME],
            what=f"writing the poster of {render_dir.name}",
        )  # fmt: skip
        staging.commit(by="poster")
    return render_dir / POSTER_NAME


def format_duration(seconds: float | None) -> str:
    """``m:ss`` for a card.

    Examples
    --------
    >>> format_duration(111.9), format_duration(None)
    ('1:52', '')
    """
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


_STYLE = """
body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#14161a;color:#e8e8e8}
header{padding:20px 24px 8px}h1{margin:0;font-size:1.4em}header p{margin:4px 0;color:#a0a4ab}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:20px;
padding:16px 24px 32px}
.card{background:#1f2228;border-radius:8px;overflow:hidden;display:flex;flex-direction:column}
.card img{width:100%;aspect-ratio:16/9;object-fit:cover;display:block;background:#000}
.card .body{padding:10px 14px 14px}.card h2{font-size:1.05em;margin:0 0 6px;overflow-wrap:anywhere}
.meta{color:#a0a4ab;font-size:.9em}.card a{color:#7cc8ff}
.failed{border:1px solid #c0504d}.error{color:#ff9b95;font-size:.9em;overflow-wrap:anywhere}
.nopic{aspect-ratio:16/9;display:flex;align-items:center;justify-content:center;color:#c0504d}
"""


def _card(record: dict[str, Any]) -> str:
    esc = html.escape
    title = f"<h2>{esc(str(record['sentence']))}</h2>"
    facts = [f"focus: {esc(str(record['focus']))}"] if record.get("focus") else []
    facts += [f"voice: {esc(str(record['voice']))}"] if record.get("voice") else []
    if record["status"] != "ok":
        meta = f'<p class="meta">{" · ".join(facts)}</p>' if facts else ""
        error = f'<p class="error">failed: {esc(str(record["error"]))}</p>'
        body = f'<div class="body">{title}{meta}{error}</div>'
        return f'<article class="card failed"><div class="nopic">no video</div>{body}</article>'
    video, poster = esc(str(record["video"])), esc(str(record.get("poster") or ""))
    facts.append(format_duration(record.get("duration")))
    picture = f'<a href="{video}"><img src="{poster}" alt="poster of the video" loading="lazy"></a>'
    link = f'<a href="{video}">watch</a>'
    body = f'<div class="body">{title}<p class="meta">{" · ".join(facts)} · {link}</p></div>'
    return f'<article class="card">{picture}{body}</article>'


def write_index(out_dir: Path, records: Sequence[dict[str, Any]], title: str) -> Path:
    """Write ``out_dir/index.html``: one card per record of ``batch.json``, in its order."""
    done = sum(r["status"] == "ok" for r in records)
    summary = f"{done} of {len(records)} videos" + (
        f", {len(records) - done} failed" if done < len(records) else ""
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{summary}</p></header>"
        f"<main>{''.join(_card(r) for r in records)}</main></body></html>\n"
    )
    target = out_dir / INDEX_NAME
    write_atomic(target, page.encode("utf-8"))
    return target
