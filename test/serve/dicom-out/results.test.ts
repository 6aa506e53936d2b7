/**
 * The secondary capture and the structured report, checked by tools that are not ours: dicom3tools'
 * dciodvfy (the IODs), dcmtk's dsrdump (the SR tree and its values), dcmdump (study, series and the
 * copied patient attributes) and dcmj2pnm (the capture's pixels as a viewer renders them).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  buildResults,
  buildSecondaryCapture,
  buildStructuredReport,
  markerGeometry,
  renderResultImage,
  riskSentence,
  sourceHeaderFromDicom,
  type ForwardedResults,
} from '../../../src/serve/dicom-out/index.js';
import { InputError } from '../../../src/util/errors.js';
import { scratchDir, tool } from '../../imaging/dcmtk.js';
import { heatmapAround, makeSource, resultFor, type SourceFixture } from './fixtures.js';

/**
 * dciodvfy warnings accepted, each for a reason:
 * - the private coding scheme: dciodvfy knows only registered designators; 99SPINESURV follows the
 *   PS3.16 rule for private schemes ("99" prefix) and is declared in the Coding Scheme
 *   Identification Sequence.
 * Not accepted here because the fixture source has the values: "Missing attribute or value that would
 * be needed to build DICOMDIR - Study Date/Time", which dciodvfy prints for results of a source that
 * leaves those type 2 attributes empty (the synthetic cohort does); the results copy them as they are.
 */
const ACCEPTED_WARNINGS = [/^Warning - Unrecognized defined term <99SPINESURV> for value 1 of attribute <Coding Scheme Designator>$/];

let dir: string;
let source: SourceFixture;
let built: ForwardedResults;
let scPath: string;
let srPath: string;
/** Where the heat is centred: left of the spine, away from the keypoint rings and their labels. */
const HEAT = { x: 60.5, y: 200.5 };

