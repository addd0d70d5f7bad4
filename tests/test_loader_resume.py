"""Exact elastic resume through real torch DataLoaders with worker processes.

The reference is one uninterrupted run (1 rank, in-process) over two epochs. Every other run
simulates ``world_size`` ranks in this process (one StreamingDataset + DataLoader per rank,
stepped in lockstep), stops at the start, middle or end of an epoch (or twice in one epoch),
saves the state, and continues in fresh loaders with another world size and worker count. The
global batches (ranks concatenated) must equal the reference's, tokens, position ids and loss
masks alike.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from loader_support import REPO, make_set
from support import NO_TORCH

torch = pytest.importorskip("torch", reason=NO_TORCH)
from polycorpus.tokenizer.loader.torch_dataset import StreamingDataLoader, StreamingDataset

GLOBAL_BATCH = 4
STEPS = 12  # per epoch
WORLDS, WORKERS = (1, 2, 4), (0, 1, 2)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("resume")
    sets = [make_set(root / "web", {"w0": ("web", "web", 40), "w1": ("web", "web", 40)}, seed=1),
            make_set(root / "code", {"c0": ("code", "code", 50)}, seed=2)]
    options = {"sources": [(str(sets[0]), 0.7), (str(sets[1]), 0.3)], "seq_len": 16, "seed": 7,
               "fim_rate": 0.5, "return_position_ids": True, "return_loss_mask": True,
               "samples_per_epoch": GLOBAL_BATCH * STEPS, "cache_dir": str(root / "cache")}
    reference, _ = run(options, world=1, workers=0, state=None, until_step=2 * STEPS)
    assert len(reference) == 2 * STEPS
    return {"options": options, "reference": reference}


def run(options: dict, world: int, workers: int, state: dict | None, until_step: int,
        stop_after: int | None = None) -> tuple[list[dict], dict]:
    """Global batches from ``world`` ranks with ``workers`` DataLoader workers each."""
    loaders = []
    for rank in range(world):
        dataset = StreamingDataset(batch_size=GLOBAL_BATCH // world, rank=rank, world_size=world,
                                   **options)
        loader = StreamingDataLoader(dataset, num_workers=workers)
        if state is not None:
            loader.load_state_dict(state)
        loaders.append(loader)
    out: list[dict] = []
    while loaders[0].state_dict()["step"] < until_step:
        for batches in zip(*(iter(loader) for loader in loaders)):
            assert len({b["step"] for b in batches}) == 1
            out.append({"step": batches[0]["step"], **{
                key: torch.cat([b[key] for b in batches]).numpy()
                for key in ("tokens", "position_ids", "loss_mask")}})
            if len(out) == stop_after:
                break
        if len(out) == stop_after:
            break
    states = [loader.state_dict() for loader in loaders]
    assert all(s == states[0] for s in states)
    return out, states[0]


def assert_same(got: list[dict], reference: list[dict]) -> None:
    assert [b["step"] for b in got] == [b["step"] for b in reference]
    for a, b in zip(got, reference, strict=True):
        for key in ("tokens", "position_ids", "loss_mask"):
            assert np.array_equal(a[key], b[key]), (a["step"], key)
        assert a["tokens"].dtype == np.uint16


POINTS = {"start": [1], "middle": [STEPS // 2], "end": [STEPS], "twice": [STEPS // 4, 3 * STEPS // 4]}
CASES = [(w, n, point) for (w, n), point in product(product(WORLDS, WORKERS), POINTS)]


@pytest.mark.parametrize(("world", "workers", "point"), CASES)
def test_resume_matrix(setup: dict, world: int, workers: int, point: str) -> None:
    """Before: (world, workers); after each stop the next world size and worker count."""
    options, reference = setup["options"], setup["reference"]
    configs = [(world, workers)]
    for _ in POINTS[point]:
        w, n = configs[-1]
        configs.append((WORLDS[(WORLDS.index(w) + 1) % 3], WORKERS[(WORKERS.index(n) + 1) % 3]))
    got, state = [], None
    for stop, (w, n) in zip([*POINTS[point], None], configs, strict=True):
        if stop is None:
            part, state = run(options, w, n, state, until_step=2 * STEPS)
        else:
            part, state = run(options, w, n, state, until_step=STEPS,
                              stop_after=stop - len(got) if stop < STEPS else None)
            assert state["step"] == stop and state["epoch"] == stop // STEPS
            state = json.loads(json.dumps(state))  # what a checkpoint file keeps
        got += part
    assert_same(got, reference)


def test_resume_in_a_fresh_process(setup: dict, tmp_path: Path) -> None:
    options, reference = setup["options"], setup["reference"]
    _, state = run(options, world=2, workers=1, state=None, until_step=STEPS, stop_after=5)
    (tmp_path / "state.json").write_text(json.dumps(state))
    (tmp_path / "options.json").write_text(json.dumps(options))
    script = textwrap.dedent("""
        import json, sys, hashlib
        from polycorpus.tokenizer.loader.torch_dataset import StreamingDataLoader, StreamingDataset
        options = json.load(open(sys.argv[1])); state = json.load(open(sys.argv[2]))
        options["sources"] = [tuple(s) for s in options["sources"]]
        loader = StreamingDataLoader(StreamingDataset(batch_size=4, **options), num_workers=2)
        loader.load_state_dict(state)
        for batch in loader:
            print(batch["step"], hashlib.sha256(batch["tokens"].numpy().tobytes()).hexdigest())
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "options.json"),
                             str(tmp_path / "state.json")], check=False, cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    expected = [f"{b['step']} {hashlib.sha256(b['tokens'].tobytes()).hexdigest()}"
                for b in reference[5:STEPS]]
    assert result.stdout.split("\n")[:-1] == expected


