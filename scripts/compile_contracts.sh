#!/usr/bin/env bash
# Compiles every chains/contracts/*.vy (FerryGateway, FerryChannel, TestToken) with the pinned vyper (Tests/requirements.txt) into
# chains/contracts/build/<Name>.json: {"contractName", "compiler", "abi", "bytecode", "deployedBytecode"}.
# Ferry reads these committed artifacts at run time, so it never needs vyper itself.
#   scripts/compile_contracts.sh          recompile and write the artifacts
#   scripts/compile_contracts.sh --check  recompile and fail (exit 1) if the committed artifacts differ
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${FERRY_PYTHON:-$PWD/.venv/bin/python}"
[[ -x "$PY" ]] || { echo "compile_contracts: no python at $PY (run make setup)" >&2; exit 2; }
CHECK=0
[[ "${1:-}" == "--check" ]] && CHECK=1
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

"$PY" - "$OUT" <<'PYEOF'
import glob, json, os, subprocess, sys
out = sys.argv[1]
os.chdir("chains/contracts")
import vyper
version = vyper.__version__
for src in sorted(glob.glob("*.vy")):
    name = src[:-3]
    res = subprocess.run([sys.executable, "-m", "vyper", "-f", "abi,bytecode,bytecode_runtime", src],
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"compile_contracts: vyper failed on {src}:\n{res.stderr}")
    abi, bytecode, runtime = res.stdout.strip().split("\n")
    artifact = {"contractName": name, "compiler": f"vyper {version}", "source": f"chains/contracts/{src}",
                "abi": json.loads(abi), "bytecode": bytecode, "deployedBytecode": runtime}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(artifact, f, indent=1, sort_keys=True)
        f.write("\n")
PYEOF

if ((CHECK)); then
    if ! diff -r -q "$OUT" chains/contracts/build >/dev/null; then
        echo "compile_contracts: chains/contracts/build is stale; run scripts/compile_contracts.sh and commit:" >&2
        diff -r -q "$OUT" chains/contracts/build >&2 || true
        exit 1
    fi
    echo "compile_contracts: artifacts match the sources"
else
    rm -f chains/contracts/build/*.json
    cp "$OUT"/*.json chains/contracts/build/
    echo "compile_contracts: wrote $(ls "$OUT" | tr '\n' ' ')"
fi
