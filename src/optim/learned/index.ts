/** Learned optimizers: the coordinate-wise LSTM optimizer of Andrychowicz et al. 2016, its training and its optimizees. */
export { learned, type LearnedOptions, LSTM_OPTIMIZER_MODEL } from "./learned.ts";
export { trainLearnedOptimizer, unrollLearnedOptimizer, type LearnedStates, type LearnedTraining, type LearnedTrainingOptions, type LearnedValidation } from "./meta-train.ts";
export {
  initLstmOptimizer, lstmOptimizerUpdate, lstmOptimizerConfig, zeroLstmState, LSTM_OPTIMIZER_DEFAULTS,
  type LstmOptimizerConfig, type LstmOptimizerState,
} from "./network.ts";
export { lstmCell, type LstmLayerState, type LstmLayerWeights } from "./lstm-cell.ts";
export { preprocessGradient, preprocessParts } from "./preprocess.ts";
export { quadratics, quadraticFunctions, type QuadraticOptions } from "./quadratic.ts";
export type { Optimizee, OptimizeeSampler } from "./optimizee.ts";
export { optimizeFunctions } from "./run.ts";
export { mlpClassifiers, type MlpClassifierOptions } from "./mlp-optimizee.ts";
