/**
 * Writes one uint8 tensor [N, ...row shape] to a safetensors file row by row, so that a cohort's
 * images never have to sit in memory together (1,595 patients x 5 x 384 x 384 is 1.2 GB). The header
 * is reserved at the start for the largest N expected, padded with spaces (as the format allows), and
 * rewritten with the real N when the file is closed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

function headerJson(name: string, shape: number[], metadata: Record<string, string>): string {
  const bytes = shape.reduce((a, b) => a * b, 1);
  return JSON.stringify({ __metadata__: metadata, [name]: { dtype: 'U8', shape, data_offsets: [0, bytes] } });
}

export class Uint8TensorWriter {
  private readonly fd: number;
  private readonly headerLength: number;
  private rows = 0;

  constructor(
    path: string,
    private readonly name: string,
    private readonly rowShape: number[],
    maxRows: number,
    private readonly metadata: Record<string, string>,
  ) {
    const longest = Buffer.byteLength(headerJson(name, [maxRows, ...rowShape], metadata));
    this.headerLength = Math.ceil(longest / 8) * 8;
    this.fd = openSync(path, 'w');
    this.writeHeader();
  }

  private writeHeader(): void {
    const json = headerJson(this.name, [this.rows, ...this.rowShape], this.metadata);
    if (Buffer.byteLength(json) > this.headerLength) throw new RangeError('more tensor rows written than reserved');
    const header = Buffer.alloc(8 + this.headerLength, 0x20);
    header.writeBigUInt64LE(BigInt(this.headerLength), 0);
    header.write(json, 8, 'utf8');
    writeSync(this.fd, header, 0, header.length, 0);
  }

  append(row: Uint8Array): void {
    const expected = this.rowShape.reduce((a, b) => a * b, 1);
    if (row.length !== expected) throw new RangeError(`tensor row has ${row.length} bytes, expected ${expected}`);
    writeSync(this.fd, row, 0, row.length, 8 + this.headerLength + this.rows * expected);
    this.rows++;
  }

  get count(): number {
    return this.rows;
  }

  close(): void {
    this.writeHeader();
    closeSync(this.fd);
  }
}
