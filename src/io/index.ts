/** Saving and loading: kshot checkpoints and raw safetensors (`ks.io`). */
export { save, load, serialize, parseCheckpoint, disposeCheckpoint, encodeMetadata, decodeMetadata, CHECKPOINT_FORMAT, type Checkpoint, type CheckpointMetadata, type JsonRecord, type SaveOptions } from "./checkpoint.ts";
export { parseSafetensors, serializeSafetensors, readSafetensorsFile, writeSafetensorsFile, type SafetensorsEntry, type SafetensorsContents, type SafetensorsInput, type SafetensorsData, type SafetensorsDType } from "./safetensors.ts";