before(async () => {
  dir = scratchDir('dicom-out-');
  source = await makeSource(dir);
  built = await buildResults(source.bytes, source.radiograph, resultFor(source.keypoints), heatmapAround(source.radiograph, HEAT.x, HEAT.y));
  scPath = join(dir, 'sc.dcm');
  srPath = join(dir, 'sr.dcm');
  writeFileSync(scPath, built.secondaryCapture.bytes);
  writeFileSync(srPath, built.structuredReport.bytes);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function dciodvfy(path: string): { iod: string; errors: string[]; warnings: string[] } {
  const r = spawnSync('dciodvfy', [path], { encoding: 'latin1' });
  if (r.error) throw new Error(`dciodvfy could not run (${r.error.message}); install dicom3tools (scripts/setup.sh)`);
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim());
  // dciodvfy names the IOD it checked against on a line of its own.
  const iod = lines.find((l) => /^[A-Za-z]+$/.test(l)) ?? '';
  return { iod, errors: lines.filter((l) => /^Error/.test(l)), warnings: lines.filter((l) => /^Warning/.test(l)) };
}

/** One attribute as dcmdump prints it (searched at any depth; every occurrence). */
function dumped(path: string, tag: string): string[] {
  return tool('dcmdump', ['-q', '-Un', '-s', '+P', tag, path]).stdout.split('\n').filter((l) => l !== '');
}

function valueOf(path: string, tag: string): string {
  const line = dumped(path, tag)[0];
  const m = /\[(.*?)\]/.exec(line ?? '');
  if (m === null) throw new Error(`dcmdump shows no value of ${tag} in ${path}: ${line}`);
  return m[1];
}

test('dciodvfy finds no error in the secondary capture or the SR, and only the accepted warnings', () => {
  for (const [name, path, expectedIod] of [['secondary capture', scPath, 'SCImage'], ['structured report', srPath, 'ComprehensiveSR']]) {
    const { iod, errors, warnings } = dciodvfy(path);
    assert.equal(iod, expectedIod, `${name}: dciodvfy checked it as ${iod}`);
    assert.deepEqual(errors, [], `${name}: dciodvfy errors`);
    const unexpected = warnings.filter((w) => !ACCEPTED_WARNINGS.some((re) => re.test(w)));
    assert.deepEqual(unexpected, [], `${name}: dciodvfy warnings not in the accepted list`);
  }
});

test('dciodvfy does catch a broken capture (the check above is live)', () => {
  const broken = join(dir, 'broken-sc.dcm');
  writeFileSync(broken, built.secondaryCapture.bytes);
  tool('dcmodify', ['-nb', '-ea', '(0008,0064)', broken]);
  const { errors } = dciodvfy(broken);
  assert.ok(errors.some((e) => /ConversionType/.test(e)), `no error for the missing Conversion Type: ${errors.join(' | ')}`);
});

test('both results are in the source study, in new series, with the patient and study attributes copied byte for byte', () => {
  const study = valueOf(source.path, '0020,000d');
  const sourceSeries = valueOf(source.path, '0020,000e');
  const series = new Set<string>();
  for (const path of [scPath, srPath]) {
    assert.equal(valueOf(path, '0020,000d'), study);
    const s = valueOf(path, '0020,000e');
    assert.notEqual(s, sourceSeries);
    series.add(s);
    // Patient name (Latin-1 under ISO_IR 100), birth date, sex, ID, accession, study date/time/ID, referrer, character set.
    const tags = ['0008,0005', '0010,0010', '0010,0020', '0010,0030', '0010,0040', '0008,0050', '0008,0020', '0008,0030', '0020,0010', '0008,0090'];
    const dump = (file: string): string => tool('dcmdump', ['-q', ...tags.flatMap((t) => ['+P', t]), file]).stdout;
    assert.equal(dump(path), dump(source.path), `patient or study attributes differ between the source and ${path}`);
    assert.equal(dump(path).split('\n').filter((l) => l !== '').length, tags.length);
  }
  assert.equal(series.size, 2, 'the capture and the report each have their own series');
  // dcmtk decodes the copied name through the copied character set.
  assert.match(tool('dcmdump', ['-q', '+U8', '+P', '0010,0010', scPath]).stdout, /\[Müller\^Jürgen\]/);
});

test('the capture says what it is: RGB secondary capture, WSD, burned-in annotation, derived from the source image', () => {
  const sourceUid = valueOf(source.path, '0008,0018');
  assert.equal(valueOf(scPath, '0008,0016'), '1.2.840.10008.5.1.4.1.1.7');
  assert.equal(valueOf(scPath, '0008,0064'), 'WSD');
  assert.equal(valueOf(scPath, '0028,0301'), 'YES');
  assert.equal(valueOf(scPath, '0028,0004'), 'RGB');
  assert.equal(valueOf(scPath, '0008,0008'), 'DERIVED\\SECONDARY');
  // The Source Image Sequence points at the source instance, with its SOP class.
  assert.equal(valueOf(scPath, '0008,1155'), sourceUid);
  assert.equal(valueOf(scPath, '0008,1150'), valueOf(source.path, '0008,0016'));
  assert.notEqual(valueOf(scPath, '0008,0018'), sourceUid);
});

test('dsrdump reads the SR tree: risk, survival %, percentile, five points on the source image, flags, model version', () => {
  const dump = tool('dsrdump', ['-v', '+Pc', '+Pu', '+Psu', '+Pl', srPath]);
  // dsrdump checks the tree against the IOD's relationship constraints as it reads; it says nothing.
  assert.equal(dump.stderr, '');
  const out = dump.stdout;
  const result = resultFor(source.keypoints);
  assert.match(out, /Comprehensive SR Document/);
  assert.match(out, /Completion Flag\s*: COMPLETE/);
  assert.match(out, /Verification Flag\s*: UNVERIFIED/);
  assert.match(out, /^<CONTAINER:\(VFRISK,99SPINESURV,"Vertebral fracture risk"\)=SEPARATE>$/m);

  const num = (code: string): { value: number; unit: string } => {
    const m = new RegExp(`<contains NUM:\\(${code},99SPINESURV,"[^"]*"\\)="([^"]+)" \\(([^,]+),UCUM,"[^"]*"\\)>`).exec(out);
    assert.ok(m, `no NUM ${code} in dsrdump output`);
    return { value: Number(m[1]), unit: m[2] };
  };
  assert.deepEqual(num('LOGHR'), { value: 0.423187, unit: '1' });
  assert.deepEqual(num('SURV1Y'), { value: 99.12, unit: '%' });
  assert.deepEqual(num('SURV3Y'), { value: 93.41, unit: '%' });
  assert.deepEqual(num('SURV5Y'), { value: 87.23, unit: '%' });
  assert.deepEqual(num('RISKPCTL'), { value: 91.62, unit: '%' });

  const sourceClass = valueOf(source.path, '0008,0016');
  const sourceUid = valueOf(source.path, '0008,0018');
  const points = [...out.matchAll(/<contains SCOORD:\((L\dCENTRE),99SPINESURV,"[^"]*"\)=\(POINT,([^/]+)\/([^)]+)\)>\n\s*<selected from IMAGE:\(121112,DCM,"Source of Measurement"\)=\("([^"]+)","([^"]+)"\)>/g)];
  assert.equal(points.length, 5, 'five SCOORD points, each selected from an image');
  points.forEach((m, k) => {
    assert.equal(m[1], `L${k + 1}CENTRE`);
    // Graphic Data is FL (float32): equal to the input within float32 rounding.
    assert.ok(Math.abs(Number(m[2]) - result.keypoints[2 * k]) < 1e-4, `L${k + 1} column ${m[2]} vs ${result.keypoints[2 * k]}`);
    assert.ok(Math.abs(Number(m[3]) - result.keypoints[2 * k + 1]) < 1e-4, `L${k + 1} row ${m[3]} vs ${result.keypoints[2 * k + 1]}`);
    assert.equal(m[4], sourceClass);
    assert.equal(m[5], sourceUid);
  });
  assert.match(out, new RegExp(`<contains IMAGE:\\(121112,DCM,"Source of Measurement"\\)=\\("${sourceClass}","${sourceUid}"\\)>`));
  assert.match(out, /<contains TEXT:\(QUALFLAG,99SPINESURV,"Keypoint quality flag"\)="none">/);
  assert.match(out, /<has concept mod TEXT:\(111003,DCM,"Algorithm Version"\)="0123456789abcdef">/);
  assert.match(out, /<has concept mod TEXT:\(111001,DCM,"Algorithm Name"\)="spinesurv DeepSurv image survival model">/);
  assert.match(out, /<has obs context CODE:\(121005,DCM,"Observer Type"\)=\(121007,DCM,"Device"\)>/);
  // Content date and time are the scoring time, in UTC.
  assert.match(out, /Content Date\/Time\s*: 2026-11-30 10:15:42/);
  assert.equal(valueOf(srPath, '0008,0201'), '+0000');
});

test('flags appear in the SR, one TEXT item each', async () => {
  const flags = ['spacing: L2-L3 is 1.80x the median neighbour distance (allowed 0.5-1.6)', 'low_confidence: L5 0.21 below 0.3', 'order: L3 \u2265 L4'];
  const header = sourceHeaderFromDicom(source.bytes);
  const path = join(dir, 'flagged-sr.dcm');
  writeFileSync(path, buildStructuredReport({ source: header, result: resultFor(source.keypoints, { flags }) }));
  const out = tool('dsrdump', ['+Pc', '+Pl', path]).stdout;
  const texts = [...out.matchAll(/<contains TEXT:\(QUALFLAG,99SPINESURV,"Keypoint quality flag"\)="([^"]*)">/g)].map((m) => m[1]);
  // The source's character set is ISO_IR 100, where our UTF-8 "\u2265" has no place: written as "?".
  assert.deepEqual(texts, [flags[0], flags[1], 'order: L3 ? L4']);
  assert.deepEqual(dciodvfy(path).errors, []);
});

test('warnings appear in the SR, one TEXT item each after the flags, and in the capture\'s words; none when there are none', async () => {
  const warnings = ['age 2.5 is outside the training range 50.6-75; the risk is an extrapolation'];
  const header = sourceHeaderFromDicom(source.bytes);
  const path = join(dir, 'warned-sr.dcm');
  const result = resultFor(source.keypoints, { warnings });
  writeFileSync(path, buildStructuredReport({ source: header, result }));
  const out = tool('dsrdump', ['+Pc', '+Pl', path]).stdout;
  const texts = [...out.matchAll(/<contains TEXT:\(RESWARN,99SPINESURV,"Result warning"\)="([^"]*)">/g)].map((m) => m[1]);
  assert.deepEqual(texts, warnings);
  assert.ok(out.indexOf('RESWARN') > out.indexOf('QUALFLAG'), 'after the flags');
  assert.deepEqual(dciodvfy(path).errors, []);
  assert.match(riskSentence(result), /\nWarning: age 2\.5 is outside the training range 50\.6-75; the risk is an extrapolation\.\n/);
  const plain = join(dir, 'plain-sr.dcm');
  writeFileSync(plain, buildStructuredReport({ source: header, result: resultFor(source.keypoints) }));
  assert.doesNotMatch(tool('dsrdump', ['+Pc', plain]).stdout, /RESWARN/);
  assert.doesNotMatch(riskSentence(resultFor(source.keypoints)), /Warning/);
});

/** Reads a binary PNM (P5 grey or P6 RGB) as dcmj2pnm writes it. */
function readPnm(path: string): { width: number; height: number; channels: number; data: Buffer } {
  const bytes = readFileSync(path);
  const m = /^(P[56])\s+(?:#.*\s+)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 200).toString('latin1'));
  if (m === null) throw new Error(`${path}: not a binary PNM`);
  const header = Buffer.byteLength(m[0], 'latin1');
  return { width: Number(m[2]), height: Number(m[3]), channels: m[1] === 'P6' ? 3 : 1, data: bytes.subarray(header) };
}

test('dcmj2pnm renders the capture: green rings at the keypoints, heat over the windowed radiograph, text in a band below', () => {
  const ppm = join(dir, 'sc.ppm');
  const pgm = join(dir, 'source.pgm');
  tool('dcmj2pnm', [scPath, ppm]);
  // The source through its first VOI window, as dcmtk computes it: the grey the capture starts from.
  tool('dcmj2pnm', ['+Wi', '1', source.path, pgm]);
  const sc = readPnm(ppm);
  const grey = readPnm(pgm);
  const { rows, columns } = source.radiograph;
  assert.equal(sc.channels, 3);
  assert.equal(sc.width, columns);
  assert.ok(sc.height > rows, 'a text band is added below the radiograph');
  const rgbAt = (x: number, y: number): number[] => [...sc.data.subarray((y * sc.width + x) * 3, (y * sc.width + x) * 3 + 3)];

  const { radius } = markerGeometry(rows, columns);
  for (let k = 0; k < 5; k++) {
    const cx = source.keypoints[2 * k] - 0.5;
    const cy = source.keypoints[2 * k + 1] - 0.5;
    // On the ring (to the left of the centre, away from the label) the marker's pure green.
    assert.deepEqual(rgbAt(Math.round(cx - radius), Math.round(cy)), [0, 255, 0], `ring of L${k + 1}`);
    // The ring leaves the keypoint itself visible: grey there (no marker over the point).
    const centre = rgbAt(Math.round(cx), Math.round(cy));
    assert.ok(centre[0] === centre[1] && centre[1] === centre[2], `centre of L${k + 1} is not covered`);
  }

  // Far from heat, rings and labels (the top rows), the capture is dcmtk's windowed grey (within rounding).
  let worst = 0;
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < columns; x++) {
      const [r, g, b] = rgbAt(x, y);
      assert.ok(r === g && g === b, `pixel (${x}, ${y}) is not grey`);
      worst = Math.max(worst, Math.abs(r - grey.data[y * columns + x]));
    }
  }
  assert.ok(worst <= 1, `windowed grey differs from dcmtk's by ${worst}`);

  // At the heat's peak: half the ramp's hottest colour (215, 25, 28) over the grey.
  const hx = Math.floor(HEAT.x);
  const hy = Math.floor(HEAT.y);
  const g0 = grey.data[hy * columns + hx];
  const expected = [215, 25, 28].map((c) => 0.5 * g0 + 0.5 * c);
  rgbAt(hx, hy).forEach((v, c) => assert.ok(Math.abs(v - expected[c]) <= 1.5, `heat pixel channel ${c}: ${v} vs ${expected[c]}`));

  // The band holds white text on black.
  let ink = 0;
  let other = 0;
  for (let y = rows; y < sc.height; y++) {
    for (let x = 0; x < columns; x++) {
      const [r, g, b] = rgbAt(x, y);
      if (r !== g || g !== b) other++;
      else if (r > 128) ink++;
    }
  }
  assert.equal(other, 0, 'the band is grey-scale text only');
  assert.ok(ink > 500, `too little text ink in the band (${ink} pixels)`);
});

test('the viewer\'s overlay PNG as the heatmap: the capture shows its pixels, with rings and text on top', async () => {
  const { rows, columns } = source.radiograph;
  // A made-up overlay whose every pixel is known: r = x, g = y, b = (x + y) mod 256.
  const pattern = Buffer.alloc(rows * columns * 3);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) pattern.set([x % 256, y % 256, (x + y) % 256], (y * columns + x) * 3);
  }
  const overlayPng = await sharp(pattern, { raw: { width: columns, height: rows, channels: 3 } }).png().toBuffer();
  const withOverlay = await buildResults(source.bytes, source.radiograph, resultFor(source.keypoints), { overlayPng });
  const path = join(dir, 'overlay-sc.dcm');
  writeFileSync(path, withOverlay.secondaryCapture.bytes);
  const ppm = join(dir, 'overlay-sc.ppm');
  tool('dcmj2pnm', [path, ppm]);
  const sc = readPnm(ppm);
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < columns; x++) {
      const o = (y * columns + x) * 3;
      assert.deepEqual([...sc.data.subarray(o, o + 3)], [x % 256, y % 256, (x + y) % 256], `pixel (${x}, ${y})`);
    }
  }
  const { radius } = markerGeometry(rows, columns);
  const o = (Math.round(source.keypoints[5] - 0.5) * columns + Math.round(source.keypoints[4] - 0.5 - radius)) * 3;
  assert.deepEqual([...sc.data.subarray(o, o + 3)], [0, 255, 0], 'the L3 ring is drawn over the overlay');
  const small = await sharp(pattern, { raw: { width: columns, height: rows, channels: 3 } }).resize(columns - 1, rows).png().toBuffer();
  await assert.rejects(renderResultImage(source.radiograph, { overlayPng: small }, resultFor(source.keypoints)), (e: unknown) => e instanceof InputError && (e as Error).message.startsWith(`heatmap overlay: ${columns - 1}x${rows} `));
  await assert.rejects(renderResultImage(source.radiograph, { overlayPng: new Uint8Array(50) }, resultFor(source.keypoints)), /heatmap overlay: not a readable PNG/);
});

