import {
  bytesField,
  fieldText,
  int64Values,
  readFields,
  varintField,
  writeFields,
  type ProtoField,
} from './protobuf-fields.js';

/**
 * Makes an ONNX graph with int8 weights compute in int8.
 *
 * Weight-only int8 exports store each weight as `int8 W → Cast(float) → Mul(per-column scale)
 * → MatMul`; ONNX Runtime folds that back into a float matrix at load, so the file is small but
 * the arithmetic is float. This rewrites each such chain (and the bias `Add` after it) into one
 * `com.microsoft.DynamicQuantizeMatMul`, which quantizes the activations to uint8 per call and
 * multiplies in integers (VNNI/AVX-512/AVX2/NEON kernels): the same weights, measured 2× faster
 * on all-MiniLM-L6-v2, with sentence vectors at cosine ≈ 0.99 to the float path. The rewrite is
 * done in memory at load time, so the file on disk stays the one whose SHA-256 is pinned. A graph
 * without the pattern is returned unchanged.
 */
export function quantizeMatMulsDynamically(model: Uint8Array): { bytes: Uint8Array; rewritten: number } {
  const modelFields = readFields(model);
  const graphIndex = modelFields.findIndex((field) => field.number === MODEL_GRAPH);
  if (graphIndex < 0) return { bytes: model, rewritten: 0 };
  const graphFields = readFields(modelFields[graphIndex]!.bytes!);
  const nodes = graphFields.filter((field) => field.number === GRAPH_NODE).map((field) => parseNode(field.bytes!));
  const initializers = new Map<string, Initializer>();
  for (const field of graphFields) {
    if (field.number !== GRAPH_INITIALIZER) continue;
    const initializer = parseInitializer(field.bytes!);
    initializers.set(initializer.name, initializer);
  }
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const node of nodes) {
    for (const output of node.outputs) producer.set(output, node);
    for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  }
  const graphOutputs = new Set(
    graphFields.filter((field) => field.number === GRAPH_OUTPUT).map((field) => valueInfoName(field.bytes!)),
  );
  const usedOnceBy = (name: string, node: Node) =>
    !graphOutputs.has(name) && consumers.get(name)?.length === 1 && consumers.get(name)![0] === node;

  const removed = new Set<Node>();
  const replacement = new Map<Node, ProtoField>();
  const added: ProtoField[] = [];
  for (const matmul of nodes) {
    if (matmul.opType !== 'MatMul' || matmul.domain !== '' || matmul.inputs.length !== 2) continue;
    const mul = producer.get(matmul.inputs[1]!);
    if (mul?.opType !== 'Mul' || !usedOnceBy(matmul.inputs[1]!, matmul)) continue;
    const [castOutput, scaleName] = initializers.has(mul.inputs[1]!)
      ? [mul.inputs[0]!, mul.inputs[1]!]
      : [mul.inputs[1]!, mul.inputs[0]!];
    const cast = producer.get(castOutput);
    const weights = initializers.get(cast?.inputs[0] ?? '');
    const scale = initializers.get(scaleName);
    if (cast?.opType !== 'Cast' || !usedOnceBy(castOutput, mul) || !weights || !scale) continue;
    if (weights.dataType !== INT8 || weights.dims.length !== 2 || !weights.raw) continue;
    const columns = weights.dims[1]!;
    const scaleValues = floatValues(scale);
    if (!scaleValues || (scaleValues.length !== columns && scaleValues.length !== 1)) continue;
    const columnScale = new Float32Array(columns).map(
      (_, column) => scaleValues[scaleValues.length === 1 ? 0 : column]!,
    );
    const scaleColumnName = `${scaleName}__per_column`;
    added.push(bytesField(GRAPH_INITIALIZER, floatInitializer(scaleColumnName, columnScale)));
    // A bias added right after the product goes into the operator.
    let output = matmul.outputs[0]!;
    let bias = '';
    const [next] = consumers.get(output) ?? [];
    if (next?.opType === 'Add' && next.domain === '' && usedOnceBy(output, next)) {
      const biasName = next.inputs[0] === output ? next.inputs[1]! : next.inputs[0]!;
      const biasInitializer = initializers.get(biasName);
      const biasValues = biasInitializer && floatValues(biasInitializer);
      if (biasValues?.length === columns && biasInitializer!.dims.length === 1) {
        bias = biasName;
        output = next.outputs[0]!;
        removed.add(next);
      }
    }
    removed.add(mul).add(cast);
    const inputs = [matmul.inputs[0]!, weights.name, scaleColumnName, ...(bias ? ['', bias] : [])];
    replacement.set(matmul, bytesField(GRAPH_NODE, nodeBytes(`${matmul.name}__int8`, inputs, [output])));
  }
  if (replacement.size === 0) return { bytes: model, rewritten: 0 };

  // Graph inputs may name initializers (older IR versions): those stay.
  const stillUsed = new Set<string>([
    ...graphOutputs,
    ...graphFields.filter((field) => field.number === GRAPH_INPUT).map((field) => valueInfoName(field.bytes!)),
  ]);
  for (const node of nodes) if (!removed.has(node)) for (const input of node.inputs) stillUsed.add(input);
  for (const node of replacement.values()) for (const input of parseNode(node.bytes!).inputs) stillUsed.add(input);
  let nodeIndex = 0;
  const newGraph: ProtoField[] = [];
  for (const field of graphFields) {
    if (field.number === GRAPH_NODE) {
      const node = nodes[nodeIndex++]!;
      if (removed.has(node)) continue;
      newGraph.push(replacement.get(node) ?? field);
    } else if (field.number === GRAPH_INITIALIZER) {
      if (stillUsed.has(parseInitializer(field.bytes!).name)) newGraph.push(field);
    } else newGraph.push(field);
  }
  newGraph.push(...added);
  const newModel = modelFields.map((field, index) =>
    index === graphIndex ? bytesField(MODEL_GRAPH, writeFields(newGraph)) : field,
  );
  const hasMicrosoftOpset = modelFields.some(
    (field) =>
      field.number === MODEL_OPSET_IMPORT &&
      readFields(field.bytes!).some((inner) => inner.number === 1 && fieldText(inner) === MICROSOFT),
  );
  if (!hasMicrosoftOpset) {
    newModel.push(bytesField(MODEL_OPSET_IMPORT, writeFields([bytesField(1, MICROSOFT), varintField(2, 1)])));
  }
  return { bytes: writeFields(newModel), rewritten: replacement.size };
}

