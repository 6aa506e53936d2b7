"""PyTorch side of bench/landmarks/run.ts: the same HRNet (test/landmarks/fixtures/hrnet_reference.py),
the same batch, loss (MSE on heatmaps) and optimizer (Adam), timed in blocks on request.

Protocol on stdin/stdout, one line each: "train K" or "infer K" -> "<wall seconds> <cpu seconds>" for K
steps; "quit" ends. The first line read is the JSON config {network..., threads, batch, size}.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "landmarks", "fixtures"))
import torch  # noqa: E402
from hrnet_reference import HRNet  # noqa: E402


def main():
    cfg = json.loads(sys.stdin.readline())
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    net = HRNet(cfg)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    b, s = cfg["batch"], cfg["size"]
    x = torch.randn(b, 1, s, s)
    target = torch.rand(b, cfg["numJoints"], s // 4, s // 4)
    one = torch.randn(1, 1, s, s)

    def train():
        net.train()
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x), target)
        loss.backward()
        opt.step()

    def infer():
        net.eval()
        with torch.no_grad():
            net(one)

    print("ready", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        fn = train if parts[0] == "train" else infer
        k = int(parts[1])
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(k):
            fn()
        print(f"{time.perf_counter() - w0} {time.process_time() - c0}", flush=True)


if __name__ == "__main__":
    main()
