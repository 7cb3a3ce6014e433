"""PyTorch training script following PYTORCH_TRAIN_CONTRACT.

Trains a multilayer perceptron for binary classification (one logit, BCEWithLogitsLoss)
on CSV data: label first (0 or 1), then the features, no header. Every hyperparameter
of ``PyTorchHyperparameters`` is honoured; an unknown name stops the script at start-up
with one line on stderr and exit status 1.

Every location comes from SageMaker's training environment, with the contract's paths
as defaults, so the script also runs outside a container:

=========================  ================================  ==================================
variable                   default                           holds
=========================  ================================  ==================================
SM_CHANNEL_TRAIN           /opt/ml/input/data/train          training rows: every file, read
                                                             recursively (hidden files skipped)
SM_CHANNEL_VALIDATION      /opt/ml/input/data/validation     optional; loss and accuracy each
                                                             epoch
SM_CHANNEL_CONFIG          /opt/ml/input/data/config         hyperparameters.json (an object)
SM_MODEL_DIR               /opt/ml/model                     model.pt (state dict), model.json
SM_OUTPUT_DATA_DIR         /opt/ml/output/data               metrics.json, history.json
PIPELINE_CHECKPOINT_DIR    /opt/ml/checkpoints               checkpoint.pt after every epoch
=========================  ================================  ==================================

SageMaker syncs /opt/ml/checkpoints with the job's ``checkpoint_s3_uri``, so a job that
is restarted (a spot interruption) resumes from the last finished epoch with its loss
history. Mixed precision (``use_amp``) autocasts to bfloat16 on CPU and to float16 with a
GradScaler on CUDA. Runs on the Python of the PyTorch training image and imports only
the standard library and torch.
"""

from __future__ import annotations

import csv
import difflib
import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

SCRIPT = "train.py"
TRAIN_DIR = Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
VALIDATION_DIR = Path(os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
CONFIG_DIR = Path(os.environ.get("SM_CHANNEL_CONFIG", "/opt/ml/input/data/config"))
MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))
CHECKPOINT_DIR = Path(os.environ.get("PIPELINE_CHECKPOINT_DIR", "/opt/ml/checkpoints"))
HYPERPARAMETERS_FILE = "hyperparameters.json"
CHECKPOINT_FILE = "checkpoint.pt"

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")
MOMENTUM_OPTIMIZERS = ("rmsprop", "sgd")

# name: (default, kind, bounds). Bounds of a number: (low, high, interval), where high
# None means unbounded and interval is "[]", "[)" or "(]". Same as PyTorchHyperparameters.
HYPERPARAMETERS: dict[str, tuple[Any, str, Any]] = {
    "learning_rate": (1e-3, "float", (0.0, 10.0, "(]")),
    "batch_size": (32, "int", (1, 65_536, "[]")),
    "epochs": (10, "int", (1, 10_000, "[]")),
    "hidden_size": (128, "int", (1, 65_536, "[]")),
    "num_layers": (2, "int", (1, 1_000, "[]")),
    "dropout": (0.1, "float", (0.0, 1.0, "[)")),
    "optimizer": ("adam", "choice", OPTIMIZERS),
    "weight_decay": (0.0, "float", (0.0, 1.0, "[]")),
    "momentum": (None, "float", (0.0, 1.0, "[)")),
    "gradient_clip_norm": (None, "float", (0.0, None, "(]")),
    "seed": (42, "int", (0, 2**32 - 1, "[]")),
    "use_amp": (False, "bool", None),
}


class ScriptError(Exception):
    """A problem with the script's input, reported as one line on stderr."""


def _in_bounds(value: float, bounds: tuple[Any, Any, str]) -> bool:
    low, high, interval = bounds
    above = value > low if interval[0] == "(" else value >= low
    below = high is None or (value < high if interval[1] == ")" else value <= high)
    return above and below


def _describe(kind: str, bounds: Any) -> str:
    if kind == "bool":
        return "true or false"
    if kind == "choice":
        return "one of " + ", ".join(bounds)
    low, high, interval = bounds
    noun = "an integer" if kind == "int" else "a number"
    return f"{noun} in {interval[0]}{low}, {'inf' if high is None else high}{interval[1]}"


