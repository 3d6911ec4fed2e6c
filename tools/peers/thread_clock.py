#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Runs a peer script unchanged, except that time.perf_counter is replaced by time.thread_time.

The peers time their phases with time.perf_counter() (wall clock). On a shared machine the wall
clock also counts the time other processes hold the core; the CPU time of the main thread does
not. With --threads 1 torch computes on the main thread, so the printed seconds become the CPU
seconds of the work. Usage: thread_clock.py PEER_SCRIPT [peer arguments...]
"""
import runpy
import sys
import time

if len(sys.argv) < 2:
    sys.exit("usage: thread_clock.py PEER_SCRIPT [args...]")
script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
time.perf_counter = time.thread_time
runpy.run_path(script, run_name="__main__")
