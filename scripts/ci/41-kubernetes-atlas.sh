#!/usr/bin/env bash
# The atlas's Kubernetes manifests, validated offline against the Kubernetes 1.37 schemas
# (kubernetes-validate from PyPI, in a venv outside the repository, --strict: unknown fields fail),
# and the one thing no schema knows: JOB_COMPLETIONS must equal the Indexed Job's completions.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${TMPDIR:-/tmp}/fvbook-kubernetes-validate
[ -x "$venv/bin/kubernetes-validate" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q kubernetes-validate==1.37.0; }
"$venv/bin/kubernetes-validate" --strict --no-warn deploy/kubernetes/*.yaml
"$venv/bin/python" - deploy/kubernetes/atlas-job.yaml <<'PY'
import sys, yaml
job = next(d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "Job")
spec = job["spec"]
env = {e["name"]: e.get("value") for c in spec["template"]["spec"]["containers"] for e in c.get("env", [])}
assert spec["completionMode"] == "Indexed", "the atlas job must be an Indexed Job"
assert env.get("JOB_COMPLETIONS") == str(spec["completions"]), \
    f"JOB_COMPLETIONS={env.get('JOB_COMPLETIONS')} but completions={spec['completions']}"
print(f"atlas-job.yaml: Indexed Job, {spec['completions']} completions = JOB_COMPLETIONS")
PY
