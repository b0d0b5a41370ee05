#!/usr/bin/env bash
# The Omniglot reproduction of README.md and bench/RESULTS.md: each algorithm trained with `kshot train`
# for its time budget, then tested with `kshot eval` (600 episodes, 95% interval). Two lanes run side by
# side, one wasm thread each (`--threads 1`: one per core), as the published rows were measured; a single
# run on its own takes every core by default.
#
# usage: bash scripts/reproduce-omniglot.sh OUT_DIR [DATA_DIR]
#   OUT_DIR   checkpoints (*.safetensors), logs (*.log: progress and validation curve) and results
#             (*.eval-*.json, one `kshot eval --json` object per protocol) go here
#   DATA_DIR  the compact omniglot-28.bin/.json or the official PNG folders (default: the copy that
#             `kshot data omniglot` downloads)
# Budgets are minutes of training; set KSHOT_REPRO_SCALE=0.1 for a quick smoke run of the whole pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bash scripts/reproduce-omniglot.sh OUT_DIR [DATA_DIR]}
data=(); [[ -n ${2:-} ]] && data=(--data "$2")
scale=${KSHOT_REPRO_SCALE:-1}
mkdir -p "$out"
node scripts/ensure-build.mjs

train() { # name minutes kshot-train-options...
  local name=$1 minutes; minutes=$(awk "BEGIN { print $2 * $scale }"); shift 2
  node dist/cli.mjs train --dataset omniglot "${data[@]}" --minutes "$minutes" --backend wasm --threads 1 --json \
    --out "$out/$name.safetensors" "$@" > "$out/$name.train.json" 2> "$out/$name.log"
}
evaluate() { # name protocol kshot-eval-options...
  local name=$1 protocol=$2; shift 2
  node dist/cli.mjs eval --model "$out/$name.safetensors" --dataset omniglot "${data[@]}" --backend wasm --threads 1 --json \
    "$@" > "$out/$name.eval-$protocol.json" 2> "$out/$name.eval-$protocol.log"
  echo "$name $protocol $(cat "$out/$name.eval-$protocol.json")"
}
one_shot_then_five() { # name: 5-way 1-shot as trained, then the same model on 5-way 5-shot
  evaluate "$1" 5w1s --split vinyals
  evaluate "$1" 5w5s --split vinyals --shots 5
}

lane_a() {
  train maml 60 --algo maml --split vinyals --ways 5 --shots 1 && one_shot_then_five maml
  train fomaml 60 --algo fomaml --split vinyals --ways 5 --shots 1 && one_shot_then_five fomaml
  # Reptile tests with 50 inner steps on minibatches of 5 support examples (its paper's protocol).
  train reptile 35 --algo reptile --split vinyals --ways 5 --shots 1 && one_shot_then_five reptile
  train anil 10 --algo anil --split vinyals --ways 5 --shots 1 && one_shot_then_five anil
}
lane_b() {
  train protonet 60 --algo protonet --split vinyals
  for protocol in "5 1" "5 5" "20 1" "20 5"; do
    set -- $protocol
    evaluate protonet "$1w$2s" --split vinyals --ways "$1" --shots "$2"
  done
  # The PyTorch comparison: ProtoNet for 20 minutes on the lake split (60-way 5-shot 5-query, rot90).
  train protonet-lake 20 --algo protonet --split lake
  evaluate protonet-lake 5w1s --split lake --ways 5 --shots 1
  evaluate protonet-lake 5w5s --split lake --ways 5 --shots 5
  train metasgd 60 --algo metasgd --split vinyals --ways 5 --shots 1 && one_shot_then_five metasgd
  train matchingnet 50 --algo matchingnet --split vinyals --ways 5 --shots 1 && one_shot_then_five matchingnet
  train finetune 10 --algo finetune --split vinyals && one_shot_then_five finetune
}

lane_a & a=$!
lane_b & b=$!
wait $a && wait $b