def test_loader_refuses_persistent_workers(setup: dict) -> None:
    dataset = StreamingDataset(batch_size=4, **setup["options"])
    with pytest.raises(ValueError, match="persistent_workers"):
        StreamingDataLoader(dataset, num_workers=1, persistent_workers=True)


def test_plain_dataloader_gives_the_same_batches(setup: dict) -> None:
    """Without StreamingDataLoader (no state tracking) the batches are the same tensors."""
    dataset = StreamingDataset(batch_size=4, **setup["options"])
    plain = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2)
    got = [batch["tokens"] for batch in plain]
    assert len(got) == STEPS
    assert all(torch.equal(a, torch.from_numpy(b["tokens"]))
               for a, b in zip(got, setup["reference"], strict=False))


def test_rank_and_world_size_come_from_torch_distributed(setup: dict, tmp_path: Path) -> None:
    """Two real processes in a gloo group, no rank arguments: each gets its half of every
    global batch."""
    (tmp_path / "options.json").write_text(json.dumps(setup["options"]))
    script = textwrap.dedent("""
        import hashlib, json, sys
        import torch.distributed as dist
        from polycorpus.tokenizer.loader.torch_dataset import StreamingDataLoader, StreamingDataset
        rank, store, options = int(sys.argv[1]), sys.argv[2], json.load(open(sys.argv[3]))
        dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=2)
        options["sources"] = [tuple(s) for s in options["sources"]]
        dataset = StreamingDataset(batch_size=2, **options)
        for batch in StreamingDataLoader(dataset, num_workers=1):
            print(batch["step"], hashlib.sha256(batch["tokens"].numpy().tobytes()).hexdigest())
        dist.barrier()
        dist.destroy_process_group()
    """)
    processes = [subprocess.Popen([sys.executable, "-c", script, str(rank), str(tmp_path / "store"),
                                   str(tmp_path / "options.json")], cwd=REPO,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for rank in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err for _, err in outputs]
    for rank, (stdout, _) in enumerate(outputs):
        expected = [f"{b['step']} {hashlib.sha256(b['tokens'][2 * rank: 2 * rank + 2].tobytes()).hexdigest()}"
                    for b in setup["reference"][:STEPS]]
        assert stdout.split("\n")[:-1] == expected
