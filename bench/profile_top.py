"""The top of a py-spy profile: inclusive and self share of samples per function.

Record one under load, then read its top:
    py-spy record -p PID -d 10 -r 500 -f raw -o profile.txt   (while wrk or bench/loadgen.py runs)
    python bench/profile_top.py profile.txt [--top 40] [--match pageup]
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

_LINE = re.compile(r":\d+\)$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path, help="py-spy's collapsed stacks (-f raw)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose frame contains this")
    args = parser.parse_args()
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in args.profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    print(f"{total} samples\n-- inclusive --")
    shown = [(f, n) for f, n in inclusive.most_common() if args.match in f][: args.top]
    for frame, samples in shown:
        print(f"{100 * samples / total:5.1f}%  {frame}")
    print("-- self --")
    for frame, samples in own.most_common(args.top // 2):
        print(f"{100 * samples / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
