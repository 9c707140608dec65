# Oracle for LearningRateScheduleTests: Hugging Face get_scheduler's lambdas (transformers/optimization.py),
# driven through torch.optim.lr_scheduler.LambdaLR so the step counting is torch's own.
# Input argv: type peak_lr warmup total steps_to_print. Output: one learning rate per line, repr precision.
import math, sys
import torch

kind, peak, warmup, total, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def warm(step):
    return float(step) / float(max(1, warmup))

def linear(step):
    if step < warmup:
        return warm(step)
    return max(0.0, float(total - step) / float(max(1, total - warmup)))

def cosine(step, num_cycles=0.5):
    if step < warmup:
        return warm(step)
    progress = float(step - warmup) / float(max(1, total - warmup))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))

def constant_with_warmup(step):
    return warm(step) if step < warmup else 1.0

lambdas = {"linear": linear, "cosine": cosine, "constant": lambda _: 1.0, "constant_with_warmup": constant_with_warmup}
param = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.AdamW([param], lr=peak)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambdas[kind])
for _ in range(count):
    print(repr(sched.get_last_lr()[0]))
    opt.step()
    sched.step()
