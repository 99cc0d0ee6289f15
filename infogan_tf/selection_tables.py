"""The report's tables of the label-free choices a study's runs made.

With `--candidates` each seed chose which of its short candidate runs to continue, and with
`--choose_checkpoint_from` which late checkpoint is its result; both choices read Q on real
training images without labels. These render them from the seeds' metrics.json records
(pure functions of the dicts `study.collect_results` builds).
"""

from typing import List


def _candidate_cell(candidate: dict) -> str:
    """One candidate's scores; with --candidate_code_consistency, its codes' verdicts too."""
    cell = (f"{candidate['seed']}: {candidate['mutual_information']:.3f}, "
            f"{candidate['mean_confidence']:.3f}")
    if "code_consistency" in candidate:
        against = [f"{name} against {', '.join(code['against'])}"
                   for name, code in sorted(candidate["code_consistency"].items())
                   if code["against"]]
        cell += f" ({'; '.join(against) if against else 'codes consistent'})"
    if "factor_check" in candidate:
        verdicts = [_factor_verdict(role, factor)
                    for role, factor in sorted(candidate["factor_check"].items())]
        cell += f" [{'; '.join(verdicts)}]"
    return cell


def _factor_verdict(role: str, factor: dict) -> str:
    """E.g. "rotation c2 shown", "width c3: 7 against", "width c3: median rho -0.06"."""
    if factor["shown"]:
        return f"{role} {factor['code']} shown"
    if factor["against"]:
        return f"{role} {factor['code']}: {', '.join(factor['against'])} against"
    return f"{role} {factor['code']}: median ρ {factor['median_rho']:+.2f}"


def restarts_table(seeds: List[dict]) -> List[str]:
    """The label-free choice of each seed trained with --candidates (none: no lines)."""
    chosen = [(r["seed"], r["metrics"]["selection"]) for r in seeds
              if "selection" in r["metrics"]]
    if not chosen:
        return []
    lines = ["Label-free restarts (`--candidates`): each seed's candidates after "
             f"{chosen[0][1]['candidates'][0]['step']:,} steps, scored on real training images "
             "without labels by I(x; c) (nats) and Q's confidence; the one with the highest "
             "I(x; c) was continued."]
    if any("code_consistency" in c for _, s in chosen for c in s["candidates"]):
        lines[0] += (" With `--candidate_code_consistency`, in brackets: the categories of c1 "
                     "that a continuous code moves against the others on G's sweeps; among "
                     "the candidates within 0.04 nats of the highest I(x; c), those with "
                     "fewer such codes came first.")
    if any("factor_check" in c for _, s in chosen for c in s["candidates"]):
        lines[0] += (" With `--candidate_factor_check`, in square brackets: whether the codes "
                     "named rotation and width follow slant and stroke width on G's sweeps in "
                     "every category of c1 (shown), or which categories run against the "
                     "others, or the median category's ρ when the code barely follows it; "
                     "among the candidates within 0.04 nats of the highest I(x; c), those "
                     "showing more came first, and more candidates trained while none "
                     "showed both.")
    lines += ["", "| seed | candidates: seed, I(x; c), confidence | continued |", "|---|---|---|"]
    for seed, selection in chosen:
        cells = "; ".join(_candidate_cell(c) for c in selection["candidates"])
        cells += "".join(f"; {c['seed']}: diverged" for c in selection.get("diverged", []))
        lines.append(f"| {seed} | {cells} | {selection['chosen']['seed']} |")
    return lines + [""]


def final_choice_table(seeds: List[dict]) -> List[str]:
    """Each seed's label-free choice among its late checkpoints (none made: no lines)."""
    chosen = [(r["seed"], r["metrics"]["final_choice"]) for r in seeds
              if "final_choice" in r["metrics"]]
    if not chosen:
        return []
    lines = ["Result checkpoint (`--choose_checkpoint_from`): each seed's kept checkpoints "
             "from the given step on, scored on real training images without labels by "
             "I(x; c) (nats); the table above evaluates the highest.", "",
             "| seed | checkpoints: step, I(x; c) | result |", "|---|---|---|"]
    for seed, choice in chosen:
        cells = "; ".join(f"{c['step']:,}: {c['mutual_information']:.3f}"
                          for c in choice["candidates"])
        lines.append(f"| {seed} | {cells} | {choice['chosen']['step']:,} |")
    return lines + [""]
