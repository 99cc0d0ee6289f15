"""Probe: FD and classifier score of trained and averaged G at each kept checkpoint."""
import sys, json
from infogan_tf import data as data_lib, evaluation, model_io, classifier as classifier_lib

run, cdir = sys.argv[1], sys.argv[2]
mnist = "/work/shared/data/mnist"
cls = classifier_lib.load_or_train(cdir, "mnist", classifier_lib.ClassifierSettings(),
                                   lambda s: data_lib.load_dataset("mnist", mnist, s))
test = data_lib.load_dataset("mnist", mnist, "test")
train = data_lib.load_dataset("mnist", mnist, "train")
for step in sys.argv[3].split(","):
    for w in ("trained", "averaged"):
        m = model_io.load_trained_model(run, f"{run}/checkpoints/ckpt-{step}", weights=w)
        latents = evaluation.sample_latents(m.config.latent, 10000, seed=0)
        q = evaluation.sample_quality(m, cls, evaluation.generate(m, latents), test, train, 0)
        print(json.dumps({"step": int(step), "weights": w,
                          "frechet_distance": q["generated"]["frechet_distance"],
                          "classifier_score": q["generated"]["classifier_score"],
                          "class_histogram": q["generated"]["class_histogram"]}), flush=True)
