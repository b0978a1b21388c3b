"""`heard audio build`: gTTS's own code path against intercepted HTTP, the offline fallback, idempotence."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient
from sms_support import make_participant
from voice_support import FAKE_MP3, GTTS_URL, call_form, intercept_gtts, post_call

from app.cli import main
from app.services import audio
from app.services.audio_texts import STAND_IN_NAME, texts_to_build
from app.services.runtime import Runtime
from app.services.telegram_outbound import voice_file

FEW = [("en", "Press 1 for yes, 2 for no."), ("cy", "Pwyswch 1 am ie, 2 am na."), ("en", "Thank you.")]


def _files(rt: Runtime) -> list[Path]:
    return sorted(audio.cache_dir(rt.config).glob("*.mp3"))


def test_gtts_speaks_each_text_into_the_cache_with_a_manifest(vrt: Runtime) -> None:
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        report = audio.build(vrt.config, FEW)
        bodies = [unquote(call.request.body) for call in mock.calls]
    assert [engine for engine, _, _ in report.built] == ["gtts"] * 3
    welsh = next(body for body in bodies if "Pwyswch" in body)
    assert '\\"cy\\"' in welsh and '\\"en\\"' not in welsh  # Welsh is asked for in Welsh
    files = _files(vrt)
    assert len(files) == 3 and all(f.read_bytes() == FAKE_MP3 for f in files)
    manifest = json.loads((audio.cache_dir(vrt.config) / "manifest.json").read_text())
    assert {entry["text"] for entry in manifest.values()} == {text for _, text in FEW}
    assert {entry["engine"] for entry in manifest.values()} == {"gtts"}
    path = audio.audio_path(vrt.config, "Thank you.", "en")
    assert path is not None and path.stem == audio.audio_key("Thank you.", "en", "gtts")
    assert audio.audio_path(vrt.config, "Thank you.", "cy") is None  # the language is part of the key


def test_a_second_build_makes_nothing(vrt: Runtime) -> None:
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        audio.build(vrt.config, FEW)
        asked = len(mock.calls)
        again = audio.build(vrt.config, FEW)
        assert len(mock.calls) == asked  # no request at all the second time
    assert again.built == [] and again.cached == 3


@pytest.mark.skipif(not audio._offline_available(), reason="espeak-ng and lame are not installed")
def test_unreachable_gtts_falls_back_to_espeak_ng_with_no_empty_files(vrt: Runtime) -> None:
    with responses.RequestsMock() as mock:
        mock.post(GTTS_URL, body=requests.ConnectionError("no route to translate.google.co.uk"))
        report = audio.build(vrt.config, FEW)
        assert len(mock.calls) == 1  # given up after the first failure, not once per text
    assert report.gtts_error and [engine for engine, _, _ in report.built] == ["espeak"] * 3
    files = _files(vrt)
    assert len(files) == 3
    for file in files:
        data = file.read_bytes()
        assert len(data) > 1000 and (data[:3] == b"ID3" or data[0] == 0xFF)  # an mp3 from lame
    assert not list(audio.cache_dir(vrt.config).glob(".building-*"))


def test_with_no_engine_at_all_prompts_are_left_to_say_and_no_file_is_written(
    vrt: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no espeak-ng, no lame
    with responses.RequestsMock() as mock:
        mock.post(GTTS_URL, body=requests.ConnectionError("offline"))
        report = audio.build(vrt.config, FEW)
    assert report.built == [] and len(report.left_to_say) == 3
    assert [p for p in audio.cache_dir(vrt.config).iterdir() if p.name != "manifest.json"] == []


def test_a_refused_text_leaves_no_zero_byte_file(
    vrt: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with responses.RequestsMock() as mock:
        mock.post(GTTS_URL, body="no audio here", status=200)  # gTTS writes nothing, then raises
        report = audio.build(vrt.config, FEW[:1])
    assert report.built == [] and report.left_to_say == FEW[:1]
    assert not [
        p for p in audio.cache_dir(vrt.config).iterdir() if p.suffix == ".mp3" or p.name.startswith(".")
    ]


def test_the_command_builds_every_voice_prompt_with_a_progress_bar_and_no_first_names(
    voice_app: Flask, vrt: Runtime
) -> None:
    make_participant(vrt, channel="voice")
    texts = texts_to_build(vrt, ["practice_review_experience"], ["en"])
    spoken = {text for _, text in texts}
    assert "Press 1 for yes, 2 for no." in spoken or any("Press 1 for yes" in t for t in spoken)
    assert any("Northshire Council" in t for t in spoken)  # filled with the review's council
    assert not any(STAND_IN_NAME.lower() in t.lower() or "Priya" in t for t in spoken)
    assert {lang for lang, _ in texts} == {"en"}
    runner = voice_app.test_cli_runner()
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        result = runner.invoke(
            main, ["audio", "build", "--flow", "practice_review_experience", "--lang", "en"]
        )
        again = runner.invoke(
            main, ["audio", "build", "--flow", "practice_review_experience", "--lang", "en"]
        )
    assert result.exit_code == 0, result.output
    assert f"{len(texts)} made now (gTTS {len(texts)}" in result.output
    assert "Speaking prompts" in result.output  # the progress bar's label
    assert "0 made now" in again.output and f"{len(texts)} already cached" in again.output
    assert len(_files(vrt)) == len(texts)


def test_audio_is_served_as_mpeg_and_only_by_hash(vrt: Runtime, voice_client: FlaskClient) -> None:
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        audio.build(vrt.config, FEW)
    url = audio.audio_url(vrt.config, "Thank you.", "en")
    assert url and url.startswith("http://localhost/audio/")
    response = voice_client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert response.data == FAKE_MP3
    assert voice_client.get("/audio/manifest.mp3").status_code == 404
    assert voice_client.get("/audio/" + "0" * 64 + ".mp3").status_code == 404


def test_telegram_voice_notes_use_the_same_cache(vrt: Runtime) -> None:
    assert voice_file(vrt, "Thank you.", "en") is None
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        audio.build(vrt.config, FEW)
    assert voice_file(vrt, "Thank you.", "en") == audio.audio_path(vrt.config, "Thank you.", "en")


def test_the_voice_webhook_plays_cached_audio_and_makes_no_network_call(
    vrt: Runtime, voice_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_participant(vrt, channel="voice", variant="standard")
    with responses.RequestsMock() as mock:
        intercept_gtts(mock)
        audio.build(vrt.config, texts_to_build(vrt, ["practice_review_experience"], ["en"]))

    opened: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        opened.append(address)
        raise AssertionError(f"the voice webhook opened a connection to {address}")

    # Python-level sockets only (psycopg talks to PostgreSQL through libpq, below this).
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    sid = "CA" + "e" * 32
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:  # no URL registered
        first = post_call(voice_client, 0, call_form(sid))
        second = post_call(voice_client, 1, call_form(sid, Digits="1"))
        assert len(mock.calls) == 0
    assert opened == []
    assert first.status == 200 and second.status == 200
    plays = [e.text for r in (first, second) for e in r.root.iter("Play")]
    assert plays and all(url.startswith("http://localhost/audio/") for url in plays)
    assert "Priya" in first.spoken  # the first name is said by <Say>, never sent to gTTS
    assert "Priya" not in " ".join(plays)
    assert os.environ.get("PATH")  # (the guard did not disturb the environment)
