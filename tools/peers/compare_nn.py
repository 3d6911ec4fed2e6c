#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""compare_nn.py - run hepad's nn_vs_torch replicas and the torch peers side by side.

For each repetition it runs, one after the other (nothing else of ours at the same time):
  peer_mlp.py --threads T, nn_vs_torch --task mlp --threads T --chunks C,
  peer_autoencoder.py --threads T, nn_vs_torch --task ae --threads T --chunks C
for T in --threads (default: 1 2), records `uptime`'s 1-minute load before each run, and prints the
medians and the ratios hepad / torch as one JSON object per (task, threads), plus a Markdown table.

The peers' epoch timers are wall clock. With --cpu the peer is also run with time.perf_counter
replaced by time.process_time (its process CPU time, load-robust on a shared machine with one
thread); hepad's JSON always carries both ("sec_per_epoch" wall, "cpu_sec_per_epoch" CPU).

usage: tools/peers/compare_nn.py [--build build/nnperf] [--reps 3] [--threads 1 2] [--cpu]
                                 [--task mlp ae] [--small]
"""
import argparse, json, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PEERS = os.path.abspath(os.path.join(ROOT, "..", "shared", "peers"))
PY = "/usr/bin/python3"

ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(ROOT, "build", "nnperf"))
ap.add_argument("--reps", type=int, default=3)
ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
ap.add_argument("--task", nargs="+", default=["mlp", "ae"])
ap.add_argument("--cpu", action="store_true", help="also time the peer with process CPU time")
ap.add_argument("--small", action="store_true", help="reduced sizes (a quick check of the script)")
args = ap.parse_args()

exe = os.path.join(args.build, "examples", "nn_vs_torch", "nn_vs_torch")
if not os.path.exists(exe):
    sys.exit(f"compare_nn.py: {exe} not found; build the target nn_vs_torch (-O3, HEPAD_NATIVE=ON) first")


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run(cmd):
    l = load1()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    rec = json.loads(out[-1])
    rec["load1_before"] = l
    return rec


def sizes(task):
    if not args.small:
        return []
    return ["--n", "20000", "--n-val", "10000", "--epochs", "2"] + (["--n-infer", "100000"] if task == "mlp" else [])


def peer_cmd(task, t, cpu):
    script = os.path.join(PEERS, "peer_mlp.py" if task == "mlp" else "peer_autoencoder.py")
    argv = [script, "--threads", str(t)] + sizes(task)
    if not cpu:
        return [PY] + argv
    code = ("import sys, time; time.perf_counter = time.process_time; sys.argv = %r; "
            "exec(compile(open(%r).read(), %r, 'exec'))" % (argv, script, script))
    return [PY, "-c", code]


records = []
for rep in range(args.reps):
    for task in args.task:
        for t in args.threads:
            chunks = 1 if t == 1 else t
            r = run(peer_cmd(task, t, False)); r["impl"] = "torch"; records.append(r)
            if args.cpu:
                r = run(peer_cmd(task, t, True)); r["impl"] = "torch_cpu"; records.append(r)
            r = run([exe, "--task", task, "--threads", str(t), "--chunks", str(chunks)] + sizes(task))
            records.append(r)
            if t > 1:  # hepad with one thread and the same chunks: the 2-thread speed-up
                r = run([exe, "--task", task, "--threads", "1", "--chunks", str(chunks)] + sizes(task))
                r["impl"] = "hepad_1t_same_chunks"; records.append(r)


def med(impl, task, t, key):
    v = [r[key] for r in records if r["impl"] == impl and r["task"] == task and r["threads"] == t and key in r]
    return statistics.median(v) if v else float("nan")


task_name = {"mlp": "mlp", "ae": "autoencoder"}
rows = []
print(f"# {time.strftime('%Y-%m-%d %H:%M')}  {args.reps} reps, loads {[r['load1_before'] for r in records]}")
for task in args.task:
    tn = task_name[task]
    for t in args.threads:
        keys = ["sec_per_epoch"] if task == "mlp" else ["ae_sec_per_epoch", "vae_sec_per_epoch"]
        out = {"task": tn, "threads": t}
        for k in keys:
            hw, tw = med("hepad", tn, t, k), med("torch", tn, t, k)
            hc = med("hepad", tn, t, k.replace("sec_per_epoch", "cpu_sec_per_epoch"))
            out[k] = {"hepad_wall": hw, "torch_wall": tw, "ratio_wall": hw / tw, "hepad_cpu": hc}
            if args.cpu:
                tc = med("torch_cpu", tn, t, k)
                out[k].update({"torch_cpu": tc, "ratio_cpu": hc / tc})
            rows.append((tn, t, k, out[k]))
        if task == "mlp":
            out["infer_events_per_s"] = {"hepad": med("hepad", tn, t, "infer_events_per_s"),
                                         "torch": med("torch", tn, t, "infer_events_per_s")}
            out["infer_events_per_s"]["ratio"] = out["infer_events_per_s"]["hepad"] / out["infer_events_per_s"]["torch"]
            out["val_auc"] = {"hepad": med("hepad", tn, t, "val_auc"), "torch": med("torch", tn, t, "val_auc")}
        else:
            for k in ("ae_val_mse", "vae_val_mse"):
                out[k] = {"hepad": med("hepad", tn, t, k), "torch": med("torch", tn, t, k)}
        if t > 1:
            sp = {}
            for k in keys:
                one = [r[k] for r in records if r["impl"] == "hepad_1t_same_chunks" and r["task"] == tn and k in r]
                sp[k] = statistics.median(one) / med("hepad", tn, t, k) if one else float("nan")
            out["speedup_vs_1_thread_same_chunks"] = sp
        print(json.dumps(out))
print(json.dumps({"raw": records}))
