/**
 * Results back to the PACS: a burned-in secondary capture and a Comprehensive SR, both in the
 * source radiograph's study, and a C-STORE SCU that sends them.
 */
export { sourceHeaderFromDicom, sourceHeaderFromDataSet, type SourceHeader, type CopiedAttribute } from './source-header.js';
export { riskSentence, pacsResult, type PacsResult } from './pacs-result.js';
export { renderResultImage, MARKER_COLOUR, markerGeometry, type ResultImage, type HeatmapInput } from './render-result-image.js';
export { buildSecondaryCapture, SECONDARY_CAPTURE_SOP_CLASS, type SecondaryCaptureInput } from './secondary-capture.js';
export { buildStructuredReport, COMPREHENSIVE_SR_SOP_CLASS, type StructuredReportInput } from './structured-report.js';
export { sendInstances, checkDestination, StoreFailedError, type DicomDestination, type SendOptions } from './send-instances.js';
export { forwardResults, buildResults, type ForwardedResults } from './forward-results.js';
