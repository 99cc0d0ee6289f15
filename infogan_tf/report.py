"""docs/RESULTS.md as a pure function of the study's results.

`render_results(results)` takes the dict `study.collect_results` builds from
the runs' metrics.json and record.json files (and the Figure 1 curves) and
returns the Markdown text; nothing here reads files, runs models or asks the
clock, so the report can be regenerated and tested from saved JSON alone.
"""

import re
import shlex
from typing import Dict, List

import numpy as np

from infogan_tf import flagfile_guard, reference_classifiers, selection_tables
from infogan_tf.reference_classifiers import labelled
from infogan_tf.summaries import (FIGURE1_EARLY_STEPS, c1_accuracy, code_roles, figure1_summary,
                                  mean_std, median_seed, merged_labels, quality)

TARGETS = {"mean_accuracy": 0.96, "worst_accuracy": 0.93, "figure1_early": 2.2,
           "figure1_late": 2.25, "figure1_baseline_max": 0.7,
           "code_spearman": 0.9, "classifier_accuracy": 0.99}


def _fmt(value, spec=".3f", scale=1.0) -> str:
    return "–" if value is None else format(value * scale, spec)


def _minutes(record: dict, part: str) -> float:
    return sum(s["seconds"] for s in record.get(part, {}).get("sessions", [])) / 60.0


def _test_images(seeds: List[dict]) -> int:
    return max((r["metrics"].get("categorical", {}).get("c1", {}).get("test_images", 0)
                for r in seeds), default=0)


def _weights_note(seeds: List[dict]) -> str:
    """Says which seeds were evaluated on the moving averages of the weights, if any."""
    averaged = [str(r["seed"]) for r in seeds if r["metrics"].get("weights") == "averaged"]
    return (f" Networks (seeds {', '.join(averaged)}): the moving averages of G's and D/Q's "
            "weights (`--weight_average_decay`), not the trained weights of the same "
            "checkpoint.") if averaged else ""


def seed_table(seeds: List[dict]) -> List[str]:
    """The per-seed table and its mean ± std row."""
    lines = ["| seed | steps | accuracy (%) | NMI | ARI | L_I(c1) | Q confidence | "
             "rotation: code, ρ(slant) | width: code, ρ(width) | digits without own category | "
             "classifier score | FD | train min |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    columns: Dict[str, list] = {k: [] for k in ("acc", "nmi", "ari", "mi", "conf", "rot", "wid",
                                                "cs", "fd")}
    labels = reference_classifiers.classifier_labels(seeds)
    for run in seeds:
        m = run["metrics"]
        label = labels[run["seed"]]
        c1 = m.get("categorical", {}).get("c1", {})
        roles = code_roles(m)
        merged = merged_labels(c1["contingency"]) if c1 else {}
        row = {"acc": c1_accuracy(m), "nmi": c1.get("nmi"), "ari": c1.get("ari"),
               "mi": m.get("information", {}).get("c1"),
               "conf": c1.get("label_free", {}).get("mean_confidence"),
               "rot": abs(roles["rotation"][1]) if "rotation" in roles else None,
               "wid": abs(roles["width"][1]) if "width" in roles else None,
               "cs": quality(m, "generated", "classifier_score"),
               "fd": quality(m, "generated", "frechet_distance")}
        for key, value in row.items():
            columns[key].append(value)
        role_text = {r: f"{roles[r][0]}, {roles[r][1]:+.2f}" if r in roles else "–"
                     for r in ("rotation", "width")}
        lines.append(
            f"| {run['seed']} | {m['step']} | {_fmt(row['acc'], '.2f', 100)} | "
            f"{_fmt(row['nmi'])} | {_fmt(row['ari'])} | {_fmt(row['mi'])} | "
            f"{_fmt(row['conf'])} | {role_text['rotation']} | {role_text['width']} | "
            f"{', '.join(f'{a}→{b}' for a, b in merged.items()) or 'none'} | "
            f"{labelled(_fmt(row['cs'], '.2f'), label)} | "
            f"{labelled(_fmt(row['fd'], '.2f'), label)} | "
            f"{_minutes(run['record'], 'train'):.1f} |")
    acc = [100 * a for a in columns["acc"] if a is not None]
    lines.append(f"| **mean ± std** | | {mean_std(acc, '.2f')} | {mean_std(columns['nmi'])} | "
                 f"{mean_std(columns['ari'])} | {mean_std(columns['mi'])} | "
                 f"{mean_std(columns['conf'])} | "
                 f"\\|ρ\\| {mean_std(columns['rot'])} | \\|ρ\\| {mean_std(columns['wid'])} | | "
                 f"{mean_std(columns['cs'], '.2f')} | {mean_std(columns['fd'], '.2f')} | |")
    return lines


