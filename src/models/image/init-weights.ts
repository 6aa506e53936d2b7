/**
 * `--init FILE.safetensors`: starts the encoder from torchvision-layout weights (e.g. ImageNet
 * weights a user converted with safetensors). The file may hold a 3-channel first convolution: it is
 * averaged over its input channels to one channel (a grey radiograph is the same in R, G and B, so
 * the averaged filter responds as the RGB one would to grey input, up to the factor 3 that BatchNorm
 * absorbs). fc.* in the file is ignored when the encoder has no fc. Every other tensor of the encoder
 * must be in the file with the same shape, or the load is refused naming the first mismatch.
 */
import { readSafetensors, type Module, type Tensor } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';

export function loadTorchvisionInit(encoder: Module, path: string): { loaded: number; averagedFirstConv: boolean } {
  const content = readSafetensors(path);
  const given = content.tensors;
  const target = encoder.stateDict();
  const chosen = new Map<string, Tensor>();
  const made: Tensor[] = [];
  let averagedFirstConv = false;
  try {
    for (const [name, t] of target) {
      const src = given.get(name);
      if (src === undefined) throw new InputError(`${path}: no tensor "${name}" (expected torchvision ResNet names such as conv1.weight, layer1.0.bn1.running_mean)`);
      let value = src;
      if (name === 'conv1.weight' && src.ndim === 4 && src.shape[1] !== t.shape[1] && t.shape[1] === 1) {
        value = src.mean(1, true);
        made.push(value);
        averagedFirstConv = true;
      }
      if (value.shape.join('x') !== t.shape.join('x')) {
        throw new InputError(`${path}: "${name}" has shape [${value.shape.join(', ')}], the encoder needs [${t.shape.join(', ')}] (check --arch and --width)`);
      }
      chosen.set(name, value.dtype === t.dtype ? value : keepMade(value.to(t.dtype), made));
    }
    encoder.loadStateDict(chosen);
    return { loaded: chosen.size, averagedFirstConv };
  } finally {
    for (const t of given.values()) t.dispose();
    for (const t of made) t.dispose();
  }
}

function keepMade(t: Tensor, made: Tensor[]): Tensor {
  made.push(t);
  return t;
}
