/**
 * The one rule for comparing an annotation file's image name with a cohort's image column: both as
 * written, with Windows separators turned into '/', `a/./b` and `a//b` collapsed and a leading './'
 * dropped. Case is kept as written: the cohort may live on a case-sensitive file system, where
 * `IMG.dcm` and `img.dcm` are two files.
 */
import { posix } from 'node:path';

export function normaliseImagePath(path: string): string {
  return posix.normalize(path.replace(/\\/g, '/')).replace(/^\.\//, '');
}
