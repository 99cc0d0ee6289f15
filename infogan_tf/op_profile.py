"""Where a training step's time goes: TensorFlow profiler traces summed by op type.

`python -m infogan_tf.benchmark ... --profile_steps=20` traces that many steps
after the timed ones (so the trace does not slow the measurement) and reports
each op type's share of the executor threads' busy time. On a CPU, ops of the
two inter-op threads overlap and each may also use the intra-op pool, so the
numbers are thread time, not wall time: their shares are what to compare.
"""

import collections
import glob
import os
from typing import Dict, List, Tuple

# The executor's own bookkeeping events enclose the ops; counting them would count twice.
_ENCLOSING = ("ExecutorState::Process", "ExecutorState::ProcessAsync::Start")
_OP_THREAD_PREFIX = "tf_Compute"


def op_type(event_name: str) -> str:
    """`scope/name:OpType` -> OpType, with oneDNN's `_Mkl`/`_MklNative` prefixes dropped
    (`_MklNativeConv2DBackpropFilter` is TensorFlow's Conv2DBackpropFilter)."""
    kind = event_name.rsplit(":", 1)[-1]
    for prefix in ("_MklNative", "_Mkl"):
        if kind.startswith(prefix):
            return kind[len(prefix):]
    return kind


def time_by_op_type(xspace) -> Dict[str, float]:
    """Milliseconds of executor-thread time per op type in a profiler XSpace proto."""
    totals: Dict[str, float] = collections.Counter()
    for plane in xspace.planes:
        names = {key: metadata.name for key, metadata in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith(_OP_THREAD_PREFIX):
                continue
            for event in line.events:
                name = names.get(event.metadata_id, "")
                if name and name not in _ENCLOSING:
                    totals[op_type(name)] += event.duration_ps / 1e9
    return dict(totals)


def read_trace(trace_dir: str):
    """The newest XSpace the profiler wrote under `trace_dir`."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: PLC0415
    paths = sorted(glob.glob(os.path.join(trace_dir, "**", "*.xplane.pb"), recursive=True),
                   key=os.path.getmtime)
    if not paths:
        raise FileNotFoundError(f"no profiler trace (*.xplane.pb) under {trace_dir}")
    xspace = xplane_pb2.XSpace()
    with open(paths[-1], "rb") as f:
        xspace.ParseFromString(f.read())
    return xspace


def top_op_types(totals: Dict[str, float], steps: int, limit: int = 12
                 ) -> List[Tuple[str, float, float]]:
    """(op type, ms per step, share of all op time) of the `limit` largest, then "other"."""
    total = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    rows = [(name, ms / steps, ms / total) for name, ms in ranked[:limit]]
    rest = sum(ms for _, ms in ranked[limit:])
    if rest:
        rows.append(("other", rest / steps, rest / total))
    return rows


def format_table(rows: List[Tuple[str, float, float]]) -> str:
    """A Markdown table of `top_op_types` rows."""
    lines = ["| op type | thread ms/step | share |", "|---|---|---|"]
    lines += [f"| {name} | {ms:.1f} | {share:.1%} |" for name, ms, share in rows]
    return "\n".join(lines)
