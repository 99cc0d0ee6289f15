"""Requests to and responses from TF Serving for an exported InfoGAN.

REST: `rest_generate_request(...)` etc. build the JSON body of
`POST http://HOST:8501/v1/models/NAME[/versions/V]:predict` in the columnar
format `{"signature_name": ..., "inputs": {name: nested lists}}`;
`decode_rest_response` turns the reply into numpy arrays. gRPC (port 8500):
`grpc_generate_request(...)` etc. build a `PredictRequest` (package
tensorflow-serving-api) and `decode_grpc_response` reads a `PredictResponse`.
`predict_rest` and `predict_grpc` send them.

The dtypes and output names come from the model's JSON asset
(`<version>/assets/infogan_export.json`, see `export_signatures`), which
`load_export_info` reads; the encoders also accept any array-likes.
"""

import json
import urllib.error
import urllib.request
from typing import Dict, Mapping, Optional

import numpy as np
import tensorflow as tf

from infogan_tf import export_layout
from infogan_tf.export_layout import ENCODE, GENERATE, SAMPLE
_INPUT_DTYPES = {
    GENERATE: {"noise": np.float32, "categorical": np.int32, "continuous": np.float32},
    SAMPLE: {"seed": np.int64, "num": np.int32},
    ENCODE: {"images": np.float32},
}


class ServingError(RuntimeError):
    """TF Serving answered with an error; the message is the server's."""


def load_export_info(export_dir: str, version: Optional[int] = None) -> dict:
    """The JSON description of an exported version (the latest by default)."""
    return export_layout.read_export_info(export_layout.version_dir(export_dir, version))


def _typed_inputs(signature_name: str, inputs: Mapping[str, object]) -> Dict[str, np.ndarray]:
    dtypes = _INPUT_DTYPES[signature_name]
    if set(inputs) != set(dtypes):
        raise ValueError(f"{signature_name} takes inputs {sorted(dtypes)}, got {sorted(inputs)}")
    return {name: np.asarray(inputs[name], dtypes[name]) for name in dtypes}


def generate_inputs(noise, categorical, continuous) -> Dict[str, np.ndarray]:
    """The inputs of `serving_default`, as arrays of the signature's dtypes."""
    return _typed_inputs(GENERATE, dict(noise=noise, categorical=categorical,
                                        continuous=continuous))


def rest_request(signature_name: str, inputs: Mapping[str, object]) -> dict:
    """A columnar TF Serving REST body; float32 values survive the trip exactly."""
    typed = _typed_inputs(signature_name, inputs)
    return {"signature_name": signature_name,
            "inputs": {name: value.tolist() for name, value in typed.items()}}


def rest_generate_request(noise, categorical, continuous) -> dict:
    """A TF Serving REST body for the generate signature (serving_default)."""
    return rest_request(GENERATE, dict(noise=noise, categorical=categorical,
                                       continuous=continuous))


def rest_sample_request(seed: int, num: int) -> dict:
    """A TF Serving REST body for the sample signature."""
    return rest_request(SAMPLE, dict(seed=seed, num=num))


def rest_encode_request(images) -> dict:
    """A TF Serving REST body for the encode signature."""
    return rest_request(ENCODE, dict(images=images))


def decode_rest_response(response: Mapping, signature: Mapping) -> Dict[str, np.ndarray]:
    """A REST reply -> output name -> numpy array of the documented dtype.

    Args:
      response: the parsed JSON reply, {"outputs": ...} or {"error": ...}.
      signature: the asset's entry for the signature called, e.g.
        `info["signatures"]["encode"]` (gives output names and dtypes).

    Raises:
      ServingError: the server reported an error.
    """
    if "error" in response:
        raise ServingError(response["error"])
    outputs = response["outputs"]
    names = list(signature["outputs"])
    if not isinstance(outputs, dict):  # TF Serving drops the name of a single output.
        outputs = {names[0]: outputs}
    return {name: np.asarray(outputs[name], np.dtype(signature["outputs"][name]["dtype"]))
            for name in names}


def rest_url(base_url: str, model_name: str, version: Optional[int] = None) -> str:
    """e.g. http://localhost:8501/v1/models/mnist:predict"""
    path = f"/v1/models/{model_name}" + (f"/versions/{version}" if version else "")
    return base_url.rstrip("/") + path + ":predict"


def predict_rest(base_url: str, model_name: str, request: Mapping, signature: Mapping,
                 version: Optional[int] = None, timeout: float = 30.0) -> Dict[str, np.ndarray]:
    """POSTs a REST request and decodes the reply (see decode_rest_response)."""
    body = json.dumps(request).encode("utf-8")
    http_request = urllib.request.Request(rest_url(base_url, model_name, version), data=body,
                                          headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as reply:
            response = json.load(reply)
    except urllib.error.HTTPError as e:  # TF Serving sends {"error": ...} with a 4xx/5xx.
        response = json.load(e)
    return decode_rest_response(response, signature)


def _predict_pb2():
    try:
        from tensorflow_serving.apis import predict_pb2  # noqa: PLC0415
    except ImportError as e:
        raise ImportError("gRPC requests need the tensorflow-serving-api package (see "
                          "requirements.txt)") from e
    return predict_pb2


def grpc_request(model_name: str, signature_name: str, inputs: Mapping[str, object],
                 version: Optional[int] = None):
    """A `PredictRequest` for `signature_name` of model `model_name`."""
    request = _predict_pb2().PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    if version:
        request.model_spec.version.value = version
    for name, value in _typed_inputs(signature_name, inputs).items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def grpc_generate_request(model_name: str, noise, categorical, continuous,
                          version: Optional[int] = None):
    """A TF Serving gRPC PredictRequest for the generate signature (serving_default)."""
    return grpc_request(model_name, GENERATE, dict(noise=noise, categorical=categorical,
                                                   continuous=continuous), version)


def grpc_sample_request(model_name: str, seed: int, num: int, version: Optional[int] = None):
    """A TF Serving gRPC PredictRequest for the sample signature."""
    return grpc_request(model_name, SAMPLE, dict(seed=seed, num=num), version)


def grpc_encode_request(model_name: str, images, version: Optional[int] = None):
    """A TF Serving gRPC PredictRequest for the encode signature."""
    return grpc_request(model_name, ENCODE, dict(images=images), version)


def decode_grpc_response(response) -> Dict[str, np.ndarray]:
    """A `PredictResponse` -> output name -> numpy array."""
    return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}


def predict_grpc(target: str, request, timeout: float = 30.0) -> Dict[str, np.ndarray]:
    """Sends a PredictRequest to `target` (e.g. "localhost:8500") and decodes the reply."""
    import grpc  # noqa: PLC0415  (only gRPC users need it)
    from tensorflow_serving.apis import prediction_service_pb2_grpc  # noqa: PLC0415
    with grpc.insecure_channel(target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        return decode_grpc_response(stub.Predict(request, timeout=timeout))