// Field numbers from onnx/onnx.proto.
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const FLOAT = 1;
const INT8 = 3;
const MICROSOFT = 'com.microsoft';

interface Node {
  readonly inputs: string[];
  readonly outputs: string[];
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
}

interface Initializer {
  readonly name: string;
  readonly dims: number[];
  readonly dataType: number;
  readonly raw?: Uint8Array;
  readonly floats?: Float32Array;
}

function parseNode(bytes: Uint8Array): Node {
  const node = { inputs: [] as string[], outputs: [] as string[], name: '', opType: '', domain: '' };
  for (const field of readFields(bytes)) {
    if (field.number === 1) node.inputs.push(fieldText(field));
    else if (field.number === 2) node.outputs.push(fieldText(field));
    else if (field.number === 3) node.name = fieldText(field);
    else if (field.number === 4) node.opType = fieldText(field);
    else if (field.number === 7) node.domain = fieldText(field);
  }
  return node;
}

function parseInitializer(bytes: Uint8Array): Initializer {
  const fields = readFields(bytes);
  let name = '';
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  for (const field of fields) {
    if (field.number === 8) name = fieldText(field);
    else if (field.number === 2) dataType = Number(field.varint);
    else if (field.number === 9) raw = field.bytes;
    else if (field.number === 4 && field.bytes) {
      const view = new DataView(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength);
      for (let offset = 0; offset + 4 <= view.byteLength; offset += 4) floats.push(view.getFloat32(offset, true));
    }
  }
  const dims = int64Values(fields, 1).map(Number);
  return {
    name,
    dims,
    dataType,
    ...(raw ? { raw } : {}),
    ...(floats.length > 0 ? { floats: Float32Array.from(floats) } : {}),
  };
}

/** The values of a float initializer, from `raw_data` or `float_data`. */
function floatValues(initializer: Initializer): Float32Array | undefined {
  if (initializer.dataType !== FLOAT) return undefined;
  if (initializer.floats) return initializer.floats;
  if (!initializer.raw) return undefined;
  const view = new DataView(initializer.raw.buffer, initializer.raw.byteOffset, initializer.raw.byteLength);
  return Float32Array.from({ length: view.byteLength / 4 }, (_, index) => view.getFloat32(index * 4, true));
}

function floatInitializer(name: string, values: Float32Array): Uint8Array {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => raw.writeFloatLE(value, index * 4));
  return writeFields([varintField(1, values.length), varintField(2, FLOAT), bytesField(8, name), bytesField(9, raw)]);
}

function nodeBytes(name: string, inputs: readonly string[], outputs: readonly string[]): Uint8Array {
  return writeFields([
    ...inputs.map((input) => bytesField(1, input)),
    ...outputs.map((output) => bytesField(2, output)),
    bytesField(3, name),
    bytesField(4, 'DynamicQuantizeMatMul'),
    bytesField(7, MICROSOFT),
  ]);
}

function valueInfoName(bytes: Uint8Array): string {
  const field = readFields(bytes).find((inner) => inner.number === 1);
  return field ? fieldText(field) : '';
}