def target_rows(results: dict) -> List[str]:
    """The issue's targets, each with the measured value and whether it is met."""
    rows = []

    def add(target, measured, met):
        rows.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")

    seeds = results.get("seeds", [])
    accuracies = [a for a in (c1_accuracy(r["metrics"]) for r in seeds) if a is not None]
    if accuracies:
        add(f"c1 accuracy, mean over ≥ 5 seeds ≥ {TARGETS['mean_accuracy']:.0%}",
            f"{np.mean(accuracies):.2%} over {len(accuracies)} seeds",
            np.mean(accuracies) >= TARGETS["mean_accuracy"] and len(accuracies) >= 5)
        add(f"c1 accuracy, worst seed ≥ {TARGETS['worst_accuracy']:.0%}",
            f"{min(accuracies):.2%}", min(accuracies) >= TARGETS["worst_accuracy"])
    if seeds:
        threshold = TARGETS["code_spearman"]
        strong = [r["seed"] for r in seeds
                  if all(abs(code_roles(r["metrics"]).get(role, ("", 0.0))[1]) >= threshold
                         for role in ("rotation", "width"))]
        add(f"every seed: one code \\|ρ\\| ≥ {threshold} with slant, another with width",
            f"{len(strong)} of {len(seeds)} seeds", len(strong) == len(seeds))
        tested = [r["metrics"]["sample_quality"]["classifier_test_accuracy"] for r in seeds
                  if "sample_quality" in r["metrics"]]
        if tested:
            add(f"reference classifier test accuracy ≥ {TARGETS['classifier_accuracy']:.0%}",
                f"{min(tested):.2%}" + (" (the lowest of the study's classifiers)"
                                         if len(set(tested)) > 1 else ""),
                min(tested) >= TARGETS["classifier_accuracy"])
    figure1 = results.get("figure1", {})
    if "infogan" in figure1:
        info = figure1_summary(figure1["infogan"]["curve"])
        add(f"Figure 1: InfoGAN L_I ≥ {TARGETS['figure1_early']} within "
            f"{FIGURE1_EARLY_STEPS} iterations", f"max {info['max_early']:.3f}",
            info["max_early"] >= TARGETS["figure1_early"])
        add(f"Figure 1: InfoGAN L_I ≥ {TARGETS['figure1_late']} after 1,000 (mean of "
            "iterations 901–1,000)", f"{info['late_mean']:.3f} (curve to {info['end']})",
            info["late_mean"] >= TARGETS["figure1_late"] and info["end"] >= 1000)
    if "gan" in figure1:
        gan = figure1_summary(figure1["gan"]["curve"])
        add(f"Figure 1: baseline GAN L_I stays below {TARGETS['figure1_baseline_max']}",
            f"max {gan['max']:.3f}", gan["max"] < TARGETS["figure1_baseline_max"])
    return ["| target | measured | met |", "|---|---|---|"] + rows


def _commands(runs: List[tuple]) -> List[str]:
    lines = ["```bash"]
    for name, run in runs:
        for part in ("train", "eval"):
            command = run["record"].get(part, {}).get("command")
            if command:
                lines.append(f"# {name}, {part}")
                lines.append(shlex.join(command))
    return lines + ["```"]


def _pair_flagfile(figure1: dict) -> str:
    """The --flagfile the Figure 1 runs were trained with, as their records give it."""
    for run in figure1.values():
        path = flagfile_guard.flagfile_of(run.get("record", {}).get("train", {}).get("command", []))
        if path:
            return path
    return "flags/mnist_gan_baseline.cfg"  # what reproduce trains them with by default


def _figure1_section(results: dict) -> List[str]:
    figure1 = results.get("figure1", {})
    if not figure1:
        return []
    path = results.get("figure_paths", {}).get("figure1", "figures/figure1.png")
    seeds = results.get("seeds", [])
    lines = ["## Figure 1: L_I of the categorical code during training", "",
             "InfoGAN and the baseline GAN (same model, Q trained, but G gets no MI term, "
             "`--generator_mi=false`) with one 10-way code and no continuous code, both with "
             f"`--flagfile={_pair_flagfile(figure1)}`, logged every iteration. "
             "H(c) = ln 10 = 2.303 nats is the maximum."
             + (" The main configuration's seeds (with the two continuous codes, logged every "
                "10 iterations) are listed below them as a cross-check." if seeds else ""),
             "", f"![Figure 1]({path})", "",
             "| run | max L_I, it. ≤ 100 | mean L_I, it. 901–1,000 | max L_I, it. ≤ 1,000 | "
             "c1 accuracy (%) | classifier score | FD |", "|---|---|---|---|---|---|---|"]
    rows = [(label, figure1[key]["curve"], figure1[key].get("metrics", {}))
            for key, label in (("infogan", "InfoGAN"), ("gan", "GAN baseline"))
            if key in figure1]
    # A curve that starts after iteration 1,000 has nothing to show here.
    rows += [(f"main config, seed {r['seed']}", r["curve"], {}) for r in seeds
             if r.get("curve", {}).get("steps") and min(r["curve"]["steps"]) <= 1000]
    for label, curve, m in rows:
        summary = figure1_summary(curve)
        lines.append(f"| {label} | {summary['max_early']:.3f} | {summary['late_mean']:.3f} | "
                     f"{summary['max']:.3f} | {_fmt(c1_accuracy(m), '.2f', 100)} | "
                     f"{_fmt(quality(m, 'generated', 'classifier_score'), '.2f')} | "
                     f"{_fmt(quality(m, 'generated', 'frechet_distance'), '.2f')} |")
    lines += ["", "The accuracies and Fréchet distances of the Figure 1 pair compare the two "
              "models after the same number of iterations (the Figure 1 runs' length)"
              + ("; the main configuration's are in the table above." if seeds else ".")]
    return lines + [""]


