# Oracle for TrainingPlanTests: simulates Hugging Face Trainer's loop over a real torch DataLoader
# (one optimizer update every gradient_accumulation_steps batches, and at the last batch of an epoch),
# counting updates until max_steps or the epochs run out. Prints: batches_per_epoch updates_per_epoch total epochs_started,
# then on a second line the fractional epoch after each update
import math, sys
import torch
from torch.utils.data import DataLoader, TensorDataset

samples, batch, accum, epochs, max_steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
loader = DataLoader(TensorDataset(torch.zeros(samples)), batch_size=batch, shuffle=False)
batches = len(loader)
updates_per_epoch = 0
for i, _ in enumerate(loader):
    if (i + 1) % accum == 0 or i + 1 == batches:
        updates_per_epoch += 1
# a fractional num_train_epochs stops at ceil(epochs * updates_per_epoch) updates, as the Trainer's max_steps does
limit = max_steps if max_steps > 0 else math.ceil(epochs * updates_per_epoch)
done, epochs_started, epoch_log = 0, 0, []
while done < limit:
    epochs_started += 1
    for i, _ in enumerate(loader):
        if (i + 1) % accum == 0 or i + 1 == batches:
            done += 1
            # the Trainer sets state.epoch = epoch + (step + 1) / steps_in_epoch at each update
            epoch_log.append(repr(epochs_started - 1 + (i + 1) / batches))
            if done >= limit:
                break
print(batches, updates_per_epoch, done, epochs_started)
print(" ".join(epoch_log))
