"""PyTorch side of the engine benchmark (run with Debian's /usr/bin/python3 and python3-torch).

Builds the same ResNet-18 as spinesurv's (torchvision's BasicBlock layout, 1 input channel,
2 classes; written out here because Debian has no python3-torchvision) and answers timing requests
on stdin so that the TypeScript driver can interleave the two engines round by round:
  "train N"  -> N Adam steps (zero_grad, forward, cross-entropy, backward, step, loss.item())
  "infer N"  -> N forward passes in eval mode under no_grad
each answered with one JSON line {"ms_per_step": wall, "cpu_ms_per_step": process CPU time (all
threads, user + system)}. "quit" ends.
usage: pytorch_resnet.py THREADS BATCH SIZE WIDTH SEED
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class ResNet18(nn.Module):
    def __init__(self, in_channels, width, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages, in_planes = [], width
        for i in range(4):
            planes = width * 2**i
            stride = 1 if i == 0 else 2
            stages.append(nn.Sequential(BasicBlock(in_planes, planes, stride), BasicBlock(planes, planes, 1)))
            in_planes = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_planes, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    threads, batch, size, width, seed = (int(a) for a in sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = ResNet18(1, width, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 1, size, size)
    y = torch.randint(0, 2, (batch,))
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        kind, n = parts[0], int(parts[1])
        start = time.perf_counter()
        cpu_start = cpu_seconds()
        if kind == "train":
            model.train()
            for _ in range(n):
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                loss.item()
        else:
            model.eval()
            with torch.no_grad():
                for _ in range(n):
                    model(x).sum().item()
        ms = (time.perf_counter() - start) * 1000 / n
        cpu_ms = (cpu_seconds() - cpu_start) * 1000 / n
        print(json.dumps({"ms_per_step": ms, "cpu_ms_per_step": cpu_ms}), flush=True)


if __name__ == "__main__":
    main()