def _environment_section(results: dict) -> List[str]:
    runs = results.get("seeds", []) + list(results.get("figure1", {}).values())
    environments = [r["metrics"].get("environment") for r in runs
                    if r.get("metrics", {}).get("environment")]
    lines = ["## Environment and wall time", ""]
    if environments:
        env = environments[0]
        lines += [f"- Versions: Python {env['python']}, TensorFlow {env['tensorflow']}, "
                  f"Keras {env['keras']}, NumPy {env['numpy']}, SciPy {env['scipy']}.",
                  f"- Machine: {env['platform']}, {env['processor']}, {env['cpu_count']} CPU "
                  f"cores, GPUs: {', '.join(env['gpus']) or 'none'}."]
    train = sum(_minutes(r.get("record", {}), "train") for r in runs)
    evaluation = sum(_minutes(r.get("record", {}), "eval") for r in runs)
    lines.append(f"- Wall time: {train:.1f} min training, {evaluation:.1f} min evaluation, "
                 f"over {len(runs)} runs (summed over resumed sessions).")
    return lines + [""]


def render_results(results: dict) -> str:
    """The whole RESULTS.md text for `results` (see study.collect_results for its form)."""
    seeds = results.get("seeds", [])
    paths = results.get("figure_paths", {})
    lines = ["# InfoGAN on MNIST: reproduced results", "",
             "Generated by `python -m infogan_tf.reproduce` from the runs' own evaluation files "
             f"(`{results.get('study_dir', '')}`); do not edit by hand: notes go into "
             f"`{results.get('notes_path') or 'docs/results_notes.md'}`, which is included "
             "below.", "",
             "## Targets", ""] + target_rows(results) + [""]
    if seeds:
        lines += ["## Categorical code as a classifier, continuous codes, samples (per seed)", "",
                  f"c1 accuracy: Q's argmax category on the {_test_images(seeds):,} MNIST "
                  "test images, matched "
                  "one-to-one to the labels (Hungarian); NMI and ARI of the same clustering. "
                  "L_I(c1): the bound on generated samples at evaluation (nats, max 2.303). "
                  "Q confidence: Q's mean max_k Q(k|x) on the same real images, which needs no "
                  "labels. ρ: "
                  "Spearman correlation of a continuous code swept from −2 to 2 with the slant / "
                  "stroke width of the image, averaged over the fixed noise samples; the codes "
                  "are named rotation and width one-to-one so that the summed |ρ| is largest. "
                  "Classifier score (max 10) and FD: generated samples through the "
                  "reference classifier." + _weights_note(seeds), ""]
        lines += seed_table(seeds) + [""] + selection_tables.restarts_table(seeds)
    lines += selection_tables.final_choice_table(seeds)
    lines += reference_classifiers.reference_section(seeds) + _figure1_section(results)
    if paths.get("figure2_seed") is not None:
        lines += [f"## Figure 2 (seed {paths['figure2_seed']}, the median accuracy)", "",
                  "Rows: fixed noise samples; (a) c1 varied, columns ordered by the digit each "
                  "category is matched to; (c) c2 and (d) c3 from −2 to 2 (trained on "
                  "Unif(−1, 1)); and the test contingency matrix.", ""]
        lines += [f"![{name}]({path})" for name, path in sorted(paths.items())
                  if name.startswith(("figure2_", "contingency_")) and name != "figure2_seed"]
        lines.append("")
    runs = [(f"seed {r['seed']}", r) for r in seeds] + [
        (f"figure 1 {k}", v) for k, v in results.get("figure1", {}).items()]
    if runs:
        lines += ["## Exact commands", ""] + _commands(runs) + [""]
    lines += _environment_section(results)
    if results.get("notes"):
        lines += ["## Analysis", "", results["notes"].strip(), ""]
    return "\n".join(lines)


def _writer(line: str):
    """The infogan_tf module a "Written by `python -m infogan_tf.X ...`" line names, or None
    (`reproduce_dsprites` is another command than `reproduce`)."""
    match = re.match(r"Written by `python -m infogan_tf\.(\w+)", line)
    return match.group(1) if match else None


def sections_of_other_commands(text: str) -> str:
    """The `## ` sections of an existing RESULTS.md that another command wrote.

    Other commands (e.g. `python -m infogan_tf.basicprop_eval`) keep their own
    sections in the same file and mark them "Written by `python -m infogan_tf.X`";
    the study regenerates only its own part, so those sections are carried over.
    """
    kept, section = [], None
    for line in text.split("\n") + ["## "]:
        if line.startswith("## "):
            if section and any(_writer(l) not in (None, "reproduce") for l in section):
                kept.append("\n".join(section).rstrip("\n"))
            section = [line]
        elif section is not None:
            section.append(line)
    return "\n\n".join(kept) + ("\n" if kept else "")
