/**
 * spinesurv preprocess --cohort DIR --keypoints KP.json --variant full-l1l5|full-l1l4|patches [--masks]
 *   [--all-variants] --out DIR2 [--size 384] [--patch-size PX] [--margin F] [--align similarity|rigid] ...
 * Aligns every radiograph on L1 and L5 and cuts the study's image variants (docs/preprocess.md).
 */
import { availableParallelism } from 'node:os';
import type { Command } from '../command.js';
import { parseCommand, printJson } from '../args.js';
import { UsageError } from '../../util/errors.js';
import { log, progress } from '../../util/progress.js';
import { devices } from '../../torch/index.js';
import {
  ALL_VARIANT_KEYS, DEFAULT_MARGIN, DEFAULT_SIZE, VARIANT_NAMES, preprocessCohort, variantKey, type PreprocessParams,
} from '../../preprocess/index.js';

const spec = {
  usage: 'spinesurv preprocess',
  description:
    'Align each radiograph on its L1 and L5 keypoints, cut the region of interest with a margin, min-max normalise and letterbox it:\n' +
    'one folder per variant with images.safetensors (uint8 [N, C, S, S], value/255 in [0,1]), index.json, transforms.json,\n' +
    'manifest.json (inputs, parameters, patients left out and why) and contact-sheet.png. The cohort is only read.',
  options: {
    cohort: { type: 'string' as const, description: 'cohort folder (cohort.csv with `image` and, for masks, `mask` columns)', placeholder: 'DIR', required: true },
    keypoints: { type: 'string' as const, description: 'COCO keypoints file (e.g. DIR/keypoints.json) or `landmarks predict` results', placeholder: 'KP.json', required: true },
    variant: { type: 'string' as const, description: `${VARIANT_NAMES.join(' | ')} (not with --all-variants)`, placeholder: 'NAME' },
    masks: { type: 'boolean' as const, description: 'multiply by the vertebral-body masks (the "with masks" variant)' },
    'all-variants': { type: 'boolean' as const, description: `write OUT/<key>/ for ${ALL_VARIANT_KEYS.join(', ')} (mask-free ones only when the cohort has no masks)` },
    out: { type: 'string' as const, description: 'output folder', placeholder: 'DIR2', required: true },
    size: { type: 'string' as const, description: 'output side of the full variants in pixels', placeholder: 'PX', default: String(DEFAULT_SIZE) },
    'patch-size': { type: 'string' as const, description: 'output side of each patch in pixels (default: --size)', placeholder: 'PX' },
    margin: { type: 'string' as const, description: 'margin as a fraction of the L1-L5 keypoint distance (patches: of the neighbour distance)', placeholder: 'F', default: String(DEFAULT_MARGIN) },
    align: { type: 'string' as const, description: 'similarity (L1 and L5 on fixed targets) | rigid (L1 on target, axis vertical, one fixed scale)', placeholder: 'MODE', default: 'similarity' },
    normalise: { type: 'string' as const, description: 'minmax | percentile (between --percentiles, clipped)', placeholder: 'MODE', default: 'minmax' },
    percentiles: { type: 'string' as const, description: 'low,high percentiles for --normalise percentile', placeholder: 'LO,HI', default: '0.5,99.5' },
    'rigid-reference': { type: 'string' as const, description: 'rigid: the L1-L5 distance in input pixels the fixed scale is built for (default: the cohort median)', placeholder: 'PX' },
    workers: { type: 'string' as const, description: 'decoding worker threads (default: CPU count, at most 2; 0 = none)', placeholder: 'N' },
    'batch-size': { type: 'string' as const, description: 'radiographs per engine call', placeholder: 'N', default: '4' },
    device: { type: 'string' as const, description: 'engine device: cpu, or cuda with a CUDA build of the addon', placeholder: 'DEV', default: 'cpu' },
    force: { type: 'boolean' as const, description: "replace DIR2 when it is spinesurv's own earlier output" },
    json: { type: 'boolean' as const, description: 'print a JSON summary on stdout' },
  },
};

export const command: Command = {
  async run(argv) {
    const args = parseCommand(argv, spec);
    if (args === null) return 0;
    const all = args.flag('all-variants');
    const variantName = args.optionalString('variant');
    if (all && (variantName !== undefined || args.flag('masks'))) throw new UsageError('spinesurv preprocess: give --all-variants or --variant (with --masks), not both');
    if (!all && variantName === undefined) throw new UsageError('spinesurv preprocess: --variant is required (or --all-variants)');
    const variant = all ? 'full-l1l5' : args.choice('variant', VARIANT_NAMES, 'full-l1l5');
    const size = args.integer('size', DEFAULT_SIZE, 16);
    const percentiles = args.numberList('percentiles') ?? [0.5, 99.5];
    if (percentiles.length !== 2) throw new UsageError('spinesurv preprocess: --percentiles takes two numbers, LO,HI');
    const params: Partial<PreprocessParams> = {
      size,
      patchSize: args.integer('patch-size', size, 16),
      margin: args.number('margin', DEFAULT_MARGIN),
      align: args.choice('align', ['similarity', 'rigid'] as const, 'similarity'),
      normalise: args.choice('normalise', ['minmax', 'percentile'] as const, 'minmax'),
      percentiles: [percentiles[0], percentiles[1]],
      rigidReferenceDistance: args.optionalNumber('rigid-reference') ?? null,
    };
    const device = args.string('device');
    const available = devices();
    if (!available.includes(device) && !(device === 'cuda' && available.length > 1)) {
      throw new UsageError(`spinesurv preprocess: --device ${device} is not available here (devices: ${available.join(', ')})`);
    }
    let bar: ReturnType<typeof progress> | null = null;
    const summary = await preprocessCohort({
      cohort: args.string('cohort'),
      keypoints: args.string('keypoints'),
      out: args.string('out'),
      variants: all ? [...ALL_VARIANT_KEYS] : [variantKey(variant, args.flag('masks'))],
      allVariants: all,
      params,
      force: args.flag('force'),
      workers: args.integer('workers', Math.min(2, availableParallelism()), 0),
      batchSize: args.integer('batch-size', 4, 1),
      device,
      createdBy: 'spinesurv preprocess',
      onProgress: (done, total) => {
        bar ??= progress('preprocess', total);
        bar.tick(done);
      },
    });
    (bar as ReturnType<typeof progress> | null)?.done();
    for (const note of summary.notes) log(`preprocess: note: ${note}`);
    const reasons = new Map<string, number>();
    for (const l of summary.left_out) {
      const kind = l.reason.split(':')[0];
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
    }
    log(
      `preprocess: ${summary.processed} of ${summary.patients} radiographs into ${summary.variants.map((v) => v.key).join(', ')}` +
        (summary.left_out.length > 0 ? `; ${summary.left_out.length} left out (${[...reasons].map(([r, n]) => `${n} ${r}`).join('; ')}), listed in manifest.json` : ''),
    );
    if (args.flag('json')) printJson(summary);
    return 0;
  },
};
