"""What one consumer offset commit costs the broker and the client, in CPU.

    uv run python bench/offset_commit_cost.py [--commits 3000] [--rounds 5] [--partitions 2]

Starts a Kafka broker of its own (the tests' and the local stack's settings), a topic of 12 partitions and one
consumer in a group, then commits explicit offsets `--commits` times in a row, `--partitions` partitions in each
(as a batch under load names a few), `--rounds` times. For each round it prints the broker's and this process's CPU
per commit, read from /proc, and the commit's wall time. The first rounds include the broker's JIT compiling; read
the later ones. Results go to docs/benchmarks.md. Not a test.
"""

import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated

import psutil
import typer
from aiokafka import AIOKafkaConsumer, TopicPartition

from accord.devtools.infra import kafka
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.stack import CACHE
from accord.devtools.testing import create_topic

TOPIC, PARTITIONS = "bench.commits", 12


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def measure(bootstrap: str, broker_pid: int, commits: int, rounds: int, partitions: int) -> None:
    await create_topic(bootstrap, TOPIC, partitions=PARTITIONS)
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id="bench-commits", enable_auto_commit=False)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        broker, me = psutil.Process(broker_pid), psutil.Process()
        for round_ in range(1, rounds + 1):
            broker_before, me_before, start = cpu(broker), cpu(me), time.perf_counter()
            for i in range(commits):
                named = {TopicPartition(TOPIC, (i + k) % PARTITIONS): i + 1 for k in range(partitions)}
                await consumer.commit(named)
            wall = time.perf_counter() - start
            print(
                f"round {round_}: {commits} commits of {partitions} partitions: broker "
                f"{1000 * (cpu(broker) - broker_before) / commits:.3f} ms CPU a commit, client "
                f"{1000 * (cpu(me) - me_before) / commits:.3f} ms CPU a commit, "
                f"{1000 * wall / commits:.2f} ms a commit's wall time",
                flush=True,
            )
    finally:
        await consumer.stop()


def main(
    commits: Annotated[int, typer.Option(help="commits per round")] = 3000,
    rounds: Annotated[int, typer.Option(help="rounds, one after the other on the same broker")] = 5,
    partitions: Annotated[int, typer.Option(help="partitions named by each commit")] = 2,
) -> None:
    home = Path(tempfile.mkdtemp(prefix="accord-commits-"))
    broker = kafka.start(home / "kafka", CACHE)
    try:
        asyncio.run(measure(broker.bootstrap_servers, broker.pid, commits, rounds, partitions))
    finally:
        terminate(broker.pid)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
