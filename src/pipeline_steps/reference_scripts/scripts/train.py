"""PyTorch training script following PYTORCH_TRAIN_CONTRACT.

Trains a multilayer perceptron for binary classification (one logit, BCEWithLogitsLoss)
on CSV data: label first (0 or 1), then the features, no header. Every hyperparameter
of ``PyTorchHyperparameters`` is honoured; ``pytorch_hyperparameters.json``, beside this
script, holds their defaults and rules (the model reads it too). An unknown name or a bad
value stops the script at start-up with one line on stderr and exit status 2.

Where things are (``job_io`` reads SageMaker's variables, each with the contract's path
as its default, so the script also runs outside a container): training rows in
``SM_CHANNEL_TRAIN`` (every file, read recursively; hidden and empty files skipped), the
optional ``SM_CHANNEL_VALIDATION`` (loss and accuracy after each epoch),
``hyperparameters.json`` in ``SM_CHANNEL_CONFIG``; ``model.pt`` (state dict) and
``model.json`` go to ``SM_MODEL_DIR``, ``metrics.json`` and ``history.json`` to
``SM_OUTPUT_DATA_DIR``, and ``checkpoint.pt`` after every epoch to
``$PIPELINE_CHECKPOINT_DIR`` (default ``/opt/ml/checkpoints``).

SageMaker syncs /opt/ml/checkpoints with the job's ``checkpoint_s3_uri``, so a job that
is restarted (a spot interruption) resumes from the last finished epoch with its loss
history. Mixed precision (``use_amp``) autocasts to bfloat16 on CPU and to float16 with a
GradScaler on CUDA. Runs on the Python of the PyTorch training image and imports only
the standard library, torch and ``job_io`` (beside this script).
"""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import job_io
from job_io import ScriptError

CHECKPOINT_DIR = Path(os.environ.get("PIPELINE_CHECKPOINT_DIR", "/opt/ml/checkpoints"))
CHECKPOINT_FILE = "checkpoint.pt"

TABLE = job_io.data_file("pytorch_hyperparameters.json")
HYPERPARAMETERS: dict[str, dict[str, Any]] = TABLE["parameters"]
"""name -> its default and JSON Schema rules, as PyTorchHyperparameters declares them."""
MOMENTUM_OPTIMIZERS: tuple[str, ...] = tuple(TABLE["momentum_optimizers"])


def describe(rules: dict[str, Any]) -> str:
    """What a value of ``rules`` looks like: 'an integer in [1, 10000]', 'one of a, b'."""
    if rules["type"] == "boolean":
        return "true or false"
    if "enum" in rules:
        return "one of " + ", ".join(rules["enum"])
    low = rules.get("minimum", rules.get("exclusiveMinimum"))
    high = rules.get("maximum", rules.get("exclusiveMaximum", "inf"))
    opening = "(" if "exclusiveMinimum" in rules else "["
    closing = ")" if "exclusiveMaximum" in rules else "]"
    noun = "an integer" if rules["type"] == "integer" else "a number"
    return f"{noun} in {opening}{low}, {high}{closing}"


def follows(value: Any, rules: dict[str, Any]) -> bool:
    """Whether ``value`` (from JSON) has the type, choice and bounds ``rules`` state."""
    if rules["type"] == "boolean":
        return isinstance(value, bool)
    if "enum" in rules:
        return value in rules["enum"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if rules["type"] == "integer" and not isinstance(value, int):
        return False
    return (
        math.isfinite(value)
        and value >= rules.get("minimum", -math.inf)
        and value > rules.get("exclusiveMinimum", -math.inf)
        and value <= rules.get("maximum", math.inf)
        and value < rules.get("exclusiveMaximum", math.inf)
    )


def check_hyperparameters(given: dict[str, Any]) -> dict[str, Any]:
    """The hyperparameters with defaults filled in; ScriptError on any unknown or bad value."""
    unknown = job_io.unknown_names_problem(given, HYPERPARAMETERS)
    if unknown:
        raise ScriptError(unknown)
    checked: dict[str, Any] = {}
    for name, rules in HYPERPARAMETERS.items():
        value = given.get(name, rules["default"])
        if value is None and rules["default"] is None:
            checked[name] = None
            continue
        if not follows(value, rules):
            raise ScriptError(
                f"hyperparameter {name!r} is {json.dumps(value)}; expected {describe(rules)}"
            )
        checked[name] = float(value) if rules["type"] == "number" else value
    if checked["momentum"] is not None and checked["optimizer"] not in MOMENTUM_OPTIMIZERS:
        raise ScriptError(
            f"hyperparameter 'momentum' is not used by optimizer {checked['optimizer']!r}; "
            f"remove it or use {' or '.join(MOMENTUM_OPTIMIZERS)}"
        )
    return checked


def binary_label(values: list[float], cells: list[str]) -> str | None:
    """This script's rule for a training row: finite numbers, and a label of 0 or 1."""
    if not all(math.isfinite(value) for value in values):
        return "NaN or infinity in the data"
    if values[0] not in (0.0, 1.0):
        return f"label {cells[0]!r} is not 0 or 1 (this script trains a binary classifier)"
    return None


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


def train(hp: dict[str, Any]) -> None:
    """Train (resuming from a checkpoint when there is one) and write every output."""
    train_rows, validation_rows = job_io.training_rows(binary_label)
    width = len(train_rows[0])
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
    model_dir = job_io.model_dir()
    model_dir.mkdir(parents=True, exist_ok=True)
    torch.save(trainer.model.state_dict(), model_dir / "model.pt")
    job_io.write_json(
        model_dir / "model.json",
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
    job_io.write_json(job_io.output_data_dir() / "metrics.json", metrics)
    job_io.write_json(job_io.output_data_dir() / "history.json", history)


def main() -> None:
    """Check the hyperparameters before importing torch, then train."""
    train(check_hyperparameters(job_io.training_hyperparameters()))


if __name__ == "__main__":
    sys.exit(job_io.run(main, __file__))
