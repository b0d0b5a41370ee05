/**
 * The defaults of `kshot train`: each algorithm's published setting, for image data (the Omniglot
 * protocol; `glyphs` and `imagefolder` use it too) and for the sinusoid regression of MAML §5.1. Every
 * number says where it comes from; "kshot" marks a choice of ours where the paper gives none or where
 * kshot's variant of the method differs.
 *
 * Episode shapes: `ways`/`shots`/`queries` are the TRAINING episodes; `evaluation` is the protocol stored
 * in the checkpoint for `kshot eval` (600 episodes, 15 queries per class unless said otherwise).
 * `queries: "shots"` means as many query as support examples per class (MAML's code samples 2K per class).
 */
import type { AlgorithmName } from "../meta/algorithm.ts";
import { DISTILLATION_DEFAULTS } from "../meta/distill.ts";
import { ROTATION_WEIGHT } from "../meta/rotation-auxiliary.ts";
import type { Schedule } from "../optim/schedule.ts";

export type DatasetKind = "images" | "sinusoid";

export interface Recipe {
  ways: number;
  shots: number;
  queries: number | "shots";
  metaBatch: number;
  /** Inner loop (MAML family, Reptile) during training and at evaluation. */
  innerSteps?: number;
  innerLr?: number;
  evalSteps?: number;
  evalLr?: number;
  optimizer: "adam" | "sgd";
  metaLr: number;
  schedule: Schedule;
  iterations: number;
  /** The evaluation protocol ("train": the training episodes' value). */
  evaluation: { ways: number | "train"; shots: number | "train"; queries: number };
  /** Other algorithm options (fine-tuning baseline; Reptile's minibatch sizes). */
  options?: Readonly<Record<string, number | string | boolean>>;
  /** Where the numbers come from. */
  source: string;
}

const CONSTANT: Schedule = { kind: "constant" };
const EVAL_AS_TRAINED = { ways: "train", shots: "train", queries: 15 } as const;

/** MAML on Omniglot 5-way (Finn et al. 2017, §5.2 and the authors' README: `--meta_batch_size=32
 * --update_batch_size=1 --update_lr=0.4 --num_updates=1 --metatrain_iterations=60000`, Adam, meta lr 1e-3);
 * evaluated with 3 inner steps of the same size (as the PyTorch comparison in bench/RESULTS.md). */
const MAML_IMAGES: Recipe = {
  ways: 5, shots: 1, queries: "shots", metaBatch: 32, innerSteps: 1, innerLr: 0.4, evalSteps: 3, evalLr: 0.4,
  optimizer: "adam", metaLr: 1e-3, schedule: CONSTANT, iterations: 60000, evaluation: EVAL_AS_TRAINED,
  source: "Finn et al. 2017 §5.2 + cbfinn/maml README (Omniglot 5-way: meta-batch 32, 1 step, α 0.4, Adam 1e-3, 60k iterations); 3 evaluation steps",
};

/** MAML's sinusoid (Finn et al. 2017 §5.1 and README: MLP 1-40-40-1, K = 10, one step α = 0.01, meta-batch
 * 25, Adam 1e-3, 70,000 iterations); evaluated after 1, 5 and 10 steps of the same size. */
const MAML_SINUSOID: Recipe = {
  ways: 1, shots: 10, queries: "shots", metaBatch: 25, innerSteps: 1, innerLr: 0.01, evalSteps: 10, evalLr: 0.01,
  optimizer: "adam", metaLr: 1e-3, schedule: CONSTANT, iterations: 70000, evaluation: { ways: 1, shots: "train", queries: 100 },
  source: "Finn et al. 2017 §5.1 + cbfinn/maml README (sinusoid: K=10, α 0.01, 1 step, meta-batch 25, Adam 1e-3, 70k iterations); 100 query points at evaluation (kshot)",
};