def _valid(value: Any, kind: str, bounds: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "choice":
        return value in bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if kind == "int" and not isinstance(value, int):
        return False
    return math.isfinite(value) and _in_bounds(value, bounds)


def check_hyperparameters(given: object) -> dict[str, Any]:
    """The hyperparameters with defaults filled in; ScriptError on any unknown or bad value."""
    if not isinstance(given, dict):
        raise ScriptError(f"hyperparameters must be a JSON object, not {type(given).__name__}")
    unknown = [name for name in given if name not in HYPERPARAMETERS]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(str(name), sorted(HYPERPARAMETERS), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ScriptError(
            f"unknown hyperparameter(s) {', '.join(hints)}; known names: "
            + ", ".join(sorted(HYPERPARAMETERS))
        )
    checked: dict[str, Any] = {}
    for name, (default, kind, bounds) in HYPERPARAMETERS.items():
        value = given.get(name, default)
        if value is None and default is None:
            checked[name] = None
            continue
        if not _valid(value, kind, bounds):
            raise ScriptError(
                f"hyperparameter {name!r} is {json.dumps(value)}; expected "
                + _describe(kind, bounds)
            )
        checked[name] = float(value) if kind == "float" else value
    if checked["momentum"] is not None and checked["optimizer"] not in MOMENTUM_OPTIMIZERS:
        raise ScriptError(
            f"hyperparameter 'momentum' is not used by optimizer {checked['optimizer']!r}; "
            "remove it or use sgd or rmsprop"
        )
    return checked


def load_hyperparameters(folder: Path = CONFIG_DIR) -> dict[str, Any]:
    """The checked hyperparameters from the config channel's JSON file."""
    path = folder / HYPERPARAMETERS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScriptError(f"cannot read the hyperparameters file {path}: {error}") from None
    try:
        given = json.loads(text)
    except ValueError as error:
        raise ScriptError(f"{path} is not JSON: {error}") from None
    return check_hyperparameters(given)


def channel_files(folder: Path) -> list[Path]:
    """Every non-hidden file under ``folder``, sorted; empty when the channel is absent."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )


def load_rows(folder: Path) -> list[list[float]]:
    """Every CSV row of every file of a channel as floats (label first)."""
    rows: list[list[float]] = []
    for path in channel_files(folder):
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                for line, row in enumerate(csv.reader(handle), start=1):
                    if row and any(cell.strip() for cell in row):
                        rows.append(_parse_row(row, path, line, len(rows[0]) if rows else None))
        except UnicodeDecodeError:
            raise ScriptError(f"{path} is not UTF-8 text (a CSV file is expected)") from None
    return rows


def _parse_row(row: list[str], path: Path, line: int, width: int | None) -> list[float]:
    try:
        values = [float(cell) for cell in row]
    except ValueError:
        raise ScriptError(
            f"{path}:{line}: every column must be a number (CSV with the label first and no header)"
        ) from None
    if not all(math.isfinite(value) for value in values):
        raise ScriptError(f"{path}:{line}: NaN or infinity in the data")
    if len(values) < 2:
        raise ScriptError(f"{path}:{line}: a row needs the label and at least one feature")
    if width is not None and len(values) != width:
        raise ScriptError(f"{path}:{line}: {len(values)} columns where earlier rows have {width}")
    if values[0] not in (0.0, 1.0):
        raise ScriptError(
            f"{path}:{line}: label {row[0]!r} is not 0 or 1 (this script trains a binary "
            "classifier)"
        )
    return values


def build_model(torch: Any, architecture: dict[str, Any]) -> Any:
    """The MLP ``architecture`` describes (the same dict that model.json holds)."""
    nn = torch.nn
    layers: list[Any] = []
    width = architecture["input_size"]
    for _ in range(architecture["num_layers"]):
        hidden = architecture["hidden_size"]
        layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(architecture["dropout"])]
        width = hidden
    layers.append(nn.Linear(width, architecture["output_size"]))
    return nn.Sequential(*layers)


def build_optimizer(torch: Any, model: Any, hp: dict[str, Any]) -> Any:
    """The optimizer ``hp['optimizer']`` names, with lr, weight decay and momentum."""
    classes = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "sgd": torch.optim.SGD,
        "rmsprop": torch.optim.RMSprop,
        "adagrad": torch.optim.Adagrad,
    }
    kwargs: dict[str, Any] = {"lr": hp["learning_rate"], "weight_decay": hp["weight_decay"]}
    if hp["optimizer"] in MOMENTUM_OPTIMIZERS:
        kwargs["momentum"] = hp["momentum"] or 0.0
    return classes[hp["optimizer"]](model.parameters(), **kwargs)


class Trainer:
    """Model, optimizer, precision and loss of one run, on one device."""

    def __init__(self, torch: Any, hp: dict[str, Any], architecture: dict[str, Any]) -> None:
        self.torch = torch
        self.hp = hp
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        cuda = self.device.type == "cuda"
        self.amp_dtype = torch.float16 if cuda else torch.bfloat16
        torch.manual_seed(hp["seed"])
        self.model = build_model(torch, architecture).to(self.device)
        self.optimizer = build_optimizer(torch, self.model, hp)
        self.scaler = torch.amp.GradScaler("cuda", enabled=hp["use_amp"] and cuda)
        self.loss_fn = torch.nn.BCEWithLogitsLoss(reduction="sum")

    def autocast(self) -> Any:
        return self.torch.autocast(
            device_type=self.device.type, dtype=self.amp_dtype, enabled=self.hp["use_amp"]
        )

    def train_epoch(self, epoch: int, features: Any, labels: Any) -> float:
        """One pass in an order fixed by seed and epoch; the mean training loss."""
        torch, hp = self.torch, self.hp
        self.model.train()
        shuffle = torch.Generator().manual_seed(hp["seed"] + epoch)
        order = torch.randperm(len(features), generator=shuffle).to(self.device)
        total = 0.0
        for begin in range(0, len(order), hp["batch_size"]):
            batch = order[begin : begin + hp["batch_size"]]
            self.optimizer.zero_grad(set_to_none=True)
            with self.autocast():
                logits = self.model(features[batch])
            loss = self.loss_fn(logits.float(), labels[batch])
            self.scaler.scale(loss / len(batch)).backward()
            if hp["gradient_clip_norm"] is not None:
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), hp["gradient_clip_norm"])
            self.scaler.step(self.optimizer)
            self.scaler.update()
            total += float(loss.detach())
        return total / len(order)

    def evaluate(self, features: Any, labels: Any) -> dict[str, float]:
        """Mean loss and accuracy (logit > 0 means class 1) on held-out rows."""
        self.model.eval()
        loss = correct = 0.0
        with self.torch.no_grad():
            for begin in range(0, len(features), self.hp["batch_size"]):
                rows = slice(begin, begin + self.hp["batch_size"])
                with self.autocast():
                    logits = self.model(features[rows]).float()
                loss += float(self.loss_fn(logits, labels[rows]))
                correct += float(((logits > 0).float() == labels[rows]).sum())
        return {"loss": loss / len(features), "accuracy": correct / len(features)}

    def state(self, epochs_done: int, history: list[dict[str, Any]]) -> dict[str, Any]:
        torch = self.torch
        state = {
            "epochs_done": epochs_done,
            "history": history,
            "hyperparameters": self.hp,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict(),
            "cpu_rng": torch.get_rng_state(),
        }
        if self.device.type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state_all()
        return state

    def restore(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scaler.load_state_dict(state["scaler"])
        self.torch.set_rng_state(state["cpu_rng"])
        if "cuda_rng" in state and self.device.type == "cuda":
            self.torch.cuda.set_rng_state_all(state["cuda_rng"])


def load_checkpoint(torch: Any, path: Path, hp: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint of an earlier attempt of this job, or None; refuse a foreign one."""
    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    before = state["hyperparameters"]
    changed = [n for n in HYPERPARAMETERS if n != "epochs" and before.get(n) != hp[n]]
    if changed:
        raise ScriptError(
            f"checkpoint {path} was written with other hyperparameters ("
            + ", ".join(f"{n}: {before.get(n)!r} -> {hp[n]!r}" for n in changed)
            + "); restore them, or remove the checkpoint to start afresh"
        )
    if state["epochs_done"] > hp["epochs"]:
        raise ScriptError(
            f"checkpoint {path} has {state['epochs_done']} epochs done, more than epochs="
            f"{hp['epochs']}; raise epochs or remove the checkpoint"
        )
    return state


def save_atomically(torch: Any, state: dict[str, Any], path: Path) -> None:
    """Write then rename, so an interruption never leaves half a checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)


def as_tensors(torch: Any, rows: list[list[float]], device: Any) -> tuple[Any, Any]:
    data = torch.tensor(rows, dtype=torch.float32, device=device)
    return data[:, 1:], data[:, :1]


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def train(hp: dict[str, Any]) -> None:
    """Train (resuming from a checkpoint when there is one) and write every output."""
    train_rows = load_rows(TRAIN_DIR)
    if not train_rows:
        raise ScriptError(f"no CSV rows in the train channel {TRAIN_DIR}")
    validation_rows = load_rows(VALIDATION_DIR)
    width = len(train_rows[0])
    if validation_rows and len(validation_rows[0]) != width:
        raise ScriptError(
            f"validation rows have {len(validation_rows[0])} columns, training rows {width}"
        )
    torch = importlib.import_module("torch")
    architecture = {
        "type": "mlp",
        "input_size": width - 1,
        "hidden_size": hp["hidden_size"],
        "num_layers": hp["num_layers"],
        "dropout": hp["dropout"],
        "activation": "relu",
        "output_size": 1,
        "output": "logit of class 1",
    }
    trainer = Trainer(torch, hp, architecture)
    features, labels = as_tensors(torch, train_rows, trainer.device)
    held_out = as_tensors(torch, validation_rows, trainer.device) if validation_rows else None
    checkpoint = CHECKPOINT_DIR / CHECKPOINT_FILE
    history: list[dict[str, Any]] = []
    start = 0
    state = load_checkpoint(torch, checkpoint, hp)
    if state is not None:
        trainer.restore(state)
        history, start = list(state["history"]), state["epochs_done"]
        print(f"resuming after epoch {start} from {checkpoint}", flush=True)
    for epoch in range(start, hp["epochs"]):
        record: dict[str, Any] = {"epoch": epoch + 1}
        record["train_loss"] = trainer.train_epoch(epoch, features, labels)
        if held_out is not None:
            scores = trainer.evaluate(*held_out)
            record["validation_loss"] = scores["loss"]
            record["validation_accuracy"] = scores["accuracy"]
        history.append(record)
        print(" ".join(f"{key}={value:.6g}" for key, value in record.items()), flush=True)
        save_atomically(torch, trainer.state(epoch + 1, history), checkpoint)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(trainer.model.state_dict(), MODEL_DIR / "model.pt")
    write_json(
        MODEL_DIR / "model.json",
        {"architecture": architecture, "state_dict": "model.pt", "torch": torch.__version__},
    )
    last = history[-1]
    metrics = {key: value for key, value in last.items() if key != "epoch"}
    metrics.update(
        epochs=len(history),
        resumed_after_epoch=start,
        train_rows=len(train_rows),
        validation_rows=len(validation_rows),
        device=trainer.device.type,
        amp_dtype=str(trainer.amp_dtype).removeprefix("torch.") if hp["use_amp"] else None,
    )
    write_json(OUTPUT_DATA_DIR / "metrics.json", metrics)
    write_json(OUTPUT_DATA_DIR / "history.json", history)


def main() -> int:
    """Check the hyperparameters before importing torch, then train; 1 on bad input."""
    try:
        train(load_hyperparameters())
    except ScriptError as error:
        print(f"{SCRIPT}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
