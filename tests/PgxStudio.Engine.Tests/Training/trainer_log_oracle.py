# Oracle for TrainerLogTests: builds one trainer_log.jsonl line the way LLaMA-Factory's LogCallback does
# (dict of fields, Nones dropped, percentage rounded to 2, times as str(timedelta(seconds=int(t))), json.dumps).
# argv: current total loss eval_loss lr epoch elapsed tokens   ("-" for None)
import json, sys
from datetime import timedelta

def arg(i, kind):
    return None if sys.argv[i] == "-" else kind(sys.argv[i])

cur, total = int(sys.argv[1]), int(sys.argv[2])
loss, eval_loss, lr, epoch, elapsed, tokens = arg(3, float), arg(4, float), arg(5, float), arg(6, float), float(sys.argv[7]), arg(8, int)
avg = elapsed / cur if cur != 0 else 0
remaining = (total - cur) * avg
logs = dict(
    current_steps=cur,
    total_steps=total,
    loss=loss,
    eval_loss=eval_loss,
    lr=lr,
    epoch=epoch,
    percentage=round(cur / total * 100, 2) if total != 0 else 100,
    elapsed_time=str(timedelta(seconds=int(elapsed))),
    remaining_time=str(timedelta(seconds=int(remaining))),
)
if tokens:
    logs["throughput"] = round(tokens / elapsed, 2)
    logs["total_tokens"] = tokens
logs = {k: v for k, v in logs.items() if v is not None}
print(json.dumps(logs))
