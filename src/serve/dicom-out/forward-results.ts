/**
 * The one call the server core makes once an image is scored: the secondary capture and the
 * structured report, both in the source image's study, built and sent to the configured destination.
 */
import type { Radiograph } from '../../imaging/index.js';
import type { PacsResult } from './pacs-result.js';
import { renderResultImage } from './render-result-image.js';
import { buildSecondaryCapture } from './secondary-capture.js';
import { sendInstances, type DicomDestination, type SendOptions } from './send-instances.js';
import { sourceHeaderFromDicom } from './source-header.js';
import { buildStructuredReport } from './structured-report.js';

export interface ForwardedResults {
  secondaryCapture: { sopInstanceUid: string; bytes: Uint8Array };
  structuredReport: { sopInstanceUid: string; bytes: Uint8Array };
}

/** Builds both results (see buildResults) and sends them; resolves with what was sent. */
export async function forwardResults(
  dest: DicomDestination,
  source: Uint8Array,
  radiograph: Radiograph,
  result: PacsResult,
  heatmap: Float32Array | null,
  options: SendOptions = {},
): Promise<ForwardedResults> {
  const built = await buildResults(source, radiograph, result, heatmap);
  await sendInstances(dest, [built.secondaryCapture.bytes, built.structuredReport.bytes], options);
  return built;
}

/**
 * source: the received file's bytes (for the study, patient and image identifiers); radiograph: the
 * same file as read by the project's reader (for the pixels and the display window); heatmap: the
 * Grad-CAM map on the radiograph's pixel grid, or null.
 */
export async function buildResults(source: Uint8Array, radiograph: Radiograph, result: PacsResult, heatmap: Float32Array | null): Promise<ForwardedResults> {
  const header = sourceHeaderFromDicom(source);
  const image = await renderResultImage(radiograph, heatmap, result);
  const sc = buildSecondaryCapture({ source: header, rgb: image.rgb, rows: image.rows, columns: image.columns, result });
  const sr = buildStructuredReport({ source: header, result });
  return {
    secondaryCapture: { sopInstanceUid: sopInstanceUidOf(sc), bytes: sc },
    structuredReport: { sopInstanceUid: sopInstanceUidOf(sr), bytes: sr },
  };
}

function sopInstanceUidOf(bytes: Uint8Array): string {
  return sourceHeaderFromDicom(bytes, 'built result').sopInstanceUid;
}
