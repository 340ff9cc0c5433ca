#!/usr/bin/env python3
"""bench/host_steps.py HOST_DIR < plan.json: a recipe's build steps as one bash script for the host.

Reads `lupine compile --json` (melange compile's plan: every `uses:` already expanded, every
${{...}} already substituted) and prints the same scripts, in the same order, with the same
environment and the same `set -e -o pipefail` preamble the sandbox gives each step
(src/builder/build/sandbox_step.cpp), but with the sandbox's workspace /home/build moved to
HOST_DIR. The `fetch` steps are left out: the bench unpacks the cached source itself, as lupine
does before the build. Subpackages' steps follow the main package's, as in a build.
"""
import json
import shlex
import sys

WORKSPACE = "/home/build"


def relocate(text, host_dir):
    return text.replace(WORKSPACE, host_dir)


def steps(node):
    """Leaf steps (those with `runs`) in order, skipping fetch and its nested steps."""
    if node.get("uses") == "fetch":
        return
    if "runs" in node:
        yield node
    for child in node.get("pipeline", []):
        yield from steps(child)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: host_steps.py HOST_DIR < plan.json")
    host_dir = sys.argv[1]
    plan = json.load(sys.stdin)
    print("#!/usr/bin/env bash")
    environment = plan.get("environment", {}).get("environment", {})
    for key, value in sorted(environment.items()):
        print(f"export {key}={shlex.quote(relocate(value, host_dir))}")
    print(f"export HOME={shlex.quote(host_dir)}")
    # The sandbox's PATH (sandbox.h: sandbox_path), so that the same programs run: not a user's
    # PATH with its wrappers (a pyenv shim before python3 costs a shell per call).
    print("export PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin")
    pipelines = [plan.get("pipeline", [])]
    pipelines += [sub.get("pipeline", []) for sub in plan.get("subpackages", [])]
    for pipeline in pipelines:
        for top in pipeline:
            for step in steps(top):
                workdir = step.get("working-directory") or WORKSPACE
                if not workdir.startswith("/"):
                    workdir = f"{WORKSPACE}/{workdir}"
                directory = shlex.quote(relocate(workdir, host_dir))
                script = relocate(step["runs"], host_dir)
                body = f"set -e -o pipefail\n[ -d {directory} ] || mkdir -p {directory}\ncd {directory}\n{script}\nexit 0"
                print(f"bash -c {shlex.quote(body)}")


if __name__ == "__main__":
    main()
