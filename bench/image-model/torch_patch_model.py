"""The same patch model in PyTorch (for bench/image-model/run.ts): ResNet-18 layout with a base width,
one input channel, shared over five patches, mean-pooled, five standardised clinical covariates,
DeepSurv head Linear(F+5, 16) -> ReLU -> Dropout(0.1) -> Linear(16, 1, bias=False); mean Cox NLL
(log-sum-exp over risk sets, as spinesurv's loss without tied times); AdamW. Times a training step
(forward, backward, update) and an eval-mode inference on the same batch shape, same threads.

Usage: torch_patch_model.py WIDTH SIZE BATCH THREADS STEPS  -> one JSON line on stdout
"""
import json
import sys
import time

import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock


class Encoder(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(1, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._layer(width, 2, 1)
        self.layer2 = self._layer(width * 2, 2, 2)
        self.layer3 = self._layer(width * 4, 2, 2)
        self.layer4 = self._layer(width * 8, 2, 2)

    def _layer(self, planes, blocks, stride):
        down = None
        if stride != 1 or self.inplanes != planes:
            down = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, down)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(blocks - 1)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.mean((2, 3))


class PatchModel(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.encoder = Encoder(width)
        self.head = nn.Sequential(nn.Linear(width * 8 + 5, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 1, bias=False))

    def forward(self, x, clinical):
        b, c, h, w = x.shape
        f = self.encoder(x.reshape(b * c, 1, h, w)).reshape(b, c, -1).mean(1)
        return self.head(torch.cat([f, clinical], 1))


def cox_loss(risk, time_desc_order, events):
    eta = risk.reshape(-1)[time_desc_order].double()
    log_risk_set = torch.logcumsumexp(eta, 0)
    e = events[time_desc_order]
    return ((log_risk_set - eta) * e).sum() / e.sum()


def main(width, size, batch, threads, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = PatchModel(width)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.rand(batch, 5, size, size)
    clinical = torch.randn(batch, 5)
    t = torch.rand(batch)
    events = (torch.arange(batch) % 13 == 0).double()
    order = torch.argsort(t, descending=True)

    def train_step():
        model.train()
        opt.zero_grad()
        loss = cox_loss(model(x, clinical), order, events)
        loss.backward()
        opt.step()

    def infer():
        model.eval()
        with torch.no_grad():
            model(x, clinical)

    out = {}
    for name, fn in (('train_step', train_step), ('inference', infer)):
        for _ in range(2):
            fn()
        wall, cpu = [], []
        for _ in range(steps):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        wall.sort()
        cpu.sort()
        out[name] = {'median_wall_ms': 1000 * wall[len(wall) // 2], 'median_cpu_ms': 1000 * cpu[len(cpu) // 2]}
    out['torch'] = torch.__version__
    print(json.dumps(out))


if __name__ == '__main__':
    main(*[int(a) for a in sys.argv[1:6]])
