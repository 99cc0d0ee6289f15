"""Probe: does re-estimating the averaged G's batch-norm statistics change its FD?"""
import sys, json
import numpy as np, tensorflow as tf, keras
from infogan_tf import data as data_lib, evaluation, model_io, classifier as classifier_lib
from infogan_tf.latent import LatentBatch

run = sys.argv[1]
mnist = "/work/shared/data/mnist"
cls = classifier_lib.load_or_train(sys.argv[2], "mnist", classifier_lib.ClassifierSettings(),
                                   lambda s: data_lib.load_dataset("mnist", mnist, s))
test = data_lib.load_dataset("mnist", mnist, "test")
train = data_lib.load_dataset("mnist", mnist, "train")

def quality(model):
    latents = evaluation.sample_latents(model.config.latent, 10000, seed=0)
    q = evaluation.sample_quality(model, cls, evaluation.generate(model, latents), test, train, 0)
    generated = q["generated"]
    return round(generated["frechet_distance"], 3), round(generated["classifier_score"], 3)

def reestimate(model, count):
    bns = [l for l in model.generator.layers if isinstance(l, keras.layers.BatchNormalization)]
    latents = evaluation.sample_latents(model.config.latent, count, seed=123)
    inputs = model.config.latent.generator_input(
        LatentBatch(**{k: tf.constant(v) for k, v in latents.items()}))
    saved = [l.momentum for l in bns]
    for l in bns: l.momentum = 0.0
    model.generator(inputs, training=True)
    for l, m in zip(bns, saved): l.momentum = m

out = {}
for w in ("trained", "averaged"):
    m = model_io.load_trained_model(run, weights=w)
    out[w] = quality(m)
    reestimate(m, 4096)
    out[w + "+bn_reestimated"] = quality(m)
print(json.dumps(out))
