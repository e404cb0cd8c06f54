"""How much of TensorFlow 2.21's public API tapegrad has, module by module.

Two steps:

* ``python scripts/tf_coverage.py --dump`` (run with a Python that has TensorFlow
  2.21, e.g. ``/work/tfvenv/bin/python``) lists the public names of the modules in
  :data:`MODULES` and saves them to ``docs/tf-names-2.21.json``;
* ``python scripts/tf_coverage.py`` (no TensorFlow needed) imports tapegrad,
  compares it with that file and writes ``docs/tf-coverage.md``: per module, the
  names tapegrad has, the ones it lacks, and the ones out of scope, with the reason
  (:data:`OUT_OF_SCOPE`, first matching rule wins). ``--check`` only reports whether
  the written file is current (exit status 1 when not).

A name counts as present when ``getattr`` finds it on the matching tapegrad
module. Submodules are not names: each listed module is counted on its own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import types
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
NAMES_FILE = ROOT / "docs" / "tf-names-2.21.json"
REPORT_FILE = ROOT / "docs" / "tf-coverage.md"

#: The modules compared, as attribute paths from ``tf``.
MODULES = [
    "tf",
    "tf.math",
    "tf.linalg",
    "tf.nn",
    "tf.random",
    "tf.nest",
    "tf.debugging",
    "tf.dtypes",
    "tf.autodiff",
    "tf.errors",
    "tf.data",
    "tf.data.experimental",
    "tf.losses",
    "tf.metrics",
    "tf.optimizers",
    "tf.initializers",
    "tf.keras",
    "tf.keras.layers",
    "tf.keras.losses",
    "tf.keras.metrics",
    "tf.keras.optimizers",
    "tf.keras.optimizers.schedules",
    "tf.keras.activations",
    "tf.keras.initializers",
    "tf.keras.regularizers",
    "tf.keras.constraints",
    "tf.keras.callbacks",
    "tf.keras.models",
    "tf.keras.backend",
    "tf.keras.utils",
]

Rule = tuple[str, str, Callable[[str, str], bool]]


def _name(pattern: str, modules: str = ".*") -> Callable[[str, str], bool]:
    """A rule predicate: the name matches ``pattern`` in a module matching ``modules``."""
    name_re, module_re = re.compile(pattern), re.compile(modules)
    return lambda module, name: bool(module_re.fullmatch(module) and name_re.search(name))


_SPARSE_IN_SCOPE = re.compile(r"(?i)sparse_?(categorical|softmax_cross|top_k)|SparseCategorical")

#: ``(category, reason, predicate(module, name))``: names outside tapegrad's scope.
OUT_OF_SCOPE: list[Rule] = [
    ("ragged", "tapegrad has dense tensors only; ragged tensors are a separate tensor type",
     _name(r"(?i)ragged")),
    ("sparse", "no SparseTensor type (sparse *gradients* are IndexedSlices, which are in scope)",
     lambda m, n: bool(re.search(r"(?i)^sparse|Sparse(Tensor|Feature)|_sparse$|sparse_(to|"
                                 r"add|concat|mask|reduce|reshape|retain|segment|slice|split|"
                                 r"tensor|matmul|placeholder|fill|reorder|transpose|merge|"
                                 r"maximum|minimum|reset|cross|bincount)", n))
     and not _SPARSE_IN_SCOPE.search(n)),
    ("strings", "no string tensors (text ops, string lookups, hashing of strings)",
     _name(r"(?i)string|unicode|regex|substr|^as_string|TextVectorization|^Hashing$|"
           r"HashedCrossing|^text_|^decode_|^encode_|^(encode|decode)_base64|tokeniz|"
           r"^strings$|^bytes")),
    ("complex", "no complex dtypes (complex numbers, FFTs, conjugates, phases)",
     _name(r"(?i)complex|^conj$|^real$|^imag$|^angle$|fft|^adjoint$|^conjugate|^eig$|^eigvals$")),
    ("unsupported dtypes", "tapegrad's tensors are float32/float64/int32/int64/bool; other "
     "element types have no tensor type",
     _name(r"^(u?int8|u?int16|uint32|uint64|float16|half|bfloat16|q[u]?int\d+|resource|variant|"
           r"float8\w*|int4|uint4|string|bool_|complex\d*|qint\w*|quint\w*)$")),
    ("quantisation", "quantised tensors and fake-quantisation ops",
     _name(r"(?i)quantiz|^fake_quant|dequantize|^Quantized|^Quantizer|quantized_|"
           r"^QuantizationConfig|Int8QuantizationConfig|Float8|int4")),
    ("TPU / distribution", "single-process CPU library: no TPUs, devices or distribution "
     "strategies", _name(r"(?i)tpu|^device$|DeviceSpec|distribut|collective|replica|^shard|"
                         r"Strategy|^dtensor|^experimental_distribute|cross_replica|"
                         r"all_reduce|^nccl|^Mesh$|^Layout$|^LayoutMap")),
    ("saved models / IO", "no file formats: SavedModel, checkpoints, TFRecord and text "
     "readers, model export and serialisation",
     _name(r"(?i)saved_?model|checkpoint|^save$|^load$|^read_file$|^write_file$|TFRecord|"
           r"TextLine|FixedLengthRecord|^io$|^export|^ExportArchive|^load_model$|"
           r"^save_model$|save_weights|load_weights|serializ|^model_from_json$|"
           r"^model_from_yaml$|^model_to_|^get_file$|^list_files$|BackupAndRestore|"
           r"^CSVLogger$|^TensorBoard$|^ProgbarLogger$|^RemoteMonitor$|^SwapEMAWeights$|"
           r"Orbax|^Checkpoint|^save_|^load_|^to_json|^from_json|FeatureSpace|"
           r"^get_registered_|^register_keras_serializable$|^custom_object_scope$|"
           r"^CustomObjectScope$|^get_custom_objects$|^deserialize_keras_object$|"
           r"^serialize_keras_object$|^plot_model$|^model_to_dot$|Sidecar|^audio_dataset"
           r"|^image_dataset|^text_dataset|^timeseries_dataset|^split_dataset|^pack_x_y|"
           r"^unpack_x_y|^Sequence$|^PyDataset$|^SequenceEnqueuer$|^OrderedEnqueuer|"
           r"^GeneratorEnqueuer$|^experimental_dataset$|^get_source_inputs$|^array_to_img|"
           r"^img_to_array|^load_img|^save_img|^Progbar$|^FeatureSpace|"
           r"^get_config$|^from_config$|^get$|^deserialize$|^serialize$")),
    ("graph / tf.function internals", "eager only: graphs, operations, placeholders, "
     "autograph, control dependencies and other graph-building machinery",
     _name(r"(?i)^Graph|^Operation$|^get_default_graph$|^control_dependencies$|placeholder|"
           r"^init_scope$|^autograph|^import_graph_def$|^py_func|^numpy_function$|"
           r"^py_function$|^no_op$|^group$|^tuple$|^device$|^Module$|^TypeSpec$|"
           r"^OptionalSpec$|^Optional$|^TensorArraySpec$|^DatasetSpec$|^IteratorSpec$|"
           r"^type_spec|^experimental|^function$|^get_current_name_scope$|^ensure_shape$|"
           r"^inside_function$|^executing_eagerly_outside|^RegisterGradient$|"
           r"^NoGradient$|^NotDifferentiable$|^get_logger$|^load_library$|^load_op_library$|"
           r"^CriticalSection$|^make_ndarray$|^make_tensor_proto$|^TensorProto|^guarantee_const$|"
           r"^assert_proper_iterable$|^is_symbolic_tensor$|^KerasTensor$|^is_keras_tensor$|"
           r"^SymbolicScope$|^StatelessScope$|^Function$|^Operation$|^symbolic|^in_train_phase$|"
           r"^in_test_phase$|^learning_phase|^set_learning_phase$|^get_session$|^set_session$|"
           r"^placeholder$|^manual_variable_initialization$|^batch_get_value$|^batch_set_value$|"
           r"^get_value$|^set_value$|^eval$|^function$|^is_placeholder$|^RematScope$|^remat$|"
           r"^check_numerics$|^enable_check_numerics$|^disable_check_numerics$|"
           r"^set_log_device_placement$|^enable_dump_debug_info$|^disable_dump_debug_info$|"
           r"^get_uid$|^reset_uids$|^Iterator$|^OptionalSpec|^Options$|^ThreadingOptions$|"
           r"^AutoShardPolicy$|^AutotuneOptions$|^DistributeOptions$|^ExternalStatePolicy$|"
           r"^OptimizationOptions$|^ThreadingOptions$|^service|^snapshot$|^copy_to_device$|"
           r"^prefetch_to_device$|^get_next_as_optional$|^enable_debug_mode$|"
           r"^register_dataset$|^from_variant$|^to_variant$|^DatasetInitializer$|"
           r"^make_batched_features_dataset$|^make_csv_dataset$|^CsvDataset$|"
           r"^SqlDataset$|^RandomDataset$|^Counter$|^index_table|^parse_example|^Reducer$|"
           r"^TFRecordWriter$|"
           r"^index_flat_map$|^from_list$|^LookupStructure$|^from_dlpack|^to_dlpack|"
           r"^batch_function$|^get_output_|^NoneTensorSpec$|^IndexedSlicesSpec$|^VariableSpec$|"
           r"^register_tensor_conversion_function$|^variable_creator_scope$|"
           r"^nondifferentiable_batch_function$|^check_pinned$|^conv2d_backprop_\w+_v2$|"
           r"^get_model_proto$|^make_saveable_from_iterator$|^AutotuneAlgorithm$|"
           r"^table_from_dataset$|^map_and_batch|^parallel_interleave$|^group_by_reducer$|"
           r"^get_structure$|^dense_to_sparse_batch$|^at$|^pad_to_cardinality$|"
           r"^get_log_device_placement$|traceback_filtering|^distributed_save$|^no_gradient$")),
    ("image / audio preprocessing layers", "Keras preprocessing for image files and audio "
     "(resizing, augmentation, mel spectrograms): outside GradientTape training code",
     _name(r"^(Random\w+|Resizing|CenterCrop|Rescaling|AutoContrast|Equalization|MixUp|CutMix|"
           r"Solarization|Posterization|AugMix|RandAugment|MelSpectrogram|STFTSpectrogram|"
           r"Pipeline|ChannelShuffle|GridMask|JitteredResize|MaxNumBoundingBoxes|"
           r"RandomElasticTransform|RandomGaussianBlur|RandomPerspective|RandomInvert|"
           r"RandomSaturation|RandomSharpness|RandomShear|RandomColorDegeneration|"
           r"RandomColorJitter|RandomErasing|RandomGrayscale|RandomHue|RandomPosterization|"
           r"Discretization|IntegerLookup|Normalization|Hashing|StringLookup|"
           r"TextVectorization|CategoryEncoding|HashedCrossing|FeatureSpace|TorchModuleWrapper|"
           r"JaxLayer|FlaxLayer|TFSMLayer)$", r"tf\.keras\.layers")),
    ("callbacks for fit()", "tapegrad has no fit(); training callbacks only make sense "
     "inside Model.fit", _name(r".*", r"tf\.keras\.callbacks")),
    ("summaries / profiling / tooling", "TensorBoard summaries, profiler, visualisation and "
     "environment tooling", _name(r"(?i)summary|profil|trace_|^timestamp$|^sysconfig|"
                                  r"^version$|^VERSION$|^GIT_VERSION$|^COMPILER_VERSION$|"
                                  r"^CXX11_ABI_FLAG$|^CXX_VERSION$|^GRAPH_DEF_VERSION|"
                                  r"^MONOLITHIC_BUILD$|^__|^is_interactive_logging|"
                                  r"logging|^disable_interactive|^enable_interactive|"
                                  r"^config$|^default_|^image_data_format$|"
                                  r"^set_image_data_format$|^backend$|^is_tf_keras|"
                                  r"^mlir$|^lite$|^xla$|^sets$|^bitwise")),
    ("bit tricks and hashing", "operations on the bits of values rather than on numbers",
     _name(r"^(bitcast|bitwise_\w+|fingerprint|nextafter|edit_distance)$")),
]


def _public_names(module: Any) -> dict[str, str]:
    """Public attributes of a module (no submodules) mapped to a kind: class, function, value."""
    out = {}
    for name in dir(module):
        if name.startswith("_"):
            continue
        try:
            value = getattr(module, name)
        except Exception:  # noqa: BLE001 - lazy loaders may fail; the name still exists
            out[name] = "value"
            continue
        if isinstance(value, types.ModuleType):
            continue
        if isinstance(value, type):
            out[name] = "class"
        elif callable(value):
            out[name] = "function"
        else:
            out[name] = "value"
    return out


def _resolve(root: Any, path: str) -> Any:
    """``tf.a.b`` resolved from ``root`` (None when some part is missing)."""
    obj = root
    for part in path.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def dump() -> None:
    """Write TensorFlow's public names (of the running TensorFlow) to :data:`NAMES_FILE`."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = importlib.import_module("tensorflow")
    data: dict[str, Any] = {"tensorflow_version": tf.__version__, "modules": {}}
    for path in MODULES:
        module = _resolve(tf, path)
        if module is None:
            print(f"warning: {path} not found in TensorFlow {tf.__version__}", file=sys.stderr)
            continue
        data["modules"][path] = dict(sorted(_public_names(module).items()))
    NAMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    NAMES_FILE.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    total = sum(len(v) for v in data["modules"].values())
    print(f"wrote {NAMES_FILE.relative_to(ROOT)}: {total} names in {len(data['modules'])} modules")