export const RECIPES: Readonly<Record<AlgorithmName, Partial<Record<DatasetKind, Recipe>>>> = {
  maml: { images: MAML_IMAGES, sinusoid: MAML_SINUSOID },
  fomaml: {
    images: { ...MAML_IMAGES, source: "Finn et al. 2017 §5.2: first-order MAML with MAML's Omniglot setting" },
    sinusoid: { ...MAML_SINUSOID, source: "Finn et al. 2017: first-order MAML with MAML's sinusoid setting" },
  },
  metasgd: {
    images: { ...MAML_IMAGES, source: "Li et al. 2017 (Meta-SGD) follow MAML's Omniglot protocol (1 step, meta-batch 32, Adam 1e-3); every learned α starts at MAML's 0.4, so the first meta-step is MAML's (kshot; the paper draws the α at random, from [0.005, 0.1] in its regression experiments; not measured on Omniglot)" },
    sinusoid: { ...MAML_SINUSOID, source: "Li et al. 2017 follow MAML's sinusoid protocol; learned α start at 0.01 (kshot)" },
  },
  anil: {
    images: { ...MAML_IMAGES, source: "Raghu et al. 2020 (ANIL) use MAML's Omniglot hyper-parameters; only the head (the last linear layer, initialised as MAML's) adapts, in training and at test" },
    sinusoid: { ...MAML_SINUSOID, source: "Raghu et al. 2020 use MAML's setting; only the last layer adapts" },
  },
  reptile: {
    images: {
      ways: 5, shots: 1, queries: 9, metaBatch: 5, innerSteps: 5, innerLr: 0.1, evalSteps: 50, evalLr: 0.1,
      optimizer: "sgd", metaLr: 1, schedule: { kind: "linear", final: 0 }, iterations: 100000, evaluation: EVAL_AS_TRAINED,
      options: { innerBatch: 10, evalBatch: 5 },
      source: "Nichol et al. 2018, Omniglot table: 10 examples per class in training (here 1 shot + 9 queries, all used by the inner loop), 5 inner steps on minibatches of 10 (one pass; kshot's take 2 of each class, the paper's are random), meta-batch 5, outer step 1 → 0 linearly, 100k iterations, 50 evaluation steps on minibatches of 5; the paper's inner optimizer is Adam (lr 0.001, β1 = 0) whose second-moment state carries over from task to task and iteration to iteration (openai/supervised-reptile resets only the trainable variables after each task), which tasks adapted side by side cannot share; kshot's is plain SGD, hence lr 0.1 (kshot; not measured against Adam)",
    },
    sinusoid: {
      ways: 1, shots: 10, queries: 40, metaBatch: 1, innerSteps: 5, innerLr: 0.02, evalSteps: 10, evalLr: 0.02,
      optimizer: "sgd", metaLr: 0.1, schedule: { kind: "linear", final: 0 }, iterations: 30000, evaluation: { ways: 1, shots: "train", queries: 100 },
      source: "Nichol et al. 2018 sine example (inner SGD 0.02 over 50 points, outer step 0.1 → 0, 30k iterations); full-batch inner steps here (kshot)",
    },
  },
  protonet: {
    images: {
      ways: 60, shots: 5, queries: 5, metaBatch: 1, optimizer: "adam", metaLr: 1e-3, schedule: { kind: "step", every: 2000, factor: 0.5 },
      iterations: 20000, evaluation: { ways: 5, shots: 1, queries: 15 },
      source: "Snell et al. 2017 §3.1: 60-way episodes with 5 queries per class, Adam 1e-3 halved every 2000 episodes; 5 shots as in kshot's PyTorch comparison; 20k episodes (kshot: the paper stops on validation, `kshot train --patience`); evaluated 5-way 1-shot. Episodes as the authors' code (jakesnell/prototypical-networks) builds them: each 90° rotation of a character is a class of its own (Vinyals et al.'s augmentation, so two rotations of one character may share an episode), and support and query are embedded in one batch (one set of BatchNorm statistics)",
    },
  },
  matchingnet: {
    images: {
      ways: 5, shots: 1, queries: 15, metaBatch: 4, optimizer: "adam", metaLr: 1e-3, schedule: CONSTANT, iterations: 30000, evaluation: EVAL_AS_TRAINED,
      options: { normalize: "support" },
      source: "Vinyals et al. 2016: trained on episodes shaped like the test tasks (5-way 1-shot); cosine attention with only the support embeddings normalised, as the reference code (AntreasAntoniou/MatchingNetworks, gitabcworld/MatchingNetworks: DistanceNetwork); Adam 1e-3, 15 queries, 4 episodes per update, 30k iterations (kshot)",
    },
  },
  finetune: {
    images: {
      ways: 32, shots: 1, queries: 1, metaBatch: 1, optimizer: "adam", metaLr: 1e-3, schedule: CONSTANT, iterations: 20000,
      evaluation: { ways: 5, shots: 1, queries: 15 }, options: { steps: 100, lr: 0.01, momentum: 0.9, headInit: "zeros" },
      source: "Chen et al. 2019 (Baseline): pre-training with Adam 1e-3; test-time head fine-tuned with SGD lr 0.01, momentum 0.9, 100 steps; minibatches of 64 images from 32 classes and 20k steps (kshot)",
    },
  },
  metalstm: {
    images: {
      ways: 5, shots: 1, queries: 15, metaBatch: 4, innerSteps: 5, innerLr: 0.1, evalSteps: 5, evalLr: 0.1,
      optimizer: "adam", metaLr: 1e-3, schedule: CONSTANT, iterations: 30000, evaluation: EVAL_AS_TRAINED,
      source: "Ravi & Larochelle 2017: first-order meta-gradient, Adam 1e-3 on the meta-learner, forget gate started near 1 and input gate small; the paper reports Mini-ImageNet only: on Omniglot kshot takes 5 learner updates in training and evaluation, input gate starting at 0.1, 15 queries, meta-batch 4, 30k iterations (kshot)",
    },
    sinusoid: { ...MAML_SINUSOID, innerSteps: 5, evalSteps: 10, source: "MAML's sinusoid protocol (Finn et al. 2017 §5.1) with 5 learner updates of the Meta-Learner LSTM (Ravi & Larochelle 2017; kshot: the paper has no regression)" },
  },
  "l2l-lstm": {
    images: {
      ways: 5, shots: 1, queries: 15, metaBatch: 4, innerSteps: 5, evalSteps: 5,
      optimizer: "adam", metaLr: 1e-3, schedule: CONSTANT, iterations: 30000, evaluation: EVAL_AS_TRAINED,
      source: "Andrychowicz et al. 2016: two-layer LSTM of 20 units, preprocessing p = 10, output × 0.1, Adam on its weights (lr 1e-3 as the authors' code); the paper has no few-shot setting: 5 optimizer steps per 5-way 1-shot episode, 15 queries, meta-batch 4, 30k iterations as the Meta-Learner LSTM's (kshot)",
    },
    sinusoid: { ...MAML_SINUSOID, innerSteps: 5, evalSteps: 10, innerLr: undefined, evalLr: undefined, source: "MAML's sinusoid protocol (Finn et al. 2017 §5.1) with 5 steps of the learned LSTM optimizer (Andrychowicz et al. 2016; kshot)" },
  },
};

/** Filters of the Conv-4 (Vinyals et al. 2016; MAML; ProtoNets) and the sinusoid MLP (MAML §5.1). */
export const CONV4_HIDDEN = 64;
export const SINUSOID_MLP = [1, 40, 40, 1] as const;

/** Test episodes of `kshot eval` (MAML, ProtoNets: 600 with a 95% interval). */
export const EVAL_EPISODES = 600;

/** `kshot distill`: the soft-target temperature and the hard loss's weight (declared in src/meta/distill.ts). */
export const DISTILLATION = {
  ...DISTILLATION_DEFAULTS,
  source: "Hinton et al. 2015: T = 4 (§3, MNIST: temperatures of 2.5 to 4 worked best for small students), relative weight 0.5 on the hard targets (§4)",
} as const;

/** `kshot train --auxiliary rotation`: the rotation loss's weight α (declared in src/meta/rotation-auxiliary.ts). */
export const ROTATION_AUXILIARY = { weight: ROTATION_WEIGHT, source: "Gidaris et al. 2019: L = L_few + α·L_self with α = 1" } as const;
