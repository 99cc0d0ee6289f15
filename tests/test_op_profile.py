"""op_profile: a hand-built profiler trace summed by op type."""

import pytest

from infogan_tf import op_profile


def _xspace():
    from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: PLC0415
    xspace = xplane_pb2.XSpace()
    plane = xspace.planes.add(name="/host:CPU")
    names = {1: "ExecutorState::Process",
             2: "d/conv/Conv2DBackpropFilter:_MklNativeConv2DBackpropFilter", 3: "g/dense/MatMul:_MklMatMul", 4: "adam/update:ResourceApplyAdam",
             5: "iterator:PrefetchProduce"}
    for key, name in names.items():
        plane.event_metadata[key].name = name
    compute = plane.lines.add(name="tf_Compute/123")
    other = plane.lines.add(name="tf_data_iterator_resource/9")
    # (metadata id, duration in ms): the Process event encloses the three ops.
    for key, ms in [(1, 10.0), (2, 4.0), (3, 3.0), (2, 1.5), (4, 0.5)]:
        compute.events.add(metadata_id=key, duration_ps=int(ms * 1e9))
    other.events.add(metadata_id=5, duration_ps=int(7e9))  # Not an executor thread.
    return xspace


def test_op_types_drop_onednn_prefixes():
    assert op_profile.op_type("a/b:_MklNativeConv2DBackpropInput") == "Conv2DBackpropInput"
    assert op_profile.op_type("a/b:_MklMatMul") == "MatMul"
    assert op_profile.op_type("a/b:Cast") == "Cast"


def test_time_by_op_type_sums_executor_threads_only_without_enclosing_events():
    totals = op_profile.time_by_op_type(_xspace())
    assert totals == pytest.approx({"Conv2DBackpropFilter": 5.5, "MatMul": 3.0,
                                    "ResourceApplyAdam": 0.5})


def test_top_op_types_per_step_with_shares_and_the_rest_as_other():
    rows = op_profile.top_op_types({"A": 6.0, "B": 3.0, "C": 0.6, "D": 0.4}, steps=2, limit=2)
    assert [name for name, _, _ in rows] == ["A", "B", "other"]
    assert [ms for _, ms, _ in rows] == pytest.approx([3.0, 1.5, 0.5])
    assert [share for _, _, share in rows] == pytest.approx([0.6, 0.3, 0.1])
    table = op_profile.format_table(rows)
    assert table.splitlines()[2] == "| A | 3.0 | 60.0% |"


def test_a_folder_without_a_trace_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no profiler trace"):
        op_profile.read_trace(str(tmp_path))
