"""The printable easy-read letter: WeasyPrint renders it, 14pt or larger, pictures left of the words."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

from feedback_support import build_world
from PIL import Image
from sqlalchemy import select

from app.models import FeedbackMessage
from app.services.feedback.drafting import draft_review
from app.services.feedback.letter import LetterContent, letter_html, letter_pdf
from app.services.runtime import Runtime

MIN_PT = 14
PX_PER_PT = 96 / 72


def _gareths_letter(rt: Runtime) -> LetterContent:
    world = build_world(rt)
    draft_review(rt, world.review_id)
    with rt.db.reading() as session:
        row = session.scalars(
            select(FeedbackMessage).where(FeedbackMessage.participant_id == world.people["Gareth"])
        ).one()
        assert row.channel == "post"
        return LetterContent(
            "Northshire Council", row.language, row.variant, list(row.blocks), date(2026, 11, 26)
        )


def test_the_letter_renders_and_its_first_page_is_not_blank(frt: Runtime, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: apt-get install poppler-utils (.ci/run does)"
    pdf = letter_pdf(_gareths_letter(frt), frt.config["CONTENT_DIR"])
    assert pdf.startswith(b"%PDF")
    (tmp_path / "letter.pdf").write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", "letter.pdf", "page1"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    page = Image.open(tmp_path / "page1.png").convert("RGB")
    width, height = page.size
    assert height > width  # A4, portrait
    grey = page.convert("L")
    dark = sum(1 for value in grey.tobytes() if value < 128)
    assert dark > 0.01 * width * height, "the page is (nearly) blank"
    # The pictures' navy outlines are in the left part of the page, beside the words.
    left = page.crop((0, 0, width // 3, height))
    pixels = left.tobytes()
    navy = sum(1 for i in range(0, len(pixels), 3) if pixels[i + 2] > pixels[i] + 30 and pixels[i] < 90)
    assert navy > 50, "no pictures on the left"


def test_every_word_is_14pt_or_larger_and_each_picture_is_left_of_its_words(frt: Runtime) -> None:
    from weasyprint import HTML

    content = _gareths_letter(frt)
    pictures = Path(frt.config["CONTENT_DIR"]) / "easy_read"
    document = HTML(string=letter_html(content), base_url=f"{pictures.resolve().as_uri()}/").render()
    text_sizes, images, words_x = [], [], []
    for page in document.pages:
        for box in page._page_box.descendants():
            name = type(box).__name__
            if name == "TextBox" and box.text.strip():
                text_sizes.append(box.style["font_size"])
                words_x.append(box.position_x)
            elif name == "InlineReplacedBox":
                images.append((box.position_x, box.position_x + box.width))
    assert len(images) == len(content.blocks)
    assert min(text_sizes) >= MIN_PT * PX_PER_PT
    # Every block's words start to the right of every picture (the header sits at the margin).
    picture_left, picture_right = min(x for x, _ in images), max(right for _, right in images)
    words_column = [x for x in words_x if x > picture_left]
    assert len(words_column) >= len(content.blocks)
    assert picture_right <= min(words_column)
