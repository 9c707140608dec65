# Oracle for LossPlotTests: LLaMA-Factory's plot_loss smoothing (sigmoid-weighted moving average). argv: values.
import math, sys
scalars = [float(v) for v in sys.argv[1:]]
last = scalars[0]
weight = 1.8 * (1 / (1 + math.exp(-0.05 * len(scalars))) - 0.5)
for v in scalars:
    last = last * weight + (1 - weight) * v
    print(repr(last))
