"""Train a tiny GPT-style model on CPU from the streaming loader, checkpoint, resume exactly.

    python examples/train_tiny.py --out runs/tiny --steps 300 --checkpoint-at 150
    python examples/train_tiny.py --out runs/tiny-resumed --steps 300 \
        --resume runs/tiny/checkpoint-150.pt --workers 2

The first command trains for 300 steps and saves, at step 150, the model, the optimizer and
the loader's state in one checkpoint. The second starts a fresh process from that checkpoint
(here with two DataLoader workers instead of none) and trains to step 300. Both write
``losses.json``; the resumed run's losses equal the uninterrupted run's from step 151 on, bit
for bit, because the loader hands out exactly the batches the first run would have seen.

Without ``--shards`` the data is the bundled sample corpus (``examples/data``): its notes as
text and its sample repository as code, tokenized with the quickstart tokenizer into two
shard sets mixed 70/30, with fill-in-the-middle on the code at rate 0.5. ``--shards
PATH=WEIGHT`` (repeatable) trains on shard sets made by the pipeline's ``tokenize`` stage.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from polycorpus.tokenizer.load import load_tokenizer
from polycorpus.tokenizer.loader.torch_dataset import StreamingDataLoader, StreamingDataset
from polycorpus.tokenizer.shardwrite import ShardDocuments, write_shard_set

EXAMPLES = REPO / "examples"
CODE_SUFFIXES = {".py", ".c", ".js", ".ts", ".json", ".toml"}


def sample_shard_sets(directory: Path) -> list[tuple[str, float]]:
    """The sample corpus as two shard sets: notes (text, 0.7) and the sample repository
    (code, 0.3). Written once; a second call finds them."""
    tokenizer = load_tokenizer(EXAMPLES / "tokenizer")
    notes = [json.loads(line)["text"] for line in
             (EXAMPLES / "data" / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    code = [p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / "data" / "code").rglob("*"))
            if p.suffix in CODE_SUFFIXES]
    sets = []
    for name, kind, texts, weight in (("notes", "text", notes, 0.7), ("code", "code", code, 0.3)):
        target = directory / name
        if not (target / "manifest.json").is_file():
            docs = [np.append(ids, tokenizer.eod_id).astype(tokenizer.token_dtype)
                    for ids in tokenizer.encode_batch(texts)]
            write_shard_set(target, {f"{name}-0000": ShardDocuments(name, kind, docs)}, tokenizer)
        sets.append((str(target), weight))
    return sets


class TinyGPT(nn.Module):
    """Token + position embeddings, a few causal pre-norm transformer blocks, tied head."""

    def __init__(self, vocab: int, seq_len: int, width: int = 64, layers: int = 2, heads: int = 4) -> None:
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.positions = nn.Embedding(seq_len, width)
        block = nn.TransformerEncoderLayer(width, heads, 4 * width, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(seq_len))
        for table in (self.tokens, self.positions):  # small, as GPT-2: the head is tied
            nn.init.normal_(table.weight, std=0.02)

    def forward(self, inputs: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        hidden = self.tokens(inputs) + self.positions(positions)
        hidden = self.blocks(hidden, mask=self.causal, is_causal=True)
        return self.norm(hidden) @ self.tokens.weight.T


def parse_shards(values: list[str]) -> list[tuple[str, float]]:
    out = []
    for value in values:
        path, _, weight = value.partition("=")
        out.append((path, float(weight) if weight else 1.0))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for losses and checkpoints")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--checkpoint-at", type=int, action="append", default=[],
                        help="save a checkpoint after this step (repeatable)")
    parser.add_argument("--resume", type=Path, help="continue from this checkpoint")
    parser.add_argument("--shards", action="append", default=[], help="PATH=WEIGHT (repeatable)")
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)  # the same reduction order in every run: bit-exact losses
    torch.use_deterministic_algorithms(True)
    args.out.mkdir(parents=True, exist_ok=True)
    sources = parse_shards(args.shards) or sample_shard_sets(args.out.parent / "tiny-shards")
    dataset = StreamingDataset(sources, seq_len=args.seq_len, batch_size=args.batch_size,
                               seed=args.seed, fim_rate=0.5, return_position_ids=True,
                               return_loss_mask=True)
    loader = StreamingDataLoader(dataset, num_workers=args.workers)
    vocab = dataset.stream.sets[0].manifest.tokenizer.vocab_size
    model = TinyGPT(vocab, args.seq_len)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    step, losses = 0, {}
    if args.resume:
        checkpoint = torch.load(args.resume, weights_only=False)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        loader.load_state_dict(checkpoint["loader"])
        step = checkpoint["step"]
        print(f"resumed at step {step} (loader epoch {checkpoint['loader']['epoch']}, "
              f"position {checkpoint['loader']['position']})")
    while step < args.steps:
        for batch in loader:
            tokens = batch["tokens"].long()
            logits = model(tokens[:, :-1], batch["position_ids"].long())
            per_token = nn.functional.cross_entropy(logits.reshape(-1, vocab),
                                                    tokens[:, 1:].reshape(-1), reduction="none")
            mask = batch["loss_mask"].reshape(-1).float()
            loss = (per_token * mask).sum() / mask.sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            losses[step] = loss.item()
            if step % 25 == 0 or step == 1:
                print(f"step {step:4d}  epoch {batch['epoch']}  loss {losses[step]:.4f}  "
                      f"ppl {math.exp(losses[step]):.1f}")
            if step in args.checkpoint_at:
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "loader": loader.state_dict(), "step": step},
                           args.out / f"checkpoint-{step}.pt")
            if step >= args.steps:
                break
    (args.out / "losses.json").write_text(json.dumps(losses, indent=0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
