"""Probe: averaged trainable weights with the trained network's batch-norm statistics."""
import sys, json
import numpy as np
from infogan_tf import data as data_lib, evaluation, metrics, model_io

run = sys.argv[1]
test = data_lib.load_dataset("mnist", "/work/shared/data/mnist", "test")
for step in sys.argv[2].split(","):
    path = f"{run}/checkpoints/ckpt-{step}"
    trained = model_io.load_trained_model(run, path, weights="trained")
    averaged = model_io.load_trained_model(run, path, weights="averaged")
    real = evaluation.real_images(trained, test)
    def acc(m):
        p = np.argmax(evaluation.discriminate(m, real).categorical_logits[0].numpy(), 1)
        return round(metrics.hungarian_accuracy(test.labels, p), 4)
    row = {"step": int(step), "trained": acc(trained), "averaged": acc(averaged)}
    for va, vt in zip(averaged.discriminator.variables, trained.discriminator.variables):
        if not vt.trainable:
            va.assign(vt.numpy())
    row["averaged_with_trained_bn_statistics"] = acc(averaged)
    print(json.dumps(row), flush=True)