def classify(module: str, name: str) -> tuple[str, str] | None:
    """``(category, reason)`` when ``module.name`` is out of scope, else None."""
    for category, reason, predicate in OUT_OF_SCOPE:
        if predicate(module, name):
            return category, reason
    return None


def compare(tg: Any) -> dict[str, dict[str, Any]]:
    """Per module: present, missing and out-of-scope (name -> category) names."""
    data = json.loads(NAMES_FILE.read_text())
    result: dict[str, dict[str, Any]] = {}
    for path, names in data["modules"].items():
        module = _resolve(tg, path)
        present, missing, out = [], [], {}
        for name in names:
            if module is not None and hasattr(module, name):
                present.append(name)
                continue
            why = classify(path, name)
            if why is None:
                missing.append(name)
            else:
                out[name] = why[0]
        result[path] = {"present": present, "missing": missing, "out": out,
                        "module_exists": module is not None}
    return result


def _percent(a: int, b: int) -> str:
    return "-" if b == 0 else f"{100 * a / b:.0f}%"


def render(result: dict[str, dict[str, Any]], tf_version: str) -> str:
    """The Markdown report."""
    lines = [
        "# TensorFlow API coverage",
        "",
        f"Generated by `python scripts/tf_coverage.py` from TensorFlow {tf_version}'s public "
        "names (`docs/tf-names-2.21.json`, written by `--dump` under TensorFlow). Do not edit "
        "by hand: regenerate after adding names.",
        "",
        "*present*: tapegrad has the name; *missing*: in scope and not there yet; *out of "
        "scope*: not planned, for the reason in the last table. Coverage is present / "
        "(present + missing). A name out of scope that tapegrad has anyway counts as present.",
        "",
        "| module | names | present | missing | out of scope | coverage |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals = [0, 0, 0, 0]
    for path, r in result.items():
        p, m, o = len(r["present"]), len(r["missing"]), len(r["out"])
        totals = [totals[0] + p + m + o, totals[1] + p, totals[2] + m, totals[3] + o]
        lines.append(f"| `{path}` | {p + m + o} | {p} | {m} | {o} | {_percent(p, p + m)} |")
    lines.append(f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | "
                 f"{_percent(totals[1], totals[1] + totals[2])} |")
    lines += ["", "## Out-of-scope categories", "", "| category | names | why |",
              "| --- | ---: | --- |"]
    counts: dict[str, int] = {}
    for r in result.values():
        for category in r["out"].values():
            counts[category] = counts.get(category, 0) + 1
    for category, reason, _ in OUT_OF_SCOPE:
        if counts.get(category):
            lines.append(f"| {category} | {counts[category]} | {reason} |")
    for path, r in result.items():
        lines += ["", f"## `{path}`", ""]
        if not r["module_exists"]:
            lines += ["tapegrad has no such module yet.", ""]
        lines.append(f"**Missing ({len(r['missing'])})**: " + _names(r["missing"]))
        lines += ["", f"**Present ({len(r['present'])})**: " + _names(r["present"]), ""]
        by_category: dict[str, list[str]] = {}
        for name, category in r["out"].items():
            by_category.setdefault(category, []).append(name)
        lines.append(f"**Out of scope ({len(r['out'])})**: " + (
            "; ".join(f"*{c}*: {_names(ns)}" for c, ns in by_category.items()) or "none"))
    return "\n".join(lines) + "\n"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def report() -> str:
    """The report for the tapegrad on ``sys.path`` (imported here, never TensorFlow)."""
    sys.path.insert(0, str(ROOT / "python"))
    tg = importlib.import_module("tapegrad")
    data = json.loads(NAMES_FILE.read_text())
    return render(compare(tg), data["tensorflow_version"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", action="store_true",
                        help="list TensorFlow's public names (needs TensorFlow) into the data file")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if docs/tf-coverage.md is not what this script would write")
    args = parser.parse_args(argv)
    if args.dump:
        dump()
        return 0
    text = report()
    if args.check:
        current = REPORT_FILE.read_text() if REPORT_FILE.exists() else ""
        if current != text:
            print(f"{REPORT_FILE.relative_to(ROOT)} is out of date: run python scripts/tf_coverage.py")
            return 1
        return 0
    REPORT_FILE.write_text(text)
    print(text.split("\n## Out-of-scope")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