test('the same result gives the same bytes; a re-score is a new instance in the same series', async () => {
  const again = await buildResults(source.bytes, source.radiograph, resultFor(source.keypoints), heatmapAround(source.radiograph, HEAT.x, HEAT.y));
  assert.deepEqual(again.secondaryCapture.bytes, built.secondaryCapture.bytes);
  assert.deepEqual(again.structuredReport.bytes, built.structuredReport.bytes);
  const moved = source.keypoints.map((v, i) => (i === 4 ? v + 3 : v));
  const corrected = await buildResults(source.bytes, source.radiograph, resultFor(moved, { scoredAt: '2026-11-30T11:00:00Z' }), null);
  assert.notEqual(corrected.structuredReport.sopInstanceUid, built.structuredReport.sopInstanceUid);
  assert.notEqual(corrected.secondaryCapture.sopInstanceUid, built.secondaryCapture.sopInstanceUid);
  const seriesOf = (bytes: Uint8Array): string => {
    const path = join(dir, 'series-probe.dcm');
    writeFileSync(path, bytes);
    return valueOf(path, '0020,000e');
  };
  assert.equal(seriesOf(corrected.structuredReport.bytes), seriesOf(built.structuredReport.bytes));
  assert.equal(seriesOf(corrected.secondaryCapture.bytes), seriesOf(built.secondaryCapture.bytes));
});

