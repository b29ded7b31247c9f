"""Helpers shared by the detect conformance tests (not a test by itself)."""
import json
import os
import subprocess
import sys


def env():
    c2 = os.environ.get("C2CHAIN")
    shared = os.environ.get("C2C_SHARED")
    if not c2 or not shared:
        print("SKIP: C2CHAIN and C2C_SHARED must be set (run through ctest)")
        sys.exit(77)
    return c2, shared


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def detect(c2, inputs, *args):
    """Run `c2chain detect` and return (findings, stderr); SKIP when an input format is not
    compiled into this build (a reader from another branch)."""
    p = subprocess.run([c2, "detect", "--stats", *args, *inputs], capture_output=True, text=True)
    if p.returncode != 0:
        if "not supported by this build" in p.stderr:
            skip(p.stderr.strip())
        fail("c2chain detect exited %d: %s" % (p.returncode, p.stderr.strip()))
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()], p.stderr


def res(f, k, default=None):
    return f.get("result", {}).get(k, default)


def sub(f, k):
    return f.get("subject", {}).get(k)
