"""Cost of the sentence encoder (docs/NLU.md, "Sentence encoder").

    .venv/bin/python scripts/bench_encoder.py encoder [--threads 1|default]
        the encoder alone over tests/nlu/test_nlu.yml: one message per call (3 rounds)
        and batches of 64; CPU = this process's user+system time
    .venv/bin/python scripts/bench_encoder.py parse MODEL.tar.gz [--threads 1|default]
        the whole NLU parse (Agent.parse_message) over the split, 3 rounds: CPU and wall
        per message, model load time, RSS (Duckling's child process not included)

--threads 1 pins TF to one thread, as bot.scaleout.serve does when serving.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import resource
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["encoder", "parse"])
    parser.add_argument("model", nargs="?")
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    if args.threads != "default":
        os.environ.update(TF_NUM_INTRAOP_THREADS=args.threads, TF_NUM_INTEROP_THREADS=args.threads,
                          OMP_NUM_THREADS=args.threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from tests.nlu_eval import _quiet, load_split

    _quiet()
    texts = [row[0] for row in load_split()]
    rounds, n = 3, 3 * len(texts)
    if args.what == "encoder":
        import tensorflow as tf

        if args.threads != "default":
            tf.config.threading.set_intra_op_parallelism_threads(int(args.threads))
            tf.config.threading.set_inter_op_parallelism_threads(int(args.threads))
        from bot.nlu.sentence_encoder import get_encoder

        c0, w0 = cpu(), time.perf_counter()
        encoder = get_encoder()
        load_cpu, load_wall = cpu() - c0, time.perf_counter() - w0
        for text in texts[:20]:
            encoder.encode([text])
        c0, w0 = cpu(), time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                encoder.encode([text])
        single_cpu, single_wall = (cpu() - c0) / n, (time.perf_counter() - w0) / n
        c0, w0 = cpu(), time.perf_counter()
        encoder.encode(texts * rounds, batch_size=64)
        batch_cpu, batch_wall = (cpu() - c0) / n, (time.perf_counter() - w0) / n
        print(f"encoder, threads={args.threads}: load {load_wall:.1f} s wall / {load_cpu:.1f} s CPU; "
              f"1 message per call: {1000 * single_cpu:.1f} ms CPU, {1000 * single_wall:.1f} ms wall; "
              f"batches of 64: {1000 * batch_cpu:.1f} ms CPU, {1000 * batch_wall:.1f} ms wall per message "
              f"({n} messages); traces {encoder._embed.experimental_get_tracing_count()}; "
              f"peak RSS {peak_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}")
        return
    if not args.model:
        parser.error("parse needs MODEL")
    from rasa.core.agent import Agent

    c0, w0 = cpu(), time.perf_counter()
    agent = Agent.load(args.model)
    load_cpu, load_wall, load_rss = cpu() - c0, time.perf_counter() - w0, rss_mb()

    async def parse_all(batch):
        for text in batch:
            await agent.parse_message(text)

    asyncio.run(parse_all(texts[:30]))
    c0, w0 = cpu(), time.perf_counter()
    asyncio.run(parse_all(texts * rounds))
    print(f"parse {Path(args.model).name}, threads={args.threads}: load {load_wall:.1f} s wall / "
          f"{load_cpu:.1f} s CPU, RSS after load {load_rss:.0f} MB; "
          f"{1000 * (cpu() - c0) / n:.1f} ms CPU, {1000 * (time.perf_counter() - w0) / n:.1f} ms wall "
          f"per message ({n}); RSS {rss_mb():.0f} MB, peak {peak_mb():.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
