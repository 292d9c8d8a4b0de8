/**
 * The protobuf wire format at field level: enough to read the few ONNX fields we rewrite and to
 * copy every other field through byte for byte (see onnx-int8-matmul.ts).
 */

/** One field of a message: varints keep their value, every other wire type its raw payload. */
export interface ProtoField {
  readonly number: number;
  /** 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
  readonly wireType: 0 | 1 | 2 | 5;
  /** The varint's value (wire type 0). */
  readonly varint?: bigint;
  /** The payload (wire types 1, 2, 5), a view into the parsed buffer. */
  readonly bytes?: Uint8Array;
}

/** Bytes that are not a protobuf message (truncated, or a wire type ONNX never uses). */
export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

function readVarint(buffer: Uint8Array, offset: number): [value: bigint, next: number] {
  let value = 0n;
  let shift = 0n;
  for (let position = offset; position < buffer.length && shift < 70n; position++) {
    const byte = buffer[position]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, position + 1];
    shift += 7n;
  }
  throw new ProtobufError(`bad varint at byte ${offset}`);
}

/** Splits a message into its fields, in order. */
export function readFields(buffer: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [varint, next] = readVarint(buffer, afterKey);
      fields.push({ number, wireType, varint });
      offset = next;
      continue;
    }
    let start = afterKey;
    let length: number;
    if (wireType === 2) {
      const [size, next] = readVarint(buffer, afterKey);
      start = next;
      length = Number(size);
    } else if (wireType === 1 || wireType === 5) {
      length = wireType === 1 ? 8 : 4;
    } else {
      throw new ProtobufError(`unsupported wire type ${wireType} at byte ${offset}`);
    }
    if (start + length > buffer.length) throw new ProtobufError(`field ${number} runs past the end`);
    fields.push({ number, wireType, bytes: buffer.subarray(start, start + length) });
    offset = start + length;
  }
  return fields;
}

function varintBytes(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}

/** Serialises fields back into a message. */
export function writeFields(fields: readonly ProtoField[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    parts.push(Uint8Array.from(varintBytes((BigInt(field.number) << 3n) | BigInt(field.wireType))));
    if (field.wireType === 0) parts.push(Uint8Array.from(varintBytes(field.varint ?? 0n)));
    else {
      const bytes = field.bytes ?? new Uint8Array();
      if (field.wireType === 2) parts.push(Uint8Array.from(varintBytes(BigInt(bytes.length))));
      parts.push(bytes);
    }
  }
  return Buffer.concat(parts);
}

/** A length-delimited field holding a string or a nested message. */
export function bytesField(number: number, value: string | Uint8Array): ProtoField {
  return { number, wireType: 2, bytes: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
}

/** A varint field. */
export function varintField(number: number, value: number | bigint): ProtoField {
  return { number, wireType: 0, varint: BigInt(value) };
}

/** The field's payload as UTF-8 text. */
export function fieldText(field: ProtoField): string {
  return Buffer.from(field.bytes ?? new Uint8Array()).toString('utf8');
}

/** Every value of a repeated int64 field, packed or not. */
export function int64Values(fields: readonly ProtoField[], number: number): bigint[] {
  const values: bigint[] = [];
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.wireType === 0) values.push(field.varint!);
    else if (field.wireType === 2) {
      let offset = 0;
      const bytes = field.bytes!;
      while (offset < bytes.length) {
        const [value, next] = readVarint(bytes, offset);
        values.push(BigInt.asIntN(64, value));
        offset = next;
      }
    }
  }
  return values;
}
