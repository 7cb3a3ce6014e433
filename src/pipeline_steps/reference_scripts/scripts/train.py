"""PyTorch training script following PYTORCH_TRAIN_CONTRACT.

A small multilayer perceptron on CSV channels (label in the first column, no
header), configured from the hyperparameters JSON in the config channel;
checkpoints each epoch to /opt/ml/checkpoints and resumes from there.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
from pathlib import Path
from typing import Any

INPUT_ROOT = Path("/opt/ml/input/data")
HYPERPARAMETERS_FILE = INPUT_ROOT / "config" / "hyperparameters.json"
MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))
CHECKPOINT_DIR = Path("/opt/ml/checkpoints")


def load_rows(channel: str) -> list[list[float]]:
    """Every CSV row of a channel as floats; empty when the channel is absent."""
    folder = INPUT_ROOT / channel
    rows: list[list[float]] = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend([float(cell) for cell in row] for row in csv.reader(handle) if row)
    return rows


def build_model(torch: Any, inputs: int, hp: dict[str, Any]) -> Any:
    """An MLP with ``num_layers`` hidden layers of ``hidden_size`` and dropout."""
    nn = torch.nn
    layers: list[Any] = []
    width = inputs
    for _ in range(int(hp.get("num_layers", 2))):
        layers += [nn.Linear(width, int(hp["hidden_size"])), nn.ReLU(), nn.Dropout(hp["dropout"])]
        width = int(hp["hidden_size"])
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def build_optimizer(torch: Any, model: Any, hp: dict[str, Any]) -> Any:
    """The optimizer ``hp['optimizer']`` names, with learning rate and weight decay."""
    classes = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "sgd": torch.optim.SGD,
        "rmsprop": torch.optim.RMSprop,
        "adagrad": torch.optim.Adagrad,
    }
    kwargs: dict[str, Any] = {"lr": hp["learning_rate"], "weight_decay": hp["weight_decay"]}
    if hp.get("momentum") is not None:
        kwargs["momentum"] = hp["momentum"]
    return classes[hp["optimizer"]](model.parameters(), **kwargs)


def main() -> None:
    """Train, checkpointing every epoch, then save the model and the loss history."""
    torch = importlib.import_module("torch")
    hp: dict[str, Any] = json.loads(HYPERPARAMETERS_FILE.read_text(encoding="utf-8"))
    torch.manual_seed(int(hp.get("seed", 42)))
    rows = load_rows("train")
    if not rows:
        raise SystemExit("no CSV rows in the train channel")
    data = torch.tensor(rows)
    labels, features = data[:, :1], data[:, 1:]
    model = build_model(torch, features.shape[1], hp)
    optimizer = build_optimizer(torch, model, hp)
    start = 0
    checkpoint = CHECKPOINT_DIR / "checkpoint.pt"
    if checkpoint.exists():
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = int(state["epoch"]) + 1
    loss_fn = torch.nn.BCEWithLogitsLoss()
    history: list[float] = []
    batch = int(hp["batch_size"])
    for epoch in range(start, int(hp["epochs"])):
        model.train()
        total = 0.0
        for begin in range(0, len(features), batch):
            optimizer.zero_grad()
            loss = loss_fn(model(features[begin : begin + batch]), labels[begin : begin + batch])
            loss.backward()
            if hp.get("gradient_clip_norm"):
                torch.nn.utils.clip_grad_norm_(model.parameters(), hp["gradient_clip_norm"])
            optimizer.step()
            total += float(loss)
        history.append(total)
        CHECKPOINT_DIR.mkdir(parents=True, exist_ok=True)
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}
        torch.save(state, checkpoint)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), MODEL_DIR / "model.pt")
    OUTPUT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DATA_DIR / "loss_history.json").write_text(json.dumps(history), encoding="utf-8")


if __name__ == "__main__":
    main()
