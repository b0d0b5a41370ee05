/** kshot's data: datasets, splits and episode samplers, all host-side arrays (mounted as `ks.data`). */
export {
  type ClassSource,
  type ImageDataset,
  type ImageShape,
  classIndex,
  datasetSource,
  imageDataset,
  imageSize,
  materialize,
  selectClasses,
} from "./dataset.ts";
export { type EpisodeBatch, AUGMENTATIONS, type Augmentation, type TaskOptions, TaskSampler, tasks } from "./tasks.ts";
export { rot90Classes, rotate90 } from "./rotation.ts";
export {
  type ClassSplitOptions,
  type OmniglotSplitName,
  type Split,
  OMNIGLOT_SPLITS,
  VINYALS_COUNTS,
  omniglotSplit,
  selectRange,
  splitClasses,
} from "./splits.ts";
export { type GlyphOptions, glyphSource, glyphs, renderGlyphClass } from "./glyphs.ts";
export { DEFAULT_JITTER, type JitterOptions } from "./glyph-strokes.ts";
export {
  type Omniglot,
  type OmniglotCharacter,
  type OmniglotFile,
  type OmniglotSet,
  loadOmniglot,
  omniglotFromCompact,
  omniglotFromFiles,
} from "./omniglot.ts";
export {
  type ClassImage,
  type ImageFolderOptions,
  imageFolderFromImages,
  loadImageFolder,
  loadImageFolderSplit,
} from "./imagefolder.ts";
export { type DomainShift, describeShift, parseShift, shiftedSource } from "./shift.ts";
export { type SinusoidBatch, type SinusoidOptions, SinusoidSampler, sinusoid, sinusoidValue } from "./sinusoid.ts";
export { type PixelPlanes, type DecodedPngLike, decodeImage } from "./image-decode.ts";
export { type ImageLimits, DEFAULT_IMAGE_LIMITS } from "./image-limits.ts";
export { areaResize, areaResizeToBytes, areaSums } from "./resize.ts";
export type { ByteClassLayout } from "./byte-images.ts";
