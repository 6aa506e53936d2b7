"""Independent reference for the image encoder's layout: torchvision's own resnet18 / resnet50.

Usage: torchvision_reference.py OUT_DIR
For each architecture: a seeded model with random weights AND random BatchNorm running statistics
(so eval mode does real work), saved in torchvision's 3-channel layout as OUT_DIR/<arch>.safetensors
(written here by the format rules: 8-byte header length, JSON header, little-endian data); an input
batch (2 x 1 x 64 x 64) and torchvision's eval-mode outputs after the first convolution is averaged
over its three input channels (what spinesurv's --init does for a one-channel radiograph), as
OUT_DIR/<arch>.json.
"""
import json
import struct
import sys

import torch
import torchvision


def write_safetensors(path, tensors):
    header = {}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: 'F32', torch.int64: 'I64'}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode()
    raw += b' ' * ((8 - len(raw) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main(out):
    torch.set_num_threads(1)
    for arch, seed in (('resnet18', 5), ('resnet50', 6)):
        torch.manual_seed(seed)
        model = getattr(torchvision.models, arch)(num_classes=3)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.normal_(0, 0.1)
                    m.running_var.uniform_(0.5, 1.5)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0, 0.1)
        write_safetensors(f'{out}/{arch}.safetensors', model.state_dict())
        with torch.no_grad():
            model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False).requires_grad_(False)
            model.conv1.weight.copy_(saved_conv1(out, arch))
        model.eval()
        x = torch.rand(2, 1, 64, 64, generator=torch.Generator().manual_seed(seed + 100))
        with torch.no_grad():
            y = model(x)
        json.dump({'input': x.flatten().tolist(), 'output': y.flatten().tolist(), 'output_shape': list(y.shape)},
                  open(f'{out}/{arch}.json', 'w'))


def saved_conv1(out, arch):
    # Read conv1 back from the file just written, so the averaging starts from the saved bytes.
    with open(f'{out}/{arch}.safetensors', 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        info = header['conv1.weight']
        f.seek(base + info['data_offsets'][0])
        data = f.read(info['data_offsets'][1] - info['data_offsets'][0])
    w = torch.frombuffer(bytearray(data), dtype=torch.float32).reshape(info['shape'])
    return w.mean(dim=1, keepdim=True)


if __name__ == '__main__':
    main(sys.argv[1])