test('bad input is refused with a message naming what is wrong', async () => {
  assert.throws(() => sourceHeaderFromDicom(new Uint8Array(300), 'upload.dcm'), (e: unknown) => e instanceof InputError && /upload\.dcm/.test((e as Error).message));
  const noStudy = join(dir, 'no-study.dcm');
  writeFileSync(noStudy, source.bytes);
  tool('dcmodify', ['-nb', '-ea', '(0020,000d)', noStudy]);
  assert.throws(() => sourceHeaderFromDicom(readFileSync(noStudy), 'no-study.dcm'), /no-study\.dcm: no Study Instance UID/);
  const header = sourceHeaderFromDicom(source.bytes);
  assert.throws(() => buildStructuredReport({ source: header, result: resultFor(source.keypoints, { risk: NaN }) }), /result field risk is not a finite number/);
  assert.throws(() => buildStructuredReport({ source: header, result: resultFor(source.keypoints.slice(0, 8)) }), /result field keypoints/);
  assert.throws(() => buildStructuredReport({ source: header, result: resultFor(source.keypoints, { surv: { '1': 0.9, '3': 1.2, '5': 0.8 } }) }), /surv\["3"\]/);
  const image = await renderResultImage(source.radiograph, null, resultFor(source.keypoints));
  assert.throws(() => buildSecondaryCapture({ source: header, rgb: image.rgb.subarray(3), rows: image.rows, columns: image.columns, result: resultFor(source.keypoints) }), /rgb has/);
  await assert.rejects(renderResultImage(source.radiograph, new Float32Array(10), resultFor(source.keypoints)), /heatmap has 10 values/);
});
