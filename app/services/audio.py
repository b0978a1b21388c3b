"""The audio cache: prompts spoken ahead of time, looked up (never made) while someone waits.

`heard audio build` renders each text with gTTS (British English through
translate.google.co.uk, Welsh ``cy``), or, when gTTS can't be reached, with
espeak-ng + lame if they are installed; what neither can make is left to
Twilio's ``<Say>``. A file is named by the sha256 of (engine, language, text),
written to a temporary name and renamed, so a failed request (gTTS leaves a
0-byte file behind) never looks like audio. ``manifest.json`` lists what each
file says. Lookups try the gTTS file first, then the offline one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from gtts import gTTS
from gtts.tts import gTTSError

ENGINES = ("gtts", "espeak")  # in order of preference
GTTS_VOICES = {"en": ("en", "co.uk"), "cy": ("cy", "co.uk")}  # language -> (gTTS lang, tld)
ESPEAK_VOICES = {"en": "en-gb", "cy": "cy"}
MANIFEST = "manifest.json"
_HASH = re.compile(r"^[0-9a-f]{64}$")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\s*\n+\s*")


def audio_key(text: str, language: str, engine: str) -> str:
    return hashlib.sha256(f"{engine}\n{language}\n{text.strip()}".encode()).hexdigest()


def cache_dir(config: Mapping[str, Any]) -> Path:
    return Path(str(config["AUDIO_CACHE_DIR"]))


def audio_path(config: Mapping[str, Any], text: str, language: str) -> Path | None:
    """The cached recording of exactly ``text`` in ``language``, or None. Reads the disk, nothing more."""
    if not text.strip():
        return None
    folder = cache_dir(config)
    for engine in ENGINES:
        path = folder / f"{audio_key(text, language, engine)}.mp3"
        if path.is_file():
            return path
    return None


def audio_url(config: Mapping[str, Any], text: str, language: str) -> str | None:
    """Where a browser or Twilio can fetch the recording of ``text`` (absolute, as <Play> needs)."""
    path = audio_path(config, text, language)
    return f"{config['PUBLIC_BASE_URL']}/audio/{path.stem}.mp3" if path else None


def file_for_hash(config: Mapping[str, Any], key: str) -> Path | None:
    """The file served at /audio/<key>.mp3; only a well-formed hash is ever joined to a path."""
    if not _HASH.match(key):
        return None
    path = cache_dir(config) / f"{key}.mp3"
    return path if path.is_file() else None


def sentences(text: str) -> list[str]:
    """A prompt in sentences: the parts a call can play one by one when the whole isn't cached."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def spoken(config: Mapping[str, Any], text: str, language: str) -> list[tuple[str, str | None]]:
    """``text`` as a call should speak it, as (words, recording url or None for <Say>).

    One recording of the whole when there is one, else sentence by sentence:
    sentences with a person's first name are never sent to gTTS (see
    audio_texts), so <Say> speaks them between recorded sentences.
    """
    if not text.strip():
        return []
    whole = audio_url(config, text, language)
    if whole:
        return [(text, whole)]
    merged: list[tuple[str, str | None]] = []
    for part in sentences(text):
        url = audio_url(config, part, language)
        if url is None and merged and merged[-1][1] is None:
            merged[-1] = (f"{merged[-1][0]} {part}", None)  # one <Say> for words side by side
        else:
            merged.append((part, url))
    return merged


def describe(config: Mapping[str, Any], key: str) -> str | None:
    """What a cached file says (from the manifest), for the sandbox's script of a call."""
    entry = read_manifest(cache_dir(config)).get(key)
    return entry.get("text") if entry else None


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


# -- building -----------------------------------------------------------------


@dataclass
class BuildReport:
    built: list[tuple[str, str, str]] = field(default_factory=list)  # (engine, language, text)
    cached: int = 0
    left_to_say: list[tuple[str, str]] = field(default_factory=list)  # (language, text)
    gtts_error: str | None = None


class _Unreachable(Exception):
    """gTTS could not be reached: stop asking it for the rest of this build."""


def build(
    config: Mapping[str, Any],
    texts: Iterable[tuple[str, str]],
    *,
    on_each: Callable[[], None] | None = None,
) -> BuildReport:
    """Make a recording of each (language, text) that has none yet; idempotent."""
    folder = cache_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(folder)
    report = BuildReport()
    timeout = float(config.get("AUDIO_BUILD_TIMEOUT") or 15)
    offline = _offline_available()
    gtts_ok = True
    for language, text in texts:
        if audio_path(config, text, language) is not None:
            report.cached += 1
        else:
            engine = None
            if gtts_ok:
                try:
                    engine = _make(folder, text, language, "gtts", timeout)
                except _Unreachable as error:
                    gtts_ok, report.gtts_error = False, str(error)
            if engine is None and offline and language in ESPEAK_VOICES:
                engine = _make(folder, text, language, "espeak", timeout)
            if engine is None:
                report.left_to_say.append((language, text))
            else:
                report.built.append((engine, language, text))
                key = audio_key(text, language, engine)
                manifest[key] = {"text": text.strip(), "language": language, "engine": engine}
        if on_each:
            on_each()
    _write_atomically(
        folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    )
    return report


def _make(folder: Path, text: str, language: str, engine: str, timeout: float) -> str | None:
    """Render into a temporary file and rename it into place only if it holds audio."""
    final = folder / f"{audio_key(text, language, engine)}.mp3"
    handle, name = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=".mp3")
    os.close(handle)
    temp = Path(name)
    try:
        if engine == "gtts":
            _gtts(text.strip(), language, temp, timeout)
        else:
            _espeak(text.strip(), language, temp)
        if temp.stat().st_size == 0:
            return None
        temp.replace(final)
        return engine
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        temp.unlink(missing_ok=True)


def _gtts(text: str, language: str, path: Path, timeout: float) -> None:
    lang, tld = GTTS_VOICES[language]
    try:
        with path.open("wb") as out:
            gTTS(text, lang=lang, tld=tld, timeout=timeout, lang_check=False).write_to_fp(out)
    except gTTSError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, requests.ConnectionError | requests.Timeout) or getattr(error, "rsp", 1) is None:
            raise _Unreachable(str(error)) from error
        raise OSError(str(error)) from error  # one text refused: the others may still work


def _offline_available() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("lame") is not None


def _espeak(text: str, language: str, path: Path) -> None:
    wav = path.with_suffix(".wav")
    try:
        subprocess.run(
            ["espeak-ng", "-v", ESPEAK_VOICES[language], "-s", "150", "-w", str(wav), "--stdin"],
            input=text.encode(),
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            ["lame", "--quiet", "-V", "6", str(wav), str(path)], check=True, capture_output=True, timeout=60
        )
    finally:
        wav.unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".manifest-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    Path(name).replace(path)
